/**
 * The HTTP benchmarks' load generator: wrk (the Debian package), run once per measurement,
 * and its text output read into numbers. Reading is kept apart from running so that a test
 * can check it against wrk's real output (test/bench/serve_wrk.test.ts).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** What one wrk run measured. */
export interface WrkResult {
  requestsPerSecond: number;
  /** Latency percentiles in milliseconds (wrk's `--latency` distribution). */
  p50Ms: number;
  p99Ms: number;
  /** Requests completed. */
  requests: number;
  /** Socket errors (connect, read, write, timeout) and answers that were not 2xx or 3xx. */
  errors: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A wrk duration (`812.00us`, `1.23ms`, `2.01s`) in milliseconds. */
function durationMs(text: string, what: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  if (!match) throw new Error(`wrk output: cannot read ${what} '${text}'`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

/**
 * Reads the output of `wrk --latency`.
 *
 * @throws {Error} When a figure the benchmark needs is missing (wrk failed, or its output
 *   changed), naming it.
 */
export function parseWrkOutput(output: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  if (!rps) throw new Error(`wrk output has no 'Requests/sec' line:\n${output.trim()}`);
  const percentile = (p: string) => {
    const match = new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(output);
    if (!match) throw new Error(`wrk output has no ${p}% latency (was wrk run with --latency?)`);
    return durationMs(match[1], `the ${p}% latency`);
  };
  const requests = /^\s+(\d+) requests in /m.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const errors = (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) +
    (non2xx ? Number(non2xx[1]) : 0);
  return {
    requestsPerSecond: Number(rps[1]),
    p50Ms: percentile("50"),
    p99Ms: percentile("99"),
    requests: requests ? Number(requests[1]) : 0,
    errors,
  };
}

/** How one wrk run is made. */
export interface WrkRun {
  url: string;
  seconds: number;
  connections: number;
  /** Send `Connection: close`, so that every request has a connection of its own. */
  close: boolean;
  /** Run wrk on this core (taskset), or anywhere when undefined. */
  core?: number;
}

/** The command line of one wrk run. */
export function wrkCommand(run: WrkRun): [string, string[]] {
  const args = ["-t1", `-c${run.connections}`, `-d${run.seconds}s`, "--latency", "--timeout", "10s"];
  if (run.close) args.push("-H", "Connection: close");
  args.push(run.url);
  return run.core === undefined ? ["wrk", args] : ["taskset", ["-c", String(run.core), "wrk", ...args]];
}

/** Runs wrk once and reads its output. */
export function runWrk(run: WrkRun): WrkResult {
  const [command, args] = wrkCommand(run);
  const result = spawnSync(command, args, { encoding: "utf8", timeout: (run.seconds + 30) * 1000 });
  if (result.status !== 0) {
    throw new Error(`wrk failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr.trim()}`);
  }
  return parseWrkOutput(result.stdout);
}

/**
 * The CPU time a process has used so far, in microseconds (user and system, from
 * /proc/PID/stat), or undefined where there is no /proc.
 */
export function cpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * (1_000_000 / CLOCK_TICKS);
  } catch {
    return undefined;
  }
}

/** The kernel's clock ticks per second for /proc times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/** Whether wrk can be run here. */
export function hasWrk(): boolean {
  return spawnSync("wrk", ["--version"]).error === undefined;
}
