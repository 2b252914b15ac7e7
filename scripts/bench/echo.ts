/**
 * The echo benchmark (`npm run bench -- echo`): the anynet echo server against the smallest
 * native echo server of each runtime (Node `net` + pipe, a `Deno.listen` read/write loop,
 * `Bun.listen`), all driven by one C epoll load client, plus a C epoll echo server that shows
 * the client is not the bottleneck.
 *
 * Measures, per runtime and server:
 * - round trips per second, 64-byte messages, 50 connections;
 * - MB/s (echoed payload, 10^6 bytes), 64 KiB messages, 8 connections;
 * - memory per idle connection: the server's RSS growth over 10,000 connections, each answered
 *   to one ping and then held idle, divided by the connections.
 * and prints anynet/native ratios (the target is at least 0.9).
 *
 * anynet and native runs are interleaved (A B, B A, …) and the median is taken, because the
 * two-core machine is shared. By default servers are pinned to core 0 and the client to core 1.
 * C programs are compiled with gcc into a temporary directory at run time.
 *
 * Usage: npm run bench -- echo [--runtime node,deno,bun] [--duration SECONDS] [--warmup SECONDS]
 *          [--rounds N] [--hold CONNECTIONS] [--settle SECONDS] [--quick] [--no-pin] [--json]
 *          [--markdown]
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileCPrograms, type HoldResult, type LoadResult, runHold, runLoad } from "./_echo/client.ts";
import { formatKiB, formatNumber, formatRatio, renderMarkdown, renderText, type Table } from "./_echo/report.ts";
import {
  anynetServer,
  cServer,
  describe,
  nativeServer,
  type Runtime,
  type RunningServer,
  runtimes,
  type ServerKind,
  type ServerSpec,
  startServer,
} from "./_echo/servers.ts";
import { median } from "./_echo/stats.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The ratio anynet/native the issue asks for on every runtime. */
const target = 0.9;

interface Options {
  runtimes: Runtime[];
  duration: number;
  warmup: number;
  rounds: number;
  hold: number;
  settle: number;
  pin: boolean;
  json: boolean;
  markdown: boolean;
}

const usageText = `Usage: npm run bench -- echo [options]
  --runtime LIST     runtimes to measure, comma-separated (default node,deno,bun)
  --duration SECONDS measured seconds per run (default 5)
  --warmup SECONDS   unmeasured seconds before each run (default 1)
  --rounds N         runs per server and load, interleaved anynet/native; medians (default 3)
  --hold N           idle connections for the memory figure, 0 to skip (default 10000)
  --settle SECONDS   idle time before the second memory reading (default 2)
  --quick            a short smoke run: --duration 1 --warmup 0.3 --rounds 1 --hold 1000 --settle 0.5
  --no-pin           do not pin servers to core 0 and the client to core 1
  --json             print the results as JSON instead of tables
  --markdown         print the tables as Markdown (for docs/benchmarks.md)`;

function usage(message: string): never {
  console.error(`bench echo: ${message}\n${usageText}`);
  Deno.exit(2);
}

function parseOptions(args: string[]): Options {
  const options: Options = {
    runtimes: [],
    duration: 5,
    warmup: 1,
    rounds: 3,
    hold: 10000,
    settle: 2,
    pin: true,
    json: false,
    markdown: false,
  };
  const given = new Set<string>();
  const number = (flag: string, text: string | undefined, min: number, max: number, integer: boolean) => {
    const value = Number(text);
    if (text === undefined || text.trim() === "" || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      usage(`${flag} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}: got ${text ?? "nothing"}`);
    }
    given.add(flag);
    return value;
  };
  let quick = false;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    switch (flag) {
      case "--runtime":
      case "-r": {
        const list = args[++i];
        if (list === undefined) usage(`${flag} needs a value`);
        for (const name of list.split(",")) {
          if (!runtimes.includes(name as Runtime)) usage(`unknown runtime '${name}' (expected node, deno or bun)`);
          if (!options.runtimes.includes(name as Runtime)) options.runtimes.push(name as Runtime);
        }
        break;
      }
      case "--duration":
        options.duration = number(flag, args[++i], 0.1, 600, false);
        break;
      case "--warmup":
        options.warmup = number(flag, args[++i], 0, 600, false);
        break;
      case "--rounds":
        options.rounds = number(flag, args[++i], 1, 100, true);
        break;
      case "--hold":
        options.hold = number(flag, args[++i], 0, 50000, true);
        break;
      case "--settle":
        options.settle = number(flag, args[++i], 0, 600, false);
        break;
      case "--quick":
        quick = true;
        break;
      case "--no-pin":
        options.pin = false;
        break;
      case "--json":
        options.json = true;
        break;
      case "--markdown":
        options.markdown = true;
        break;
      case "--help":
      case "-h":
        console.log(usageText);
        Deno.exit(0);
        break;
      default:
        usage(`unknown argument '${flag}'`);
    }
  }
  if (quick) {
    // --quick sets short defaults; flags given explicitly still win.
    if (!given.has("--duration")) options.duration = 1;
    if (!given.has("--warmup")) options.warmup = 0.3;
    if (!given.has("--rounds")) options.rounds = 1;
    if (!given.has("--hold")) options.hold = 1000;
    if (!given.has("--settle")) options.settle = 0.5;
  }
  if (options.json && options.markdown) usage("--json and --markdown cannot be combined");
  if (options.runtimes.length === 0) options.runtimes = [...runtimes];
  return options;
}

/** One load of the benchmark. */
interface Scenario {
  name: "small" | "large";
  connections: number;
  size: number;
  /** The figure reported for it. */
  metric: "roundTripsPerSecond" | "megabytesPerSecond";
  unit: string;
}

const scenarios: Scenario[] = [
  { name: "small", connections: 50, size: 64, metric: "roundTripsPerSecond", unit: "round trips/s" },
  { name: "large", connections: 8, size: 64 * 1024, metric: "megabytesPerSecond", unit: "MB/s" },
];

/** Runs of one server under one load, and their medians. */
interface LoadSummary {
  runs: LoadResult[];
  /** Median of the scenario's metric. */
  median: number;
  p50Microseconds: number;
  p99Microseconds: number;
}

/** Everything measured for one server. */
interface ServerResults {
  /** Why it could not be measured, if it could not. */
  error?: string;
  small?: LoadSummary;
  large?: LoadSummary;
  hold?: HoldResult;
}

interface RuntimeResults {
  anynet: ServerResults;
  native: ServerResults;
  /** anynet/native of each figure (for memory: bytes per connection, lower is better). */
  ratio: { small?: number; large?: number; memory?: number };
}

const serverCore = 0;
const clientCore = 1;

function log(message: string): void {
  console.error(`bench echo: ${message}`);
}

const problems: string[] = [];

/** Records what is wrong with a load or hold result (failures, mismatches, a stall). */
function check(what: string, result: LoadResult | HoldResult): void {
  const issues: string[] = [];
  if (result.mismatches) issues.push(`${result.mismatches} mismatched echoes`);
  if (result.failures) issues.push(`${result.failures} failed connections`);
  if (result.connectFailures) issues.push(`${result.connectFailures} failed connects`);
  if (result.stalled) issues.push("stalled (no progress for the client's timeout)");
  if (result.mode === "hold" && result.held < result.connections) issues.push(`held ${result.held} of ${result.connections}`);
  if (issues.length) problems.push(`${what}: ${issues.join(", ")}`);
}

function summarize(scenario: Scenario, runs: LoadResult[]): LoadSummary | undefined {
  if (runs.length === 0) return undefined;
  return {
    runs,
    median: median(runs.map((run) => run[scenario.metric])),
    p50Microseconds: median(runs.map((run) => run.p50Microseconds)),
    p99Microseconds: median(runs.map((run) => run.p99Microseconds)),
  };
}

async function tryStart(spec: ServerSpec, options: Options): Promise<RunningServer | string> {
  try {
    return await startServer(spec, options.pin ? serverCore : undefined);
  } catch (error) {
    return (error as Error).message;
  }
}

/** Runs every load `rounds` times against each server, interleaving servers and flipping their order each round. */
async function measureLoads(
  servers: RunningServer[],
  options: Options,
  client: string,
): Promise<Map<RunningServer, Partial<Record<Scenario["name"], LoadSummary>>>> {
  const collected = new Map(servers.map((server) => [server, { small: [] as LoadResult[], large: [] as LoadResult[] }]));
  for (const scenario of scenarios) {
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) {
        const what = `${describe(server.spec)}, ${scenario.size} B × ${scenario.connections}, round ${round + 1}`;
        try {
          const result = await runLoad(client, {
            port: server.port,
            connections: scenario.connections,
            size: scenario.size,
            duration: options.duration,
            warmup: options.warmup,
            core: options.pin ? clientCore : undefined,
          });
          check(what, result);
          collected.get(server)![scenario.name].push(result);
          log(`${what}: ${formatNumber(result[scenario.metric], scenario.name === "large" ? 1 : 0)} ${scenario.unit}`);
        } catch (error) {
          problems.push(`${what}: ${(error as Error).message}`);
          log(`${what}: ${(error as Error).message}`);
        }
      }
    }
  }
  const summaries = new Map<RunningServer, Partial<Record<Scenario["name"], LoadSummary>>>();
  for (const [server, runs] of collected) {
    summaries.set(server, {
      small: summarize(scenarios[0], runs.small),
      large: summarize(scenarios[1], runs.large),
    });
  }
  return summaries;
}

/** Starts a fresh server, holds `options.hold` idle connections to it, and stops it. */
async function measureHold(spec: ServerSpec, options: Options, client: string): Promise<HoldResult | string> {
  const server = await tryStart(spec, options);
  if (typeof server === "string") return server;
  try {
    // Give a JIT runtime a moment to finish starting before the first memory reading.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const result = await runHold(client, {
      port: server.port,
      pid: server.pid,
      connections: options.hold,
      settle: options.settle,
      core: options.pin ? clientCore : undefined,
    });
    check(`${describe(spec)}, holding ${options.hold} connections`, result);
    log(`${describe(spec)}: ${formatKiB(result.bytesPerConnection)} per idle connection (${result.held} held)`);
    return result;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await server.stop();
  }
}

/** anynet's echo server needs room for the held connections and must not close them while idle. */
function anynetHoldArgs(hold: number): string[] {
  return ["--max-connections", String(hold + 100)];
}

async function measureRuntime(runtime: Runtime, options: Options, client: string): Promise<RuntimeResults> {
  const results: RuntimeResults = { anynet: {}, native: {}, ratio: {} };
  const anynet = await tryStart(anynetServer(runtime), options);
  const native = await tryStart(nativeServer(runtime), options);
  if (typeof anynet === "string") {
    results.anynet.error = anynet;
    log(`anynet on ${runtime} not measured: ${anynet}`);
  }
  if (typeof native === "string") {
    results.native.error = native;
    problems.push(native);
  }
  const running = [anynet, native].filter((server): server is RunningServer => typeof server !== "string");
  try {
    const summaries = await measureLoads(running, options, client);
    for (const server of running) {
      const target = server.spec.kind === "anynet" ? results.anynet : results.native;
      Object.assign(target, summaries.get(server));
    }
  } finally {
    await Promise.all(running.map((server) => server.stop()));
  }
  if (options.hold > 0) {
    const kinds: [ServerKind, ServerSpec][] = [
      ["anynet", anynetServer(runtime, anynetHoldArgs(options.hold))],
      ["native", nativeServer(runtime)],
    ];
    for (const [kind, spec] of kinds) {
      const target = kind === "anynet" ? results.anynet : results.native;
      if (target.error) continue;
      const hold = await measureHold(spec, options, client);
      if (typeof hold === "string") problems.push(`${describe(spec)}, holding ${options.hold} connections: ${hold}`);
      else target.hold = hold;
    }
  }
  results.ratio = {
    small: (results.anynet.small?.median ?? NaN) / (results.native.small?.median ?? NaN),
    large: (results.anynet.large?.median ?? NaN) / (results.native.large?.median ?? NaN),
    memory: (results.anynet.hold?.bytesPerConnection ?? NaN) / (results.native.hold?.bytesPerConnection ?? NaN),
  };
  return results;
}

function firstLine(command: string, args: string[]): string {
  try {
    const output = new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).outputSync();
    return new TextDecoder().decode(output.stdout).split("\n")[0].trim();
  } catch {
    return "not found";
  }
}

function machine() {
  const cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
  return {
    cores: navigator.hardwareConcurrency,
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? "unknown",
    kernel: Deno.osRelease(),
    versions: {
      node: firstLine("node", ["--version"]),
      deno: firstLine(join(root, "node_modules/.bin/deno"), ["--version"]),
      bun: firstLine(join(root, "node_modules/.bin/bun"), ["--version"]),
      gcc: firstLine("gcc", ["--version"]),
    },
  };
}

/** Warns when dist/ (what `node dist/cli.js` runs) is older than the sources. */
function warnIfDistStale(): void {
  const cli = join(root, "dist", "cli.js");
  if (!existsSync(cli)) {
    log("dist/cli.js is missing: run `npm run build` to measure anynet on Node");
    return;
  }
  const built = statSync(cli).mtimeMs;
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const path = join(dir, entry.name);
      return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  if (newest(join(root, "src")) > built) log("warning: src/ is newer than dist/: run `npm run build` so Node runs the current code");
}

function tables(
  options: Options,
  results: Partial<Record<Runtime, RuntimeResults>>,
  c: ServerResults,
  clientCheck: ReturnType<typeof checkClient>,
): Table[] {
  const chosen = options.runtimes;
  const loadTable = (scenario: Scenario): Table => {
    const decimals = scenario.name === "large" ? 0 : 0;
    const rows = chosen.map((runtime) => {
      const r = results[runtime]!;
      const a = r.anynet[scenario.name], n = r.native[scenario.name];
      const latency = (s: LoadSummary | undefined) => s ? `${formatNumber(s.p50Microseconds)} / ${formatNumber(s.p99Microseconds)}` : "n/a";
      return [
        runtime,
        formatNumber(a?.median, decimals),
        formatNumber(n?.median, decimals),
        formatRatio(r.ratio[scenario.name]),
        latency(a),
        latency(n),
      ];
    });
    const cs = c[scenario.name];
    rows.push([
      "C epoll",
      "",
      formatNumber(cs?.median, decimals),
      "",
      "",
      cs ? `${formatNumber(cs.p50Microseconds)} / ${formatNumber(cs.p99Microseconds)}` : "n/a",
    ]);
    const label = scenario.name === "small" ? "Round trips per second" : "MB/s (echoed payload, 10^6 bytes)";
    return {
      title: `${label}: ${formatNumber(scenario.size)}-byte messages, ${scenario.connections} connections`,
      headers: ["runtime", "anynet", "native", "anynet/native", "anynet p50/p99 µs", "native p50/p99 µs"],
      rows,
    };
  };
  const out = scenarios.map(loadTable);
  if (options.hold > 0) {
    const rows = chosen.map((runtime) => {
      const r = results[runtime]!;
      return [runtime, formatKiB(r.anynet.hold?.bytesPerConnection), formatKiB(r.native.hold?.bytesPerConnection), formatRatio(r.ratio.memory)];
    });
    rows.push(["C epoll", "", formatKiB(c.hold?.bytesPerConnection), ""]);
    out.push({
      title: `Memory per idle connection: server RSS growth over ${formatNumber(options.hold)} connections, each answered to one ping, / ${formatNumber(options.hold)}`,
      headers: ["runtime", "anynet", "native", "anynet/native"],
      rows,
    });
  }
  out[out.length - 1].notes = clientCheck.lines;
  return out;
}

/** Compares the C server's figures with the fastest runtime server's: the client is fast enough if C is faster. */
function checkClient(results: Partial<Record<Runtime, RuntimeResults>>, c: ServerResults) {
  const lines: string[] = [];
  const figures: Record<string, { cServer: number; fastest: number; fastestServer: string; factor: number }> = {};
  let ok = true;
  for (const scenario of scenarios) {
    let fastest = 0, fastestServer = "none";
    for (const [runtime, r] of Object.entries(results)) {
      for (const kind of ["anynet", "native"] as const) {
        const value = r![kind][scenario.name]?.median ?? 0;
        if (value > fastest) {
          fastest = value;
          fastestServer = `${kind} on ${runtime}`;
        }
      }
    }
    const cValue = c[scenario.name]?.median ?? NaN;
    const factor = cValue / fastest;
    figures[scenario.name] = { cServer: cValue, fastest, fastestServer, factor };
    if (!(factor > 1)) ok = false;
    lines.push(
      `Load client check, ${scenario.size} B × ${scenario.connections}: the C epoll server reaches ${formatNumber(cValue)} ${scenario.unit}, ` +
        `${formatRatio(factor)}× the fastest runtime server (${fastestServer}, ${formatNumber(fastest)}).`,
    );
  }
  lines.push(ok ? "The load client drives the C server faster than any runtime server: it is not the bottleneck." : "WARNING: a runtime server matched or beat the C server; the load client may be the bottleneck.");
  return { ok, figures, lines };
}

const options = parseOptions(Deno.args);
const started = new Date();
if (options.runtimes.includes("node")) warnIfDistStale();
log("compiling the C echo server and load client (gcc -O2)");
let programs;
try {
  programs = await compileCPrograms();
} catch (error) {
  console.error(`bench echo: ${(error as Error).message}`);
  Deno.exit(1);
}

const results: Partial<Record<Runtime, RuntimeResults>> = {};
const c: ServerResults = {};
try {
  log(`${options.rounds} round(s) of ${options.duration} s (+${options.warmup} s warmup) per server and load` +
    (options.pin ? `; servers pinned to core ${serverCore}, the load client to core ${clientCore}` : ""));
  const cSpec = cServer(programs.server);
  const cRunning = await tryStart(cSpec, options);
  if (typeof cRunning === "string") {
    c.error = cRunning;
    problems.push(cRunning);
  } else {
    try {
      Object.assign(c, (await measureLoads([cRunning], options, programs.client)).get(cRunning));
    } finally {
      await cRunning.stop();
    }
  }
  for (const runtime of options.runtimes) {
    log(`measuring ${runtime}`);
    results[runtime] = await measureRuntime(runtime, options, programs.client);
  }
  if (options.hold > 0 && !c.error) {
    const hold = await measureHold(cSpec, options, programs.client);
    if (typeof hold === "string") problems.push(`C epoll server, holding ${options.hold} connections: ${hold}`);
    else c.hold = hold;
  }
} finally {
  await Deno.remove(programs.dir, { recursive: true });
}

const clientCheck = checkClient(results, c);
const command = `npm run bench -- echo ${Deno.args.join(" ")}`.trim();
if (options.json) {
  console.log(JSON.stringify(
    {
      command,
      date: started.toISOString(),
      machine: machine(),
      settings: {
        duration: options.duration,
        warmup: options.warmup,
        rounds: options.rounds,
        hold: options.hold,
        settle: options.settle,
        pinned: options.pin ? { servers: serverCore, client: clientCore } : false,
      },
      target,
      scenarios,
      c,
      runtimes: results,
      clientCheck: { ok: clientCheck.ok, ...clientCheck.figures },
      problems,
    },
    null,
    2,
  ));
} else {
  const m = machine();
  const header = [
    `Echo benchmark, ${started.toISOString().slice(0, 16).replace("T", " ")} UTC: \`${command}\``,
    `Machine: ${m.cores} cores (${m.cpu}), Linux ${m.kernel}; node ${m.versions.node}, deno ${m.versions.deno.split(" ")[1] ?? m.versions.deno}, bun ${m.versions.bun}.`,
    `Each figure is the median of ${options.rounds} run(s) of ${options.duration} s after ${options.warmup} s of warmup; anynet and native runs interleaved` +
      (options.pin ? `; servers pinned to core ${serverCore} and the load client to core ${clientCore} (taskset).` : "."),
    `Target: anynet/native ≥ ${target} on every runtime.`,
  ];
  const body = tables(options, results, c, clientCheck);
  for (const runtime of options.runtimes) {
    const error = results[runtime]?.anynet.error;
    if (error) body[body.length - 1].notes!.push(`anynet on ${runtime} was not measured: ${error}`);
  }
  console.log(header.join("\n") + "\n");
  console.log(options.markdown ? renderMarkdown(body) : renderText(body));
}
if (problems.length) {
  console.error(`bench echo: ${problems.length} problem(s):`);
  for (const problem of problems) console.error(`  - ${problem}`);
  Deno.exit(1);
}
