/**
 * Runs the whole test suite on Node, Deno and Bun: the same uvu test files under test/,
 * one process per file and runtime.
 *
 * - Node runs the tests compiled to build/test/ (tsconfig.test.json); they import
 *   "anynet/…", which resolves to the built npm package in dist/.
 * - Deno (`deno run -A`) and Bun run the .ts test files against the .ts sources.
 *
 * Each runtime prints its own summary line; the last line is the plain
 * `N passed, N failed, N skipped` over all three. Exits 1 if anything failed.
 *
 * Usage: deno run -A scripts/test.ts [--runtime node,deno,bun] [--jobs N]
 *          [--timeout SECONDS] [--no-build] [--verbose] [FILTER ...]
 * (through npm: `npm test -- --runtime deno cli`)
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { bin, fromRoot, root } from "./_run.ts";

type Runtime = "node" | "deno" | "bun";
const allRuntimes: Runtime[] = ["node", "deno", "bun"];

interface Options {
  runtimes: Runtime[];
  jobs: number;
  timeoutSeconds: number;
  build: boolean;
  verbose: boolean;
  filters: string[];
}

function usage(message: string): never {
  console.error(`test: ${message}`);
  console.error(
    "Usage: npm test -- [--runtime node,deno,bun] [--jobs N] [--timeout SECONDS] [--no-build] [--verbose] [FILTER ...]",
  );
  Deno.exit(2);
}

function parseOptions(args: string[]): Options {
  const options: Options = { runtimes: [], jobs: 2, timeoutSeconds: 300, build: true, verbose: false, filters: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      if (i + 1 >= args.length) usage(`${arg} needs a value`);
      return args[++i];
    };
    if (arg === "--runtime" || arg === "-r") {
      for (const name of value().split(",")) {
        if (!allRuntimes.includes(name as Runtime)) usage(`unknown runtime '${name}' (expected node, deno or bun)`);
        options.runtimes.push(name as Runtime);
      }
    } else if (arg === "--jobs" || arg === "-j") {
      options.jobs = Number(value());
      if (!Number.isInteger(options.jobs) || options.jobs < 1) usage(`--jobs must be a positive integer`);
    } else if (arg === "--timeout") {
      options.timeoutSeconds = Number(value());
      if (!(options.timeoutSeconds > 0)) usage(`--timeout must be a positive number of seconds`);
    } else if (arg === "--no-build") options.build = false;
    else if (arg === "--verbose" || arg === "-v") options.verbose = true;
    else if (arg.startsWith("-")) usage(`unknown flag '${arg}'`);
    else options.filters.push(arg);
  }
  if (options.runtimes.length === 0) options.runtimes = [...allRuntimes];
  return options;
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

function commandFor(runtime: Runtime, file: string): [string, string[]] {
  switch (runtime) {
    case "node":
      return ["node", [fromRoot("build", file.replace(/^test\//, "test/").replace(/\.ts$/, ".js"))]];
    case "deno":
      return [bin("deno"), ["run", "-A", "--no-lock", fromRoot(file)]];
    case "bun":
      return [bin("bun"), [fromRoot(file)]];
  }
}

interface FileResult {
  runtime: Runtime;
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
  if (timedOut) problem = "timed out (a test hangs or leaves a handle open)";
  else if (total === undefined) problem = `ended before reporting (exit code ${exitCode})`;
  else if (exitCode !== 0 && failed === 0) problem = `exit code ${exitCode} although every test passed`;
  if (problem) failed += 1;
  return { passed, failed, skipped, problem, plain };
}

function runFile(runtime: Runtime, file: string, timeoutSeconds: number): Promise<FileResult> {
  const [command, args] = commandFor(runtime, file);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      detached: true, // own process group, so a timeout kills what the test started too
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ANYNET_TEST_RUNTIME: runtime, ANYNET_ROOT: root },
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
      resolve({ runtime, file, passed, failed, skipped, seconds, output: plain, problem });
    });
  });
}

const options = parseOptions(Deno.args);
const tests = findTests(fromRoot("test")).filter((f) =>
  options.filters.length === 0 || options.filters.some((x) => f.includes(x))
);
if (tests.length === 0) usage(`no test file matches ${options.filters.join(", ")}`);

if (options.build) {
  const build = spawnSync(bin("deno"), ["run", "-A", "scripts/build.ts"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) Deno.exit(1);
}
if (options.runtimes.includes("node")) {
  rmSync(fromRoot("build/test"), { recursive: true, force: true });
  const compile = spawnSync("node", [fromRoot("node_modules/typescript/bin/tsc"), "-p", "tsconfig.test.json"], {
    cwd: root,
    stdio: "inherit",
  });
  if (compile.status !== 0) {
    console.error("test: compiling the tests for Node failed");
    Deno.exit(1);
  }
}

const queue = options.runtimes.flatMap((runtime) => tests.map((file) => ({ runtime, file })));
const results: FileResult[] = [];
const started = performance.now();
async function worker() {
  for (let next = queue.shift(); next; next = queue.shift()) {
    const result = await runFile(next.runtime, next.file, options.timeoutSeconds);
    results.push(result);
    const status = result.failed ? "FAIL" : "ok  ";
    const counts = `${result.passed} passed` + (result.failed ? `, ${result.failed} failed` : "") +
      (result.skipped ? `, ${result.skipped} skipped` : "");
    console.log(`${status} ${result.runtime.padEnd(4)} ${result.file}  ${counts} (${result.seconds.toFixed(1)}s)`);
    // Tests announce why they skip with a line starting "skip:"; show those always.
    for (const line of result.output.split("\n")) if (line.startsWith("skip:")) console.log(`       ${line}`);
    if (result.failed || options.verbose) {
      if (result.problem) console.log(`       ${result.problem}`);
      console.log(result.output.split("\n").map((line) => `       | ${line}`).join("\n"));
    }
  }
}
await Promise.all(Array.from({ length: options.jobs }, worker));

console.log("");
let passed = 0, failed = 0, skipped = 0;
for (const runtime of options.runtimes) {
  const mine = results.filter((r) => r.runtime === runtime);
  const p = mine.reduce((s, r) => s + r.passed, 0);
  const f = mine.reduce((s, r) => s + r.failed, 0);
  const k = mine.reduce((s, r) => s + r.skipped, 0);
  const seconds = mine.reduce((s, r) => s + r.seconds, 0);
  passed += p, failed += f, skipped += k;
  console.log(`${runtime} - ${p} passed, ${f} failed, ${k} skipped (${mine.length} files, ${seconds.toFixed(1)}s)`);
}
console.log(`all runtimes in ${((performance.now() - started) / 1000).toFixed(1)}s`);
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
Deno.exit(failed > 0 ? 1 : 0);
