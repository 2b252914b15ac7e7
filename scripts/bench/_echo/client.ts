/**
 * The C programs of the echo benchmark, compiled with gcc into a temporary directory at run
 * time (binaries are never committed), and runs of the load client.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** Paths of the compiled C programs. */
export interface CPrograms {
  /** The directory that holds them; remove it when done. */
  dir: string;
  /** The epoll echo server. */
  server: string;
  /** The load client. */
  client: string;
}

/** Compiles the C echo server and load client with `gcc -O2`; throws with gcc's message if it fails. */
export async function compileCPrograms(): Promise<CPrograms> {
  const dir = await Deno.makeTempDir({ prefix: "anynet-echo-bench-" });
  const programs: CPrograms = { dir, server: join(dir, "echo_server"), client: join(dir, "load_client") };
  for (const [source, output] of [["echo_server.c", programs.server], ["load_client.c", programs.client]]) {
    const gcc = await new Deno.Command("gcc", {
      args: ["-O2", "-Wall", "-Wextra", "-o", output, join(here, source)],
      stdout: "piped",
      stderr: "piped",
    }).output().catch((error: Error) => {
      throw new Error(`cannot run gcc (is it installed?): ${error.message}`);
    });
    if (!gcc.success) {
      throw new Error(`gcc failed on ${source}:\n${new TextDecoder().decode(gcc.stderr)}`);
    }
  }
  return programs;
}

/** What the load client reports for a load run (see load_client.c). */
export interface LoadResult {
  mode: "load";
  connections: number;
  size: number;
  warmupSeconds: number;
  seconds: number;
  roundTrips: number;
  roundTripsPerSecond: number;
  megabytesPerSecond: number;
  p50Microseconds: number;
  p99Microseconds: number;
  mismatches: number;
  failures: number;
  connectFailures: number;
  stalled: boolean;
  /** CPU use of the server over the measured time, in percent of one core (-1: unknown). */
  serverCpuPercent: number;
  /** CPU use of the load client itself, in percent of one core (-1: unknown). */
  clientCpuPercent: number;
  /** User time of every other program on the machine, in percent of one core (-1: unknown). */
  otherUserCpuPercent: number;
}

/** What the load client reports for a hold run (see load_client.c). */
export interface HoldResult {
  mode: "hold";
  connections: number;
  held: number;
  size: number;
  connectFailures: number;
  failures: number;
  mismatches: number;
  closedWhileIdle: number;
  stalled: boolean;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  bytesPerConnection: number;
  seconds: number;
}

/**
 * The command prefix that raises the open-file limit to the hard limit (10,000 held connections
 * need more than the usual 1024; raising the hard limit itself needs CAP_SYS_RESOURCE, which a
 * container may lack) and optionally pins to a CPU core.
 */
export function launcher(core: number | undefined): string[] {
  // `exec` keeps the PID: the process we started is the program, so /proc/PID is its memory.
  const pin = core === undefined ? [] : ["taskset", "-c", String(core)];
  return ["bash", "-c", 'ulimit -n "$(ulimit -Hn)" && exec "$@"', "bash", ...pin];
}

/** Load clients running now, so that an interrupted run can kill them. */
const clients = new Set<Deno.ChildProcess>();

/** Kills every load client still running (for an interrupted run). */
export function killClients(): void {
  for (const child of clients) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

async function runClient(
  clientPath: string,
  args: string[],
  core: number | undefined,
  limitSeconds: number,
): Promise<unknown> {
  const [command, ...prefix] = launcher(core);
  const child = new Deno.Command(command, {
    args: [...prefix, clientPath, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  clients.add(child);
  const timer = setTimeout(() => child.kill("SIGKILL"), limitSeconds * 1000);
  const output = await child.output().finally(() => clients.delete(child));
  clearTimeout(timer);
  const stdout = new TextDecoder().decode(output.stdout).trim();
  if (!output.success || !stdout.startsWith("{")) {
    const why = output.signal ? `killed by ${output.signal} after ${limitSeconds} s` : `exit ${output.code}`;
    throw new Error(`load client failed (${why}): ${new TextDecoder().decode(output.stderr).trim() || stdout}`);
  }
  return JSON.parse(stdout);
}

/** Options of one load run. */
export interface LoadOptions {
  port: number;
  /** The server's PID, for its CPU use and that of other programs. */
  pid: number;
  connections: number;
  size: number;
  /** Seconds measured. */
  duration: number;
  /** Seconds run before measuring (JIT warmup). */
  warmup: number;
  /** CPU core for the client, or undefined to let the kernel choose. */
  core: number | undefined;
}

/** Runs the load client against 127.0.0.1:PORT and returns its figures. */
export async function runLoad(clientPath: string, options: LoadOptions): Promise<LoadResult> {
  const args = [
    "--port", String(options.port),
    "--connections", String(options.connections),
    "--size", String(options.size),
    "--duration", String(options.duration),
    "--warmup", String(options.warmup),
    "--timeout", "10",
    "--pid", String(options.pid),
  ];
  return await runClient(clientPath, args, options.core, options.duration + options.warmup + 30) as LoadResult;
}

/** Options of one hold run. */
export interface HoldOptions {
  port: number;
  /** The server's PID, whose VmRSS is read before and after. */
  pid: number;
  connections: number;
  /** Seconds the connections stay idle before the second memory reading. */
  settle: number;
  core: number | undefined;
}

/** Opens, pings once and holds many connections to 127.0.0.1:PORT; returns the server's memory figures. */
export async function runHold(clientPath: string, options: HoldOptions): Promise<HoldResult> {
  const args = [
    "--port", String(options.port),
    "--hold", String(options.connections),
    "--pid", String(options.pid),
    "--size", "16",
    "--settle", String(options.settle),
    "--timeout", "20",
  ];
  return await runClient(clientPath, args, options.core, options.settle + 120) as HoldResult;
}

/** User CPU time (user + nice) of all cores, and all CPU time, in ticks, from /proc/stat. */
function cpuTicks(): { user: number; total: number } {
  const fields = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return { user: fields[0] + fields[1], total: fields.reduce((sum, value) => sum + value, 0) };
}

/**
 * How busy the machine is with user code over an interval, in percent of one core. The servers
 * wait idle between runs, so this is other programs: on a shared machine, a neighbour's test run.
 */
export async function userCpuPercent(intervalMs = 500): Promise<number> {
  const before = cpuTicks();
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
  const after = cpuTicks();
  const total = after.total - before.total;
  return total > 0 ? ((after.user - before.user) / total) * navigator.hardwareConcurrency * 100 : 0;
}
