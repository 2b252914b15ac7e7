/**
 * The echo benchmark (`npm run bench -- echo`): the anynet echo server against the smallest
 * native echo server of each runtime (Node `net` + pipe, a `Deno.listen` read/write loop,
 * `Bun.listen`), all driven by one C epoll load client, with a C epoll echo server in the same
 * rotation to show that the client is not the bottleneck.
 *
 * Measures, per runtime and server:
 * - round trips per second, 64-byte messages, 50 connections;
 * - MB/s (echoed payload, 10^6 bytes a second), 64 KiB messages, 8 connections;
 * - memory per idle connection: the growth of the server's RSS over 10,000 connections, each
 *   answered to one ping and then held idle, divided by the connections;
 * and the ratio anynet/native (the target is at least 0.9 on every runtime).
 *
 * Runs are interleaved (anynet, native, C; then C, native, anynet; …) and medians taken, because
 * the two-core machine is shared and noisy; anynet/native is the median of the ratios within each
 * round. By default servers are pinned to core 0 and the client to core 1. The C programs are
 * compiled with gcc into a temporary directory at run time.
 *
 * Usage: npm run bench -- echo [--runtime node,deno,bun] [--duration SECONDS] [--warmup SECONDS]
 *          [--rounds N] [--hold CONNECTIONS] [--settle SECONDS] [--quick] [--no-pin]
 *          [--noise-limit PERCENT] [--json | --markdown] [--render REPORT.json]
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { readCommandLine } from "../_args.ts";
import { root } from "../_run.ts";
import { compileCPrograms, killClients } from "./_echo/client.ts";
import {
  attemptsPerRun,
  type Bench,
  clientCore,
  type LoadSummary,
  measureHold,
  measureRuntime,
  type Run,
  type RuntimeResults,
  type Scenario,
  scenarios,
  serverCore,
  type ServerResults,
  summarize,
  tryStart,
} from "./_echo/measure.ts";
import { type EchoBenchOptions, parseOptions, usageText } from "./_echo/options.ts";
import { formatKiB, formatNumber, formatRatio, renderMarkdown, renderText, type Table } from "./_echo/report.ts";
import { cServer, type Runtime, stopAllServers } from "./_echo/servers.ts";
import { benchNode } from "./_node.ts";

/** The ratio anynet/native the issue asks for on every runtime. */
const target = 0.9;

function log(message: string): void {
  console.error(`bench echo: ${message}`);
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
      node: benchNode.version,
      deno: firstLine(join(root, "node_modules/.bin/deno"), ["--version"]).split(" ")[1] ?? "unknown",
      bun: firstLine(join(root, "node_modules/.bin/bun"), ["--version"]),
      gcc: firstLine("gcc", ["--version"]),
    },
  };
}

/** Warns when dist/ (what `node dist/cli.js` runs) is missing or older than the sources. */
function warnIfDistStale(): void {
  const cli = join(root, "dist", "cli.js");
  if (!existsSync(cli)) {
    log("dist/cli.js is missing: run `npm run build` to measure anynet on Node");
    return;
  }
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const path = join(dir, entry.name);
      return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  if (newest(join(root, "src")) > statSync(cli).mtimeMs) {
    log("warning: src/ is newer than dist/: run `npm run build` so that Node runs the current code");
  }
}

/** Whether the load client outran every runtime server: per runtime and load, C / fastest > 1. */
function checkClient(results: Partial<Record<Runtime, RuntimeResults>>) {
  const lines: string[] = [];
  const worst: Partial<Record<Scenario["name"], { factor: number; runtime: Runtime }>> = {};
  for (const scenario of scenarios) {
    for (const [runtime, r] of Object.entries(results) as [Runtime, RuntimeResults][]) {
      const factor = r.cOverFastest[scenario.name] ?? NaN;
      if (!worst[scenario.name] || !(factor >= worst[scenario.name]!.factor)) {
        worst[scenario.name] = { factor, runtime };
      }
    }
    const w = worst[scenario.name];
    if (w) {
      lines.push(
        `Load client check, ${
          formatNumber(scenario.size)
        } B × ${scenario.connections}: within the same rounds, the C epoll server ` +
          `ran ${formatRatio(w.factor)}× the faster runtime server at least (lowest on ${w.runtime}).`,
      );
    }
  }
  const ok = scenarios.every((scenario) => (worst[scenario.name]?.factor ?? 0) > 1);
  lines.push(
    ok
      ? "The load client drives the C server faster than any runtime server: it is not what limits them."
      : "WARNING: a runtime server matched or beat the C server: the load client may be the bottleneck.",
  );
  return { ok, worst, lines };
}

function tables(
  runtimes: Runtime[],
  hold: number,
  results: Partial<Record<Runtime, RuntimeResults>>,
  c: ServerResults,
): Table[] {
  const latency = (s: LoadSummary | undefined) =>
    s ? `${formatNumber(s.p50Microseconds)} / ${formatNumber(s.p99Microseconds)}` : "n/a";
  const out: Table[] = scenarios.map((scenario) => {
    const rows = runtimes.map((runtime) => {
      const r = results[runtime]!;
      const a = r.anynet[scenario.name], n = r.native[scenario.name];
      return [
        runtime,
        formatNumber(a?.median),
        formatNumber(n?.median),
        formatRatio(r.ratio[scenario.name]),
        latency(a),
        latency(n),
      ];
    });
    rows.push(["C epoll", "", formatNumber(c[scenario.name]?.median), "", "", latency(c[scenario.name])]);
    const label = scenario.name === "small" ? "Round trips per second" : "MB/s (echoed payload, 10^6 bytes/s)";
    return {
      title: `${label}: ${formatNumber(scenario.size)}-byte messages, ${scenario.connections} connections`,
      headers: ["runtime", "anynet", "native", "anynet/native", "anynet p50 / p99 µs", "native p50 / p99 µs"],
      rows,
    };
  });
  const cpu = (s: LoadSummary | undefined) => formatNumber(s?.serverCpuMicrosecondsPerRoundTrip, 1);
  const cpuRows = runtimes.map((runtime) => {
    const r = results[runtime]!;
    return [
      runtime,
      cpu(r.anynet.small),
      cpu(r.native.small),
      formatRatio(r.ratio.smallCpu),
      cpu(r.anynet.large),
      cpu(r.native.large),
      formatRatio(r.ratio.largeCpu),
    ];
  });
  cpuRows.push(["C epoll", "", cpu(c.small), "", "", cpu(c.large), ""]);
  out.push({
    title:
      "Server CPU time per round trip, µs (user + system; lower is better, and less disturbed by other programs than throughput)",
    headers: [
      "runtime",
      "64 B anynet",
      "64 B native",
      "anynet/native",
      "64 KiB anynet",
      "64 KiB native",
      "anynet/native",
    ],
    rows: cpuRows,
  });
  if (hold > 0) {
    const rows = runtimes.map((runtime) => {
      const r = results[runtime]!;
      return [
        runtime,
        formatKiB(r.anynet.hold?.bytesPerConnection),
        formatKiB(r.native.hold?.bytesPerConnection),
        formatRatio(r.ratio.memory),
      ];
    });
    rows.push(["C epoll", "", formatKiB(c.hold?.bytesPerConnection), ""]);
    out.push({
      title: `Memory per idle connection: growth of the server's RSS over ${
        formatNumber(hold)
      } connections, each answered to one ping, / ${formatNumber(hold)}`,
      headers: ["runtime", "anynet", "native", "anynet/native"],
      rows,
    });
  }
  return out;
}

/** Everything one run measured: what `--json` prints and `--render` reads. */
interface EchoBenchReport {
  command: string;
  date: string;
  machine: ReturnType<typeof machine>;
  settings: EchoBenchOptions & { pinned: false | { servers: number; client: number } };
  target: number;
  scenarios: readonly Scenario[];
  c: ServerResults;
  runtimes: Partial<Record<Runtime, RuntimeResults>>;
  clientCheck: { ok: boolean; lowestCOverFastest: ReturnType<typeof checkClient>["worst"] };
  problems: string[];
  disturbed: string[];
}

/** Prints a report as aligned text or Markdown. */
function printReport(report: EchoBenchReport, markdown: boolean): void {
  const { settings, machine: m } = report;
  const header = [
    `Echo benchmark, ${report.date.slice(0, 16).replace("T", " ")} UTC: \`${report.command}\``,
    `Machine: ${m.cores} cores (${m.cpu}), Linux ${m.kernel}; node ${m.versions.node}, deno ${m.versions.deno}, bun ${m.versions.bun}.`,
    `Each figure is the median of ${settings.rounds} run(s) of ${settings.duration} s after ${settings.warmup} s of warmup. ` +
    `Runs are interleaved (anynet, native, C; then C, native, anynet; …); anynet/native is the median of the ratios within each round.` +
    (settings.pinned
      ? ` Servers pinned to core ${settings.pinned.servers}, the load client to core ${settings.pinned.client} (taskset).`
      : ""),
    settings.noiseLimit < 200
      ? `A run during which other programs used over ${settings.noiseLimit}% of a core is repeated (up to ${attemptsPerRun} attempts).`
      : "Runs are not repeated when other programs are busy (--noise-limit 200).",
    `Target: anynet/native ≥ ${report.target} on every runtime.`,
  ];
  const body = tables(settings.runtimes, settings.hold, report.runtimes, report.c);
  const notes = [...checkClient(report.runtimes).lines];
  if (report.disturbed.length) {
    notes.push(
      `${report.disturbed.length} run(s) were disturbed by other programs in all ${attemptsPerRun} attempts ` +
        `(over ${settings.noiseLimit}% of a core): ${report.disturbed.join("; ")}`,
    );
  }
  for (const runtime of settings.runtimes) {
    const error = report.runtimes[runtime]?.anynet.error;
    if (error) notes.push(`anynet on ${runtime} was not measured: ${error}`);
  }
  if (report.problems.length) notes.push(`Problems: ${report.problems.join("; ")}`);
  body[body.length - 1].notes = notes;
  const render = markdown ? renderMarkdown : renderText;
  console.log(`${header.join(markdown ? "\n\n" : "\n")}\n\n${render(body)}`);
}

const parsed = readCommandLine("bench echo", usageText, () => parseOptions(Deno.args));
if (parsed === "help") {
  console.log(usageText);
  Deno.exit(0);
}
const options = parsed;
if (options.render) {
  let report: EchoBenchReport;
  try {
    // `npm run` prints its own banner on stdout before the report unless run with --silent.
    const text = Deno.readTextFileSync(options.render);
    report = JSON.parse(text.slice(Math.max(0, text.search(/^\{/m))));
  } catch (error) {
    log(`cannot read the report ${options.render}: ${(error as Error).message}`);
    Deno.exit(1);
  }
  printReport(report, options.markdown);
  Deno.exit(0);
}
const started = new Date();
if (options.runtimes.includes("node")) warnIfDistStale();
log("compiling the C echo server and load client (gcc -O2)");
let programs;
try {
  programs = await compileCPrograms();
} catch (error) {
  log((error as Error).message);
  Deno.exit(1);
}

const bench: Bench = { options, client: programs.client, problems: [], disturbed: [], log };
const tempDir = programs.dir;
// Ctrl-C or a kill must not leave servers running or the compiled programs behind.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    log(`${signal}: stopping the servers`);
    killClients();
    await stopAllServers();
    await Deno.remove(tempDir, { recursive: true }).catch(() => {});
    Deno.exit(130);
  });
}
const results: Partial<Record<Runtime, RuntimeResults>> = {};
const c: ServerResults = {};
try {
  log(
    `${options.rounds} round(s) of ${options.duration} s (+${options.warmup} s warmup) per server and load` +
      (options.pin ? `; servers pinned to core ${serverCore}, the load client to core ${clientCore}` : ""),
  );
  const cSpec = cServer(programs.server);
  const cRunning = await tryStart(bench, cSpec);
  if (typeof cRunning === "string") {
    c.error = cRunning;
    bench.problems.push(cRunning);
  }
  const cRuns: Record<Scenario["name"], Run[]> = { small: [], large: [] };
  try {
    for (const runtime of options.runtimes) {
      log(`measuring ${runtime}`);
      results[runtime] = await measureRuntime(
        bench,
        runtime,
        typeof cRunning === "string" ? undefined : cRunning,
        cRuns,
      );
    }
  } finally {
    if (typeof cRunning !== "string") await cRunning.stop();
  }
  c.small = summarize(scenarios[0], cRuns.small);
  c.large = summarize(scenarios[1], cRuns.large);
  if (options.hold > 0 && !c.error) c.hold = await measureHold(bench, cSpec);
} finally {
  await Deno.remove(programs.dir, { recursive: true });
}

const clientCheck = checkClient(results);
const report: EchoBenchReport = {
  command: ["npm run bench -- echo", ...Deno.args].join(" "),
  date: started.toISOString(),
  machine: machine(),
  settings: { ...options, pinned: options.pin ? { servers: serverCore, client: clientCore } : false },
  target,
  scenarios,
  c,
  runtimes: results,
  clientCheck: { ok: clientCheck.ok, lowestCOverFastest: clientCheck.worst },
  problems: bench.problems,
  disturbed: bench.disturbed,
};
if (options.json) console.log(JSON.stringify(report, null, 2));
else printReport(report, options.markdown);
if (bench.problems.length) {
  log(`${bench.problems.length} problem(s):`);
  for (const problem of bench.problems) console.error(`  - ${problem}`);
  Deno.exit(1);
}
