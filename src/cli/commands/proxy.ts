import { MAX_DELAY_S } from "../../_delay.ts";
import type { NetAddr } from "../../net/mod.ts";
import { fileErrorReason, writeTextFile } from "../../runtime/files.ts";
import { parseHostPort } from "../../tools/host_port.ts";
import {
  type ProxyEvent,
  type ProxyProtocolVersion,
  type ProxyStats,
  type ProxyStrategy,
  startProxy,
  type WeightedAddr,
} from "../../tools/proxy.ts";
import { addConnectTime, parseBackend } from "../../tools/proxy_backend.ts";
import { serveProxyStats } from "../../tools/proxy_metrics.ts";
import { DEFAULT_IDLE_TIMEOUT_MS, MAX_PROXY_CONNECTIONS } from "../../tools/proxy_limits.ts";
import { CommandError, type CommandSpec, UsageError } from "../command.ts";
import { describeNetFailure, listenFailure } from "./_net_messages.ts";
import { checkOutputFile } from "./_output_file.ts";
import { startWorkers, workerCount, type WorkerService, workersFlag } from "../workers.ts";

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split("\n")[0]!;

/** "1 connection", "3 connections" (`noun` ends in "connection"). */
function connections(count: number, noun = "connection"): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function logLine(event: ProxyEvent): string {
  switch (event.type) {
    case "backend-down":
      return `backend ${event.backend} is down: ${event.reason}`;
    case "backend-up":
      return `backend ${event.backend} is up` +
        (event.slowStart > 0 ? ` (slow start: full weight in ${event.slowStart / 1000} s)` : "");
    case "no-backend":
      return `turned ${event.client} away: no backend reachable (${event.reason})`;
    case "connection-error":
      return `connection ${event.client} → ${event.backend} broke: ${firstLine(event.error)}`;
    case "accept-error":
      return `${firstLine(event.error)}; accepting again in 0.1 s`;
    case "idle":
      return `closed ${event.client} → ${event.backend}: idle timeout (no bytes either way for ${
        event.idleTimeout / 1000
      } s)`;
    case "refuse":
      return `refused ${event.client}: ${event.reason}`;
    case "draining":
      return `stopping: no new connections; ${connections(event.open, "open connection")} may take up to ${
        event.drainTimeout / 1000
      } s to finish`;
    case "abandoned":
      return `stopped without ${connections(event.sessions)} that had not ended ${
        event.after / 1000
      } s after the reset`;
    case "drain-timeout":
      return `reset ${connections(event.reset)} still open after the drain timeout (${event.drainTimeout / 1000} s)`;
  }
}

/** The per-backend counts printed on exit. */
function proxyStatsText(stats: ProxyStats): string {
  const width = Math.max(...stats.backends.map((b) => b.backend.length));
  // "down" is the widest state but while one is slowly starting.
  const stateWidth = Math.max("down".length, ...stats.backends.map((b) => b.state.length));
  const lines = stats.backends.map((b) =>
    `backend ${b.backend.padEnd(width)}  ${b.state.padEnd(stateWidth)}  ${b.connections} connections, ` +
    `${b.connectFailures} refused, ${b.brokenConnections} broken, ${b.bytesUp} bytes up, ${b.bytesDown} bytes down`
  );
  lines.push(
    `total: ${stats.accepted} connections accepted, ${stats.rejected} turned away (no backend), ` +
      `${stats.refused} refused (over --max-connections), ${stats.idleClosed} closed idle (--idle-timeout)`,
  );
  return lines.join("\n") + "\n";
}

/**
 * The counts of several workers as one: every counter summed; a backend is down when
 * any worker last found it down.
 */
function combinedStats(all: readonly ProxyStats[]): ProxyStats {
  const [first, ...rest] = all as [ProxyStats, ...ProxyStats[]];
  const sum = structuredClone(first);
  for (const stats of rest) {
    for (const key of ["accepted", "active", "rejected", "refused", "idleClosed"] as const) sum[key] += stats[key];
    stats.backends.forEach((backend, i) => {
      const total = sum.backends[i]!;
      total.healthy &&= backend.healthy;
      if (backend.state === "down" || (backend.state === "slow-start" && total.state === "up")) {
        total.state = backend.state;
      }
      total.effectiveWeight = Math.min(total.effectiveWeight, backend.effectiveWeight);
      for (const key of BACKEND_COUNTERS) total[key] += backend[key];
      addConnectTime(total.connectTime, backend.connectTime);
    });
  }
  return sum;
}

const BACKEND_COUNTERS = [
  "connections",
  "active",
  "connectFailures",
  "brokenConnections",
  "bytesUp",
  "bytesDown",
] as const;

/** What every worker of the proxy is started with. */
interface ProxyPlan {
  hostname: string;
  backends: WeightedAddr[];
  strategy: ProxyStrategy;
  healthInterval: number;
  maxFails: number;
  rise: number;
  fall: number;
  slowStart: number;
  sendProxy: ProxyProtocolVersion | undefined;
  /** Where the first worker serves the live counts (only with one worker). */
  stats: NetAddr | undefined;
  connectTimeout: number;
  drainTimeout: number;
  idleTimeout: number;
  maxConnections: number | undefined;
}

/** One proxy: each worker checks the backends' health and counts on its own. */
export const proxyWorker: WorkerService<ProxyPlan, ProxyStats> = {
  async start({ stats: statsAddr, ...plan }, context) {
    let proxy;
    try {
      proxy = await startProxy({
        ...plan,
        port: context.port,
        reusePort: context.reusePort,
        signal: context.signal,
        onEvent: (event) => context.log(`proxy: ${logLine(event)}\n`),
      });
    } catch (error) {
      throw listenFailure("proxy", plan.hostname, context.port, error);
    }
    if (statsAddr === undefined) {
      return { address: proxy.stats().listen, port: proxy.addr.port, finished: proxy.finished };
    }
    let endpoint;
    try {
      endpoint = await serveProxyStats(proxy.stats, statsAddr);
    } catch (error) {
      await proxy.close();
      throw new CommandError(`cannot serve --stats: ${describeNetFailure(error, statsAddr.hostname, statsAddr.port)}`);
    }
    context.log(`proxy: stats on ${endpoint.url}/stats (JSON) and ${endpoint.url}/metrics (Prometheus)\n`);
    // The endpoint answers until the proxy has drained: the last counts can still be read.
    const finished = proxy.finished.finally(() => endpoint.close());
    return { address: proxy.stats().listen, port: proxy.addr.port, finished };
  },
};

function backendFlag(text: string): WeightedAddr {
  try {
    return parseBackend(text);
  } catch (error) {
    throw new UsageError(`--backend: ${(error as Error).message}`, "proxy");
  }
}

function addressFlag(flag: string, text: string, allowPortZero: boolean): NetAddr {
  try {
    return parseHostPort(text, { allowPortZero });
  } catch (error) {
    throw new UsageError(`--${flag}: ${(error as Error).message}`, "proxy");
  }
}

/** `anynet proxy`: a TCP load balancer. */
export const proxyCommand: CommandSpec = {
  name: "proxy",
  summary: "Run a TCP load balancer in front of several backends, with health checks",
  description: "Accepts TCP connections on --listen and joins each to one backend (smooth weighted " +
    "round-robin, or the one with the fewest open connections per unit of weight). A backend that refuses is " +
    "skipped and the connection tries the next one; after --max-fails failures in a row it is out of service " +
    "until background health checks (a TCP connect every --health-interval seconds; --fall failures take a " +
    "backend out, --rise passes bring it back) see it again, then --slow-start ramps its weight up. " +
    "--send-proxy writes a PROXY protocol header with the client's address to each backend; --stats serves " +
    "live counts as JSON and Prometheus text. Bytes pass unchanged and in order, half-closes and resets are passed on (on Deno, whose sockets " +
    "cannot send a reset, as a close), and a slow side slows the other instead of filling memory. Prints " +
    "'listening on HOST:PORT' on standard output when ready and logs backend state changes on standard error. " +
    "SIGINT or SIGTERM drains: it stops accepting, lets open connections finish (for at most --drain-timeout " +
    "seconds), prints per-backend counts and exits 0. A session with no bytes either way for --idle-timeout " +
    "seconds is closed on both sides; clients beyond --max-connections are closed as soon as they are accepted.",
  flags: [
    {
      name: "listen",
      type: "string",
      valueName: "HOST:PORT",
      description: "Address to listen on (port 0 picks a free one)",
    },
    {
      name: "backend",
      type: "string",
      multiple: true,
      valueName: "HOST:PORT[@WEIGHT]",
      description: "A backend server (give the flag once per backend); @WEIGHT (1-1000, default 1) gives it " +
        "WEIGHT connections for each one a weight-1 backend gets",
    },
    {
      name: "strategy",
      type: "string",
      choices: ["round-robin", "least-connections"],
      default: "round-robin",
      description: "How to pick a backend",
    },
    {
      name: "health-interval",
      type: "number",
      min: 0.01,
      max: MAX_DELAY_S,
      default: 2,
      valueName: "SECONDS",
      description: "Seconds between health checks (a TCP connect to each backend)",
    },
    {
      name: "max-fails",
      type: "integer",
      min: 1,
      max: 1000,
      default: 1,
      valueName: "N",
      description: "Take a backend out after N client connection attempts to it failed in a row",
    },
    {
      name: "fall",
      type: "integer",
      min: 1,
      max: 1000,
      default: 3,
      valueName: "N",
      description: "Take a backend out after N health checks failed in a row",
    },
    {
      name: "rise",
      type: "integer",
      min: 1,
      max: 1000,
      default: 2,
      valueName: "N",
      description: "Bring a backend back after N health checks passed in a row",
    },
    {
      name: "slow-start",
      type: "number",
      min: 0,
      max: MAX_DELAY_S,
      default: 0,
      valueName: "SECONDS",
      description: "Ramp a backend that came back from a small share of its weight to the full weight over SECONDS",
    },
    {
      name: "send-proxy",
      type: "string",
      choices: ["v1", "v2"],
      valueName: "VERSION",
      description: "Send each backend a PROXY protocol header (v1 text, v2 binary) with the client's address",
    },
    {
      name: "stats",
      type: "string",
      valueName: "HOST:PORT",
      description: "Serve live counts over HTTP: /stats (JSON) and /metrics (Prometheus text)",
    },
    {
      name: "connect-timeout",
      type: "number",
      min: 0.001,
      max: MAX_DELAY_S,
      default: 3,
      valueName: "SECONDS",
      description: "Seconds a connection attempt to a backend may take",
    },
    {
      name: "drain-timeout",
      type: "number",
      min: 0.001,
      max: MAX_DELAY_S,
      default: 10,
      valueName: "SECONDS",
      description: "Seconds open connections may take to finish on shutdown",
    },
    {
      name: "idle-timeout",
      type: "number",
      min: 0,
      max: MAX_DELAY_S,
      default: DEFAULT_IDLE_TIMEOUT_MS / 1000,
      valueName: "SECONDS",
      description: "Close a session (both sides) after this many seconds without a byte either way (0: never)",
    },
    {
      name: "max-connections",
      type: "integer",
      min: 1,
      max: MAX_PROXY_CONNECTIONS,
      valueName: "N",
      description: "Serve at most N clients at once; close the rest at once (default: no limit)",
    },
    {
      name: "stats-json",
      type: "string",
      valueName: "FILE",
      description: "Also write the final counts to FILE as JSON (checked before the proxy starts)",
    },
    workersFlag,
  ],
  examples: [
    "proxy --listen 127.0.0.1:8080 --backend 127.0.0.1:9001 --backend 127.0.0.1:9002",
    "proxy --listen 127.0.0.1:0 --backend 10.0.0.5:80 --backend 10.0.0.6:80 --strategy least-connections",
    "proxy --listen [::1]:7000 --backend [::1]:7001 --health-interval 0.5 --stats-json stats.json",
    "proxy --listen 0.0.0.0:8080 --backend 10.0.0.5:80 --max-connections 1000 --idle-timeout 60",
    "proxy --listen 127.0.0.1:8080 --backend 10.0.0.5:80@3 --backend 10.0.0.6:80 --slow-start 30 " +
    "--send-proxy v2 --stats 127.0.0.1:9100",
  ],
  async run(input, io) {
    const f = input.flags;
    if (f.listen === undefined) throw new UsageError("--listen HOST:PORT is required", "proxy");
    const backendTexts = (f.backend as string[] | undefined) ?? [];
    if (backendTexts.length === 0) throw new UsageError("at least one --backend HOST:PORT is required", "proxy");
    const listenAddr = addressFlag("listen", f.listen as string, true);
    const backends = backendTexts.map(backendFlag);
    const statsAddr = f.stats === undefined ? undefined : addressFlag("stats", f.stats as string, true);
    const statsFile = f["stats-json"] as string | undefined;
    const count = workerCount(f.workers as string, "proxy");
    if (statsAddr !== undefined && count > 1) {
      throw new UsageError("--stats serves one proxy's counts: it takes --workers 1", "proxy");
    }
    if (statsFile !== undefined) await checkOutputFile("stats-json", statsFile);
    const group = await startWorkers({
      command: "proxy",
      count,
      port: listenAddr.port,
      plan: {
        hostname: listenAddr.hostname,
        backends,
        strategy: f.strategy as ProxyStrategy,
        healthInterval: (f["health-interval"] as number) * 1000,
        maxFails: f["max-fails"] as number,
        rise: f.rise as number,
        fall: f.fall as number,
        slowStart: (f["slow-start"] as number) * 1000,
        sendProxy: f["send-proxy"] as ProxyProtocolVersion | undefined,
        stats: statsAddr,
        connectTimeout: (f["connect-timeout"] as number) * 1000,
        drainTimeout: (f["drain-timeout"] as number) * 1000,
        idleTimeout: (f["idle-timeout"] as number) * 1000,
        maxConnections: f["max-connections"] as number | undefined,
      },
      service: proxyWorker,
      io,
    });
    const listening = group.address;
    const workers = count > 1 ? `, ${count} workers` : "";
    await io.out(`listening on ${listening}\n`);
    await io.err(`proxy: ${listening} → ${backends.length} backend(s), ${f.strategy}${workers}; stop with Ctrl-C\n`);
    const stats = combinedStats(await group.finished);
    // The file first: it is kept even when standard output is gone by now.
    let fileError: unknown;
    if (statsFile !== undefined) {
      await writeTextFile(statsFile, JSON.stringify(stats, null, 2) + "\n").catch((error) => (fileError = error));
    }
    await io.out(proxyStatsText(stats));
    if (fileError !== undefined) {
      throw new CommandError(`cannot write --stats-json ${statsFile}: ${fileErrorReason(fileError)}`);
    }
    return 0;
  },
};
