import { MAX_DELAY_S } from "../../_delay.ts";
import { DEFAULT_ECHO_PORT, describeAddr, type EchoEvent, serveEcho, serveUdpEcho } from "../../echo/mod.ts";
import { formatAddr, udpImplementation } from "../../net/mod.ts";
import { type CommandSpec, UsageError } from "../command.ts";
import { listenFailure } from "./_net_messages.ts";
import { readPemFlag } from "./_pem_files.ts";
import { startWorkers, workerCount, type WorkerService, workersFlag } from "../workers.ts";

function logLine(event: EchoEvent): string {
  if (event.type === "drop") {
    const from = event.remoteAddr ? ` from ${formatAddr(event.remoteAddr)}` : "";
    return `dropped a ${event.what}${from}: ${event.reason}`;
  }
  const who = formatAddr(event.remoteAddr);
  switch (event.type) {
    case "open":
      return `connection from ${who}`;
    case "close":
      return `closed ${who} (${event.bytes} bytes echoed)`;
    case "error": {
      const message = event.error instanceof Error ? event.error.message : String(event.error);
      return `error on ${who} after ${event.bytes} bytes: ${message.split("\n")[0]}`;
    }
    case "idle":
      return `closed ${who}: idle timeout`;
    case "refuse":
      return `refused ${who}: ${event.reason}`;
    case "datagram":
      return `datagram from ${who} (${event.bytes} bytes echoed)`;
  }
}

/** "1 datagram …", "2 datagrams …" (`what` starts with the noun), or "" for none. */
function plural(count: number, what: string): string {
  if (count === 0) return "";
  return `${count} ${count === 1 ? what : what.replace(/^(\w+)/, "$1s")}`;
}

/** What every worker of echo-server is started with. */
interface EchoServerPlan {
  host: string;
  udp: boolean;
  tls: { cert: string; key: string } | undefined;
  maxConnections: number | undefined;
  /** In ms. */
  idleTimeout: number | undefined;
  maxClients: number | undefined;
  quiet: boolean;
}

/** What one echo server dropped: connections reset before being served, or (UDP) its own datagrams. */
interface EchoServerSummary {
  dropped: number;
}

/** One echo server. */
export const echoServerWorker: WorkerService<EchoServerPlan, EchoServerSummary> = {
  async start(plan, context) {
    const { host, udp } = plan;
    const log = plan.quiet ? undefined : (event: EchoEvent) => context.log(logLine(event) + "\n");
    let server;
    try {
      server = udp
        ? await serveUdpEcho({
          hostname: host,
          port: context.port,
          maxClients: plan.maxClients,
          signal: context.signal,
          onEvent: log,
        })
        : await serveEcho({
          hostname: host,
          port: context.port,
          reusePort: context.reusePort,
          tls: plan.tls,
          maxConnections: plan.maxConnections,
          idleTimeout: plan.idleTimeout,
          maxClients: plan.maxClients,
          signal: context.signal,
          onEvent: log,
        });
    } catch (error) {
      throw listenFailure("echo-server", host, context.port, error);
    }
    const done = server;
    return {
      address: describeAddr(done.addr),
      port: done.addr.port,
      finished: done.finished.then(() => ({
        dropped: "droppedDatagrams" in done ? done.droppedDatagrams : done.droppedConnections,
      })),
    };
  },
};

/** `anynet echo-server`: the TCP, TLS or UDP echo server. */
export const echoServerCommand: CommandSpec = {
  name: "echo-server",
  summary: "Run an echo server (TCP, TLS or UDP) that serves many clients at once",
  description: "Echoes every byte back to its sender. Prints 'listening on HOST:PORT' on standard output " +
    "once it accepts (the address it listens on, a host name resolved, and the real port with --port 0) " +
    "and logs connections on standard error. SIGINT or SIGTERM stops it gracefully: it stops accepting, " +
    "finishes echoing what it has received and exits 0. It binds to 127.0.0.1 unless told otherwise: all " +
    "interfaces need an explicit --host 0.0.0.0 (or ::). Whatever a client does, the server goes on: a " +
    "connection reset before it could be served is dropped and logged, a TLS handshake must finish within " +
    "10 s, and a datagram that claims to come from the server itself is dropped instead of echoed forever.",
  flags: [
    { name: "host", type: "string", description: "Address to listen on", default: "127.0.0.1", valueName: "HOST" },
    {
      name: "port",
      type: "integer",
      description: "Port to listen on (0 picks a free one)",
      default: DEFAULT_ECHO_PORT,
      min: 0,
      max: 65535,
    },
    { name: "udp", type: "boolean", description: "Echo UDP datagrams instead of TCP" },
    { name: "tls", type: "boolean", description: "Serve TLS (needs --cert and --key)" },
    { name: "cert", type: "string", description: "PEM certificate chain file for --tls", valueName: "FILE" },
    { name: "key", type: "string", description: "PEM private key file for --tls", valueName: "FILE" },
    {
      name: "max-connections",
      type: "integer",
      description: "Serve at most N clients at once (TLS handshakes included); close the rest at once, cleanly",
      min: 1,
      valueName: "N",
    },
    {
      name: "idle-timeout",
      type: "number",
      description: "Close a connection idle (or still in its TLS handshake) for this many seconds",
      min: 0.001,
      max: MAX_DELAY_S,
      valueName: "SECONDS",
    },
    { name: "once", type: "boolean", description: "Serve one client (one datagram with --udp), then exit" },
    { name: "quiet", type: "boolean", description: "Do not log connections on standard error (for load tests)" },
    workersFlag,
  ],
  examples: [
    "echo-server",
    "echo-server --port 0",
    "echo-server --udp --port 9999",
    "echo-server --tls --cert cert.pem --key key.pem --port 8443",
    "echo-server --host 0.0.0.0 --max-connections 1000 --idle-timeout 30",
    "echo-server --once",
    "echo-server --port 7000 --workers 2 --quiet",
  ],
  async run(input, io) {
    const f = input.flags;
    const host = f.host as string;
    const port = f.port as number;
    const udp = f.udp === true;
    const useTls = f.tls === true;
    if (udp && useTls) {
      throw new UsageError("--udp and --tls cannot be combined (DTLS is not supported)", "echo-server");
    }
    if (useTls && (f.cert === undefined || f.key === undefined)) {
      throw new UsageError("--tls needs both --cert FILE and --key FILE", "echo-server");
    }
    if (!useTls && (f.cert !== undefined || f.key !== undefined)) {
      throw new UsageError("--cert and --key only apply with --tls", "echo-server");
    }
    if (udp && (f["max-connections"] !== undefined || f["idle-timeout"] !== undefined)) {
      throw new UsageError("--max-connections and --idle-timeout apply to TCP only, not --udp", "echo-server");
    }
    const count = workerCount(f.workers as string, "echo-server");
    if (count > 1 && (udp || f.once === true)) {
      throw new UsageError(
        "--workers applies to TCP and TLS servers without --once, not to --udp or --once",
        "echo-server",
      );
    }
    const quiet = f.quiet === true;
    const group = await startWorkers({
      command: "echo-server",
      count,
      port,
      plan: {
        host,
        udp,
        tls: useTls
          ? { cert: await readPemFlag("cert", f.cert as string), key: await readPemFlag("key", f.key as string) }
          : undefined,
        maxConnections: f["max-connections"] as number | undefined,
        idleTimeout: f["idle-timeout"] === undefined ? undefined : (f["idle-timeout"] as number) * 1000,
        maxClients: f.once === true ? 1 : undefined,
        quiet,
      },
      service: echoServerWorker,
      io,
    });
    const kind = udp ? `UDP (${udpImplementation()})` : useTls ? "TLS" : "TCP";
    const on = count > 1 ? `${group.address} (${count} workers)` : group.address;
    await io.out(`listening on ${group.address}\n`);
    if (!quiet) await io.err(`echo-server: ${kind} echo on ${on}; stop with Ctrl-C\n`);
    const summaries = await group.finished;
    if (io.signal.aborted && !quiet) {
      // Each worker counts what it dropped; the line gives their sum.
      const total = summaries.reduce((sum, summary) => sum + summary.dropped, 0);
      const dropped = udp
        ? plural(total, "datagram from this server's own address")
        : plural(total, "connection reset before being served");
      await io.err(`echo-server: stopped${dropped ? ` (dropped ${dropped})` : ""}\n`);
    }
    return 0;
  },
};
