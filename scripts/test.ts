/**
 * Runs the whole test suite on every supported runtime ("leg"): Node 22, 24 and 26 (from
 * scripts/node-matrix), Deno and Bun (the `deno` and `bun` dev dependencies). The same uvu
 * test files under test/ run on each, one process per file and leg.
 *
 * - Node runs the tests compiled to build/test/ (tsconfig.test.json); they import
 *   "anynet/…", which resolves to the built npm package in dist/.
 * - Deno (`deno run -A`) runs the .ts test files against the .ts sources (the JSR
 *   package), through deno.json's imports.
 * - Bun runs the .ts test files; "anynet/…" resolves to dist/, the npm package Bun users
 *   install.
 *
 * Each leg prints its own summary line with its exact version; the last line is the plain
 * `N passed, N failed, N skipped` over all legs. Exits 1 if anything failed.
 *
 * Usage: deno run -A scripts/test.ts [--runtime node22,node24,node26,deno,bun] [--jobs N]
 *          [--timeout SECONDS] [--no-build] [--verbose] [FILTER ...]
 * (through npm: `npm test -- --runtime node24,deno cli`; `node` stands for every Node leg)
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { exitWithUsage, parseFlags, readCommandLine, UsageError } from "./_args.ts";
import { bin, fromRoot, root } from "./_run.ts";
import { findLeg, type Leg, LEG_NAMES, LegUnavailable, newestInstalledNode, NODE_LEG_NAMES } from "./_legs.ts";

interface Options {
  legs: string[];
  jobs: number;
  timeoutSeconds: number;
  build: boolean;
  verbose: boolean;
  filters: string[];
}

const USAGE =
  "Usage: npm test -- [--runtime LEG,…] [--jobs N] [--timeout SECONDS] [--no-build] [--verbose] [FILTER ...]\n" +
  `  legs: ${LEG_NAMES.join(", ")}; 'node' stands for every Node leg`;

const FLAGS = {
  runtime: { type: "string", short: "r", multiple: true },
  jobs: { type: "string", short: "j" },
  timeout: { type: "string" },
  "no-build": { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
} as const;

/**
 * Two test files per core: a file spends part of its time waiting on timers, on the
 * processes it starts and on the shared browser (a whole run kept 1.5 of 2 cores busy at
 * two files at a time, and 1.6–1.8 at three), and the others fill that. At most 8, so
 * that a big machine does not run dozens of servers at once.
 */
function defaultJobs(): number {
  return Math.min(8, availableParallelism() * 2);
}

function parseOptions(args: string[]): Options {
  const { flags, positionals } = parseFlags(args, FLAGS, { positionals: true });
  const legs: string[] = [];
  for (const name of (flags.runtime ?? []).flatMap((list) => list.split(",")).map((s) => s.trim()).filter(Boolean)) {
    const names = name === "node" ? NODE_LEG_NAMES : [name];
    for (const leg of names) {
      if (!LEG_NAMES.includes(leg)) {
        throw new UsageError(`unknown runtime '${name}' (expected node, ${LEG_NAMES.join(", ")})`);
      }
      if (!legs.includes(leg)) legs.push(leg);
    }
  }
  const jobs = flags.jobs === undefined ? defaultJobs() : Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a positive integer`);
  const timeoutSeconds = flags.timeout === undefined ? 300 : Number(flags.timeout);
  if (!(timeoutSeconds > 0)) throw new UsageError(`--timeout must be a positive number of seconds`);
  if (legs.length === 0) legs.push(...LEG_NAMES);
  // In the order of LEG_NAMES, whatever order they were asked for in.
  legs.sort((a, b) => LEG_NAMES.indexOf(a) - LEG_NAMES.indexOf(b));
  return {
    legs,
    jobs,
    timeoutSeconds,
    build: !flags["no-build"],
    verbose: flags.verbose ?? false,
    filters: positionals,
  };
}

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (entry.name.endsWith(".test.ts")) found.push(relative(root, path));
  }
  return found.sort();
}

function commandFor(leg: Leg, file: string): [string, string[]] {
  switch (leg.runtime) {
    case "node":
      return [leg.command, [fromRoot("build", file.replace(/\.ts$/, ".js"))]];
    case "deno":
      return [leg.command, ["run", "-A", "--no-lock", fromRoot(file)]];
    case "bun":
      return [leg.command, [fromRoot(file)]];
  }
}

interface FileResult {
  leg: Leg;
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  output: string;
  problem?: string;
}

// uvu prints "Total: N / Passed: N / Skipped: N" when a file's tests have run.
function summarize(output: string, exitCode: number | null, timedOut: boolean) {
  // deno-lint-ignore no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const number = (label: string) => {
    const all = [...plain.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, "gm"))];
    return all.length ? all.reduce((sum, m) => sum + Number(m[1]), 0) : undefined;
  };
  const total = number("Total");
  const passed = number("Passed") ?? 0;
  const skipped = number("Skipped") ?? 0;
  let failed = total === undefined ? 0 : total - passed;
  let problem: string | undefined;
  // The Node releases warn about different things (Node 24 started warning about a
  // negative timer delay): a warning from a test process is a failure, not noise.
  const warning = /^\(node:\d+\) (\w*Warning: .*)$/m.exec(plain)?.[1];
  if (timedOut) problem = "timed out (a test hangs or leaves a handle open)";
  else if (total === undefined) problem = `ended before reporting (exit code ${exitCode})`;
  else if (exitCode !== 0 && failed === 0) problem = `exit code ${exitCode} although every test passed`;
  else if (warning) problem = `the runtime printed a warning: ${warning}`;
  if (problem) failed += 1;
  return { passed, failed, skipped, problem, plain };
}

/**
 * The environment of a test process. Tests that start a Node process of their own (the
 * CLI on Node, a consumer of the package) find it in ANYNET_TEST_NODE: on a Node leg the
 * leg's own node, which also comes first on PATH; elsewhere the newest Node leg's.
 */
function environmentFor(leg: Leg, otherNode: string | undefined, fixtures: string): Record<string, string> {
  const env: Record<string, string> = {
    ...process.env as Record<string, string>,
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    ANYNET_TEST_RUNTIME: leg.runtime,
    ANYNET_TEST_LEG: leg.name,
    ANYNET_ROOT: root,
    // Slow fixtures that every leg uses (test/_helpers/shared_fixture.ts) are made once per run.
    ANYNET_TEST_FIXTURES: fixtures,
    // Shared helpers that outlive a test process (one Chromium for the run) stop with this one.
    ANYNET_TEST_RUNNER_PID: String(process.pid),
  };
  if (leg.runtime === "node") {
    env.ANYNET_TEST_NODE = leg.command;
    env.PATH = `${dirname(leg.command)}:${env.PATH ?? ""}`;
  } else if (otherNode) {
    env.ANYNET_TEST_NODE = otherNode;
  }
  return env;
}

function runFile(leg: Leg, file: string, env: Record<string, string>, timeoutSeconds: number): Promise<FileResult> {
  const [command, args] = commandFor(leg, file);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      detached: true, // own process group, so a timeout kills what the test started too
      stdio: ["ignore", "pipe", "pipe"],
      env,
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch { /* already gone */ }
    }, timeoutSeconds * 1000);
    child.on("error", (error) => {
      output += `\ncould not start ${command}: ${error.message}\n`;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const { passed, failed, skipped, problem, plain } = summarize(output, code, timedOut);
      resolve({ leg, file, passed, failed, skipped, seconds, output: plain, problem });
    });
  });
}

const options = readCommandLine("test", USAGE, () => parseOptions(Deno.args));
const tests = findTests(fromRoot("test")).filter((f) =>
  options.filters.length === 0 || options.filters.some((x) => f.includes(x))
);
if (tests.length === 0) exitWithUsage("test", USAGE, `no test file matches ${options.filters.join(", ")}`);

const legs: Leg[] = [];
const unavailable: string[] = [];
for (const name of options.legs) {
  try {
    legs.push(findLeg(name));
  } catch (error) {
    if (!(error instanceof LegUnavailable)) throw error;
    unavailable.push(`${name}: ${error.message}`);
  }
}
if (unavailable.length > 0) {
  // A leg that cannot run is not quietly left out: the run would look greener than it is.
  console.error(`test: ${unavailable.length === 1 ? "a leg" : "legs"} cannot run on this machine:`);
  for (const line of unavailable) console.error(`  ${line}`);
  const runnable = legs.map((leg) => leg.name).join(",");
  if (runnable) console.error(`Run the others only with: npm test -- --runtime ${runnable}`);
  Deno.exit(2);
}
const nodeLegs = legs.filter((leg) => leg.runtime === "node");
// For Deno and Bun legs' own Node processes: the newest selected Node leg, else the newest
// installed (without any, tests fall back to the machine's node).
const newestNode = nodeLegs.at(-1)?.command ?? newestInstalledNode();

if (options.build) {
  const build = spawnSync(bin("deno"), ["run", "-A", "scripts/build.ts"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) Deno.exit(1);
}
if (nodeLegs.length > 0) {
  // build/src: tests type private modules with `typeof import("../src/…")`, so tsc
  // compiles those modules too (the tests still load the real ones from dist/).
  for (const dir of ["build/test", "build/scripts", "build/src"]) {
    rmSync(fromRoot(dir), { recursive: true, force: true });
  }
  const compile = spawnSync("node", [fromRoot("node_modules/typescript/bin/tsc"), "-p", "tsconfig.test.json"], {
    cwd: root,
    stdio: "inherit",
  });
  if (compile.status !== 0) {
    console.error("test: compiling the tests for Node failed");
    Deno.exit(1);
  }
}

const fixtures = mkdtempSync(join(tmpdir(), "anynet-test-fixtures-"));
const width = Math.max(...legs.map((leg) => leg.name.length));
const queue = legs.flatMap((leg) => {
  const env = environmentFor(leg, newestNode, fixtures);
  return tests.map((file) => ({ leg, file, env }));
});
const results: FileResult[] = [];
const started = performance.now();
async function worker() {
  for (let next = queue.shift(); next; next = queue.shift()) {
    const result = await runFile(next.leg, next.file, next.env, options.timeoutSeconds);
    results.push(result);
    const status = result.failed ? "FAIL" : "ok  ";
    const counts = `${result.passed} passed` + (result.failed ? `, ${result.failed} failed` : "") +
      (result.skipped ? `, ${result.skipped} skipped` : "");
    console.log(`${status} ${result.leg.name.padEnd(width)} ${result.file}  ${counts} (${result.seconds.toFixed(1)}s)`);
    // Tests announce why they skip with a line starting "skip:"; show those always.
    for (const line of result.output.split("\n")) if (line.startsWith("skip:")) console.log(`       ${line}`);
    if (result.failed || options.verbose) {
      if (result.problem) console.log(`       ${result.problem}`);
      console.log(result.output.split("\n").map((line) => `       | ${line}`).join("\n"));
    }
  }
}
await Promise.all(Array.from({ length: options.jobs }, worker));
rmSync(fixtures, { recursive: true, force: true });

console.log("");
let passed = 0, failed = 0, skipped = 0;
for (const leg of legs) {
  const mine = results.filter((r) => r.leg === leg);
  const p = mine.reduce((s, r) => s + r.passed, 0);
  const f = mine.reduce((s, r) => s + r.failed, 0);
  const k = mine.reduce((s, r) => s + r.skipped, 0);
  const seconds = mine.reduce((s, r) => s + r.seconds, 0);
  passed += p, failed += f, skipped += k;
  console.log(
    `${leg.runtime} ${leg.version}: ${p} passed, ${f} failed, ${k} skipped (${mine.length} files, ${
      seconds.toFixed(1)
    }s)`,
  );
}
console.log(`${legs.length} legs in ${((performance.now() - started) / 1000).toFixed(1)}s`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
Deno.exit(failed > 0 ? 1 : 0);
