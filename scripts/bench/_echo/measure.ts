/**
 * The measurements of the echo benchmark: interleaved load runs against several running servers,
 * and idle-connection memory against fresh servers.
 *
 * @module
 */
import { type HoldResult, type LoadResult, runHold, runLoad, userCpuPercent } from "./client.ts";
import type { EchoBenchOptions } from "./options.ts";
import { anynetServer, describe, nativeServer, type Runtime, type RunningServer, type ServerSpec, startServer } from "./servers.ts";
import { median } from "./stats.ts";

/** One load of the benchmark. */
export interface Scenario {
  name: "small" | "large";
  connections: number;
  /** Bytes per message. */
  size: number;
  /** The figure reported for it. */
  metric: "roundTripsPerSecond" | "megabytesPerSecond";
  unit: string;
}

/** The two loads the issue asks for. */
export const scenarios: readonly Scenario[] = [
  { name: "small", connections: 50, size: 64, metric: "roundTripsPerSecond", unit: "round trips/s" },
  { name: "large", connections: 8, size: 64 * 1024, metric: "megabytesPerSecond", unit: "MB/s" },
];

/** One run of the load client, and the runtime and round it belonged to. */
export interface Run extends LoadResult {
  runtime: Runtime;
  round: number;
  /** How many times it was run: other programs' CPU use above the limit makes it run again. */
  attempts: number;
}

/** Runs of one server under one load, and their medians. */
export interface LoadSummary {
  runs: Run[];
  /** Median of the scenario's metric. */
  median: number;
  p50Microseconds: number;
  p99Microseconds: number;
  /**
   * Median CPU time (user + system) the server spent per round trip, in microseconds: the cost
   * of one echo, which outside load disturbs much less than throughput. NaN when unknown.
   */
  serverCpuMicrosecondsPerRoundTrip: number;
}

/** Everything measured for one server. */
export interface ServerResults {
  /** Why it could not be measured, if it could not. */
  error?: string;
  small?: LoadSummary;
  large?: LoadSummary;
  hold?: HoldResult;
}

/** Everything measured for one runtime. */
export interface RuntimeResults {
  anynet: ServerResults;
  native: ServerResults;
  /**
   * anynet/native of each figure. For a load it is the median over rounds of the ratio of the two
   * runs of a round (they ran back to back, under the same outside load); for memory, of bytes
   * per idle connection; for `smallCpu` and `largeCpu`, of the server's CPU time per round trip
   * (lower is better for both).
   */
  ratio: { small?: number; large?: number; memory?: number; smallCpu?: number; largeCpu?: number };
  /**
   * For each load, the median over rounds of: the C server's figure / the faster of anynet and
   * native in that round. Above 1 means the load client could drive more than the runtime servers
   * asked of it.
   */
  cOverFastest: { small?: number; large?: number };
}

/** The shared state of one benchmark run. */
export interface Bench {
  options: EchoBenchOptions;
  /** The compiled load client. */
  client: string;
  /** Problems found so far (failures, mismatches, crashes): the run exits 1 if there are any. */
  problems: string[];
  /** Runs kept although other programs used more CPU than `--noise-limit` allows in every attempt. */
  disturbed: string[];
  log(message: string): void;
}

/**
 * The machine counts as quiet when other programs' user time stays under `--noise-limit` percent
 * of one core. Above it, a run waits (up to `quietWaitSeconds`) and a disturbed run is repeated
 * (up to `attemptsPerRun` in all).
 */
const quietWaitSeconds = 30;
export const attemptsPerRun = 3;

/** The CPU core servers are pinned to (with --pin). */
export const serverCore = 0;
/** The CPU core the load client is pinned to (with --pin). */
export const clientCore = 1;

/** Records what is wrong with a load or hold result (failures, mismatches, a stall). */
function check(bench: Bench, what: string, result: LoadResult | HoldResult): void {
  const issues: string[] = [];
  if (result.mismatches) issues.push(`${result.mismatches} mismatched echoes`);
  if (result.failures) issues.push(`${result.failures} failed connections`);
  if (result.connectFailures) issues.push(`${result.connectFailures} failed connects`);
  if (result.stalled) issues.push("stalled (no progress for the client's timeout)");
  if (result.mode === "hold" && result.held < result.connections) issues.push(`held ${result.held} of ${result.connections}`);
  if (issues.length) bench.problems.push(`${what}: ${issues.join(", ")}`);
}

/** Server CPU microseconds per round trip of one run; NaN when unknown. */
function cpuPerRoundTrip(run: LoadResult): number {
  return run.serverCpuPercent >= 0 && run.roundTripsPerSecond > 0 ? (run.serverCpuPercent * 1e4) / run.roundTripsPerSecond : NaN;
}

/** The medians of some runs of one load; undefined when there are none. */
export function summarize(scenario: Scenario, runs: Run[]): LoadSummary | undefined {
  if (runs.length === 0) return undefined;
  return {
    runs,
    median: median(runs.map((run) => run[scenario.metric])),
    p50Microseconds: median(runs.map((run) => run.p50Microseconds)),
    p99Microseconds: median(runs.map((run) => run.p99Microseconds)),
    serverCpuMicrosecondsPerRoundTrip: median(runs.map(cpuPerRoundTrip)),
  };
}

/** Starts a server, or returns why it could not start. */
export async function tryStart(bench: Bench, spec: ServerSpec): Promise<RunningServer | string> {
  try {
    return await startServer(spec, bench.options.pin ? serverCore : undefined);
  } catch (error) {
    return (error as Error).message;
  }
}

/** Runs of each load, per server. */
type RunsByServer = Map<RunningServer, Record<Scenario["name"], Run[]>>;

/**
 * Runs every load `rounds` times against each server: within a round the servers run one after
 * the other, and the order flips every round (A B C, C B A, …) so slow drift in the machine's
 * load does not favour one of them.
 */
async function measureLoads(bench: Bench, runtime: Runtime, servers: RunningServer[]): Promise<RunsByServer> {
  const { options } = bench;
  const collected: RunsByServer = new Map(servers.map((server) => [server, { small: [], large: [] }]));
  for (const scenario of scenarios) {
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) {
        const what = `${describe(server.spec)}, ${scenario.size} B × ${scenario.connections}, round ${round + 1}`;
        try {
          const [result, attempts] = await runQuietly(bench, what, server, scenario);
          check(bench, what, result);
          collected.get(server)![scenario.name].push({ ...result, runtime, round, attempts });
          bench.log(`${what}: ${Math.round(result[scenario.metric]).toLocaleString("en-US")} ${scenario.unit}`);
        } catch (error) {
          bench.problems.push(`${what}: ${(error as Error).message}`);
          bench.log(`${what}: ${(error as Error).message}`);
        }
      }
    }
  }
  return collected;
}

/** Waits until other programs leave the machine quiet, or `quietWaitSeconds` have passed. */
async function waitForQuiet(bench: Bench): Promise<void> {
  const quietLimit = bench.options.noiseLimit;
  if (quietLimit >= 200) return;
  const started = Date.now();
  let busy = await userCpuPercent();
  if (busy <= quietLimit) return;
  bench.log(`other programs use ${busy.toFixed(0)}% of a core: waiting up to ${quietWaitSeconds} s for a quiet machine`);
  while (busy > quietLimit && Date.now() - started < quietWaitSeconds * 1000) busy = await userCpuPercent(1000);
  if (busy > quietLimit) bench.log(`still ${busy.toFixed(0)}% busy: measuring anyway`);
}

/**
 * One load run against a server on a quiet machine: if other programs used more than
 * `--noise-limit` percent of a core during the run, it is run again (up to `attemptsPerRun` in all), and the
 * least disturbed attempt is kept.
 */
async function runQuietly(bench: Bench, what: string, server: RunningServer, scenario: Scenario): Promise<[LoadResult, number]> {
  const { options } = bench;
  let best: LoadResult | undefined;
  for (let attempt = 1; attempt <= attemptsPerRun; attempt++) {
    await waitForQuiet(bench);
    const result = await runLoad(bench.client, {
      port: server.port,
      pid: server.pid,
      connections: scenario.connections,
      size: scenario.size,
      duration: options.duration,
      warmup: options.warmup,
      core: options.pin ? clientCore : undefined,
    });
    if (result.otherUserCpuPercent <= options.noiseLimit || options.noiseLimit >= 200) return [result, attempt];
    if (!best || result.otherUserCpuPercent < best.otherUserCpuPercent) best = result;
    bench.log(
      `${what}: disturbed (other programs used ${result.otherUserCpuPercent}% of a core)` +
        (attempt < attemptsPerRun ? ", running it again" : ", keeping the least disturbed attempt"),
    );
  }
  bench.disturbed.push(`${what}: other programs used ${best!.otherUserCpuPercent}% of a core`);
  return [best!, attemptsPerRun];
}

/** Starts a fresh server, holds `options.hold` idle connections to it, and stops it. */
export async function measureHold(bench: Bench, spec: ServerSpec): Promise<HoldResult | undefined> {
  const what = `${describe(spec)}, holding ${bench.options.hold} connections`;
  const server = await tryStart(bench, spec);
  if (typeof server === "string") {
    bench.problems.push(`${what}: ${server}`);
    return undefined;
  }
  try {
    // Let a JIT runtime finish starting up before the first memory reading.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const result = await runHold(bench.client, {
      port: server.port,
      pid: server.pid,
      connections: bench.options.hold,
      settle: bench.options.settle,
      core: bench.options.pin ? clientCore : undefined,
    });
    check(bench, what, result);
    bench.log(`${what}: ${(result.bytesPerConnection / 1024).toFixed(1)} KiB per idle connection (${result.held} held)`);
    return result;
  } catch (error) {
    bench.problems.push(`${what}: ${(error as Error).message}`);
    return undefined;
  } finally {
    await server.stop();
  }
}

/**
 * Flags for anynet's echo server when holding connections: room for all of them (its default
 * connection limit may be lower than the benchmark's count).
 */
function anynetHoldArgs(hold: number): string[] {
  return ["--max-connections", String(hold + 100)];
}

/** The median over rounds of f(runs of that round); NaN if no round has all of them. */
function perRound(runs: (Run[] | undefined)[], f: (round: Run[]) => number): number {
  const rounds = new Set(runs.flatMap((list) => (list ?? []).map((run) => run.round)));
  const values: number[] = [];
  for (const round of rounds) {
    const found = runs.map((list) => list?.find((run) => run.round === round));
    if (found.every((run) => run !== undefined)) values.push(f(found as Run[]));
  }
  return median(values);
}

/**
 * Measures one runtime: its anynet and native servers under each load, interleaved with the
 * already running C server (whose runs are appended to `cRuns`), then memory per idle connection.
 */
export async function measureRuntime(
  bench: Bench,
  runtime: Runtime,
  cServer: RunningServer | undefined,
  cRuns: Record<Scenario["name"], Run[]>,
): Promise<RuntimeResults> {
  const results: RuntimeResults = { anynet: {}, native: {}, ratio: {}, cOverFastest: {} };
  const anynet = await tryStart(bench, anynetServer(runtime));
  const native = await tryStart(bench, nativeServer(runtime));
  if (typeof anynet === "string") {
    results.anynet.error = anynet;
    bench.log(`anynet on ${runtime} not measured: ${anynet}`);
  }
  if (typeof native === "string") {
    results.native.error = native;
    bench.problems.push(native);
  }
  const mine = [anynet, native].filter((server): server is RunningServer => typeof server !== "string");
  let runs: RunsByServer;
  try {
    runs = await measureLoads(bench, runtime, cServer ? [...mine, cServer] : mine);
  } finally {
    await Promise.all(mine.map((server) => server.stop()));
  }
  const runsOf = (server: string | RunningServer | undefined) => typeof server === "object" ? runs.get(server) : undefined;
  for (const scenario of scenarios) {
    const a = runsOf(anynet)?.[scenario.name], n = runsOf(native)?.[scenario.name], c = runsOf(cServer)?.[scenario.name];
    results.anynet[scenario.name] = summarize(scenario, a ?? []);
    results.native[scenario.name] = summarize(scenario, n ?? []);
    cRuns[scenario.name].push(...(c ?? []));
    const metric = scenario.metric;
    results.ratio[scenario.name] = perRound([a, n], ([x, y]) => x[metric] / y[metric]);
    results.ratio[`${scenario.name}Cpu`] = perRound([a, n], ([x, y]) => cpuPerRoundTrip(x) / cpuPerRoundTrip(y));
    // The faster runtime server of the round; if anynet is missing, the native one alone.
    results.cOverFastest[scenario.name] = a
      ? perRound([c, a, n], ([x, y, z]) => x[metric] / Math.max(y[metric], z[metric]))
      : perRound([c, n], ([x, z]) => x[metric] / z[metric]);
  }
  if (bench.options.hold > 0) {
    if (!results.anynet.error) results.anynet.hold = await measureHold(bench, anynetServer(runtime, anynetHoldArgs(bench.options.hold)));
    if (!results.native.error) results.native.hold = await measureHold(bench, nativeServer(runtime));
    const bytes = (server: ServerResults) => server.hold?.bytesPerConnection ?? NaN;
    results.ratio.memory = bytes(results.anynet) / bytes(results.native);
  }
  return results;
}
