/**
 * Load generator benchmark (`npm run bench -- loadgen [--seconds S] [--rounds R]
 * [--connections C] [--runtimes LIST] [--workers LIST]`): requests per second of `anynet
 * bench http` on each runtime (with each `--workers` count asked for) against wrk's, both
 * loading the same nginx (one worker, a 6-byte body) on this machine. Targets: anynet/wrk
 * ≥ 0.7 on Bun, ≥ 0.5 on Node and Deno.
 *
 * Method: nginx is pinned to the first core and every load generator to the second
 * (taskset), so the generator's own cost decides how fast it can go. Each round runs wrk
 * and each runtime's `anynet bench http` once, for S seconds each, in a random order; the
 * figure is the median over the rounds of that round's anynet/wrk ratio, with the lowest
 * and highest round, since what the shared machine did meanwhile weighs on the whole round.
 * Beside it, each generator's CPU time per request (user and system, from /usr/bin/time;
 * for anynet less that of a one-request run, its start-up and exit), and its ratio to
 * wrk's within the round: what the generator costs, which the machine's other load moves
 * far less than requests/s.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { numberFlag, parseFlags, readCommandLine } from "../_args.ts";
import { bin, fromRoot, root, run } from "../_run.ts";
import { cliLegs, legNames, runtimesUsage } from "./_cli_legs.ts";
import { parseWrkOutput, wrkCommand } from "./_wrk.ts";

const USAGE =
  "Usage: npm run bench -- loadgen [--seconds S] [--rounds R] [--connections C] [--runtimes LIST] [--workers LIST]\n" +
  "  --seconds S        seconds per run (default 3)\n" +
  "  --rounds R         rounds of one run per generator (default 5)\n" +
  "  --connections C    connections of every generator (default 50)\n" +
  runtimesUsage("node24,deno,bun") + "\n" +
  "  --workers LIST     comma-separated --workers counts of anynet bench http to run (default 1,2)";

const { seconds, rounds, connections, legs, workerCounts } = readCommandLine("bench loadgen", USAGE, () => {
  const { flags } = parseFlags(Deno.args, {
    seconds: { type: "string" },
    rounds: { type: "string" },
    connections: { type: "string" },
    runtimes: { type: "string" },
    workers: { type: "string" },
  });
  const legs = legNames(flags.runtimes, "node24,deno,bun");
  const workerCounts = (flags.workers ?? "1,2").split(",").map((text) =>
    numberFlag("--workers", text.trim(), 1, { min: 1, max: 16, integer: true })
  );
  return {
    workerCounts,
    seconds: numberFlag("--seconds", flags.seconds, 3, { min: 1, max: 60, integer: true }),
    rounds: numberFlag("--rounds", flags.rounds, 5, { min: 1, max: 100, integer: true }),
    connections: numberFlag("--connections", flags.connections, 50, { min: 1, max: 1000, integer: true }),
    legs,
  };
});

if (spawnSync("nginx", ["-v"]).error || spawnSync("wrk", ["--version"]).error) {
  console.log("loadgen: skipped: needs nginx and wrk (apt-get install nginx wrk)");
  Deno.exit(0);
}

// Node runs the built package.
run(bin("deno"), ["run", "-A", fromRoot("scripts/build.ts")], "build");

const pin = availableParallelism() >= 2 && spawnSync("taskset", ["-c", "0", "true"]).status === 0;
const onCore = (core: number, command: string, args: string[]): [string, string[]] =>
  pin ? ["taskset", ["-c", String(core), command, ...args]] : [command, args];

const port = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address() as { port: number };
    probe.close(() => resolve(port));
  });
});
const dir = mkdtempSync(join(tmpdir(), "anynet-loadgen-"));
writeFileSync(
  join(dir, "nginx.conf"),
  `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir};
  proxy_temp_path ${dir};
  fastcgi_temp_path ${dir};
  uwsgi_temp_path ${dir};
  scgi_temp_path ${dir};
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    location / { return 200 "hello\\n"; }
  }
}
`,
);
const [nginxCommand, nginxArgs] = onCore(0, "nginx", ["-p", dir, "-c", join(dir, "nginx.conf")]);
const nginx = spawn(nginxCommand, nginxArgs, { stdio: "inherit" });
const url = `http://127.0.0.1:${port}/`;

/** What one run of a generator measured. */
interface Measured {
  requestsPerSecond: number;
  /** The generator's CPU time (user and system) per request, in microseconds; NaN without /usr/bin/time. */
  cpuMicrosPerRequest: number;
}
interface Generator {
  name: string;
  run(): Measured;
}

const hasTime = spawnSync("/usr/bin/time", ["-f", "%U", "true"]).status === 0;
/**
 * Runs a generator to its end under /usr/bin/time: its standard output, and the CPU seconds
 * it used, which the machine's other load moves far less than its requests/s.
 */
function timedRun(label: string, command: string, args: string[]): { stdout: string; cpuSeconds: number } {
  const times = join(dir, "times");
  const [timedCommand, timedArgs] = hasTime
    ? ["/usr/bin/time", ["-f", "%U %S", "-o", times, command, ...args]]
    : [command, args];
  const result = spawnSync(timedCommand, timedArgs, { cwd: root, encoding: "utf8", timeout: (seconds + 30) * 1000 });
  if (result.status !== 0) throw new Error(`${label}: ${(result.stderr || result.error?.message || "").trim()}`);
  const cpuSeconds = hasTime
    ? readFileSync(times, "utf8").trim().split(/\s+/).slice(-2).reduce((sum, n) => sum + Number(n), 0)
    : NaN;
  return { stdout: result.stdout, cpuSeconds };
}

const generators: Generator[] = [{
  name: "wrk",
  run() {
    const [command, args] = wrkCommand({ url, seconds, connections, close: false, core: pin ? 1 : undefined });
    const { stdout, cpuSeconds } = timedRun("wrk", command, args);
    const result = parseWrkOutput(stdout);
    return { requestsPerSecond: result.requestsPerSecond, cpuMicrosPerRequest: (cpuSeconds * 1e6) / result.requests };
  },
}];
const cli = cliLegs(legs);
const versions = cli.map((leg) => `${leg.name} ${leg.version}`);
for (const leg of cli) {
  for (const workers of workerCounts) {
    /** The CLI's run with these options until `stop` (`--duration S` or `--requests 1`): its report and CPU seconds. */
    const runCli = (stop: string[]) => {
      const [command, args] = onCore(1, leg.command, [
        ...leg.args,
        "bench",
        "http",
        url,
        "--connections",
        String(connections),
        "--workers",
        String(workers),
        ...stop,
        "--json",
      ]);
      const { stdout, cpuSeconds } = timedRun(leg.name, command, args);
      return { report: JSON.parse(stdout), cpuSeconds };
    };
    generators.push({
      name: workers === 1 ? leg.name : `${leg.name} ×${workers}`,
      run() {
        const { report, cpuSeconds } = runCli(["--duration", String(seconds)]);
        // Less what starting and stopping cost (a run of one request per worker): the CPU per request of the load itself.
        const overhead = runCli(["--requests", String(workers)]).cpuSeconds;
        return {
          requestsPerSecond: report.requestsPerSecond,
          cpuMicrosPerRequest: (Math.max(0, cpuSeconds - overhead) * 1e6) / report.requests,
        };
      },
    });
  }
}

// Wait for nginx to answer.
for (let i = 0; i < 100; i++) {
  try {
    await (await fetch(url)).text();
    break;
  } catch {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

console.log(
  `loadgen: ${rounds} rounds of ${seconds} s per generator, ${connections} connections, server: nginx (1 worker) ` +
    `at ${url}; ${versions.join(", ")}` + (pin ? "; nginx on core 0, generators on core 1" : "; not pinned"),
);
const runs = new Map<string, Measured[]>(generators.map((g) => [g.name, []]));
try {
  for (let round = 0; round < rounds; round++) {
    const order = [...generators].sort(() => Math.random() - 0.5);
    for (const generator of order) runs.get(generator.name)!.push(generator.run());
  }
} finally {
  nginx.kill("SIGTERM");
  await new Promise((resolve) => nginx.once("exit", resolve));
  rmSync(dir, { recursive: true, force: true });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};
console.log(
  "generator     median req/s   anynet/wrk median [min, max]   target         CPU µs/req   CPU/req vs wrk [min, max]",
);
const wrk = runs.get("wrk")!;
const range = (values: number[]) =>
  `${median(values).toFixed(3)} [${Math.min(...values).toFixed(3)}, ${Math.max(...values).toFixed(3)}]`;
for (const { name } of generators) {
  const measured = runs.get(name)!;
  let ratioText = "", target = "", cpuText = "";
  if (name !== "wrk") {
    const ratios = measured.map((m, i) => m.requestsPerSecond / wrk[i]!.requestsPerSecond);
    const goal = name.startsWith("bun") ? 0.7 : 0.5;
    ratioText = range(ratios);
    target = `≥ ${goal}: ${median(ratios) >= goal ? "met" : "NOT met"}`;
    cpuText = range(measured.map((m, i) => m.cpuMicrosPerRequest / wrk[i]!.cpuMicrosPerRequest));
  }
  console.log(
    `${name.padEnd(12)} ${median(measured.map((m) => m.requestsPerSecond)).toFixed(0).padStart(13)}   ` +
      `${ratioText.padEnd(28)}   ${target.padEnd(13)} ${
        median(measured.map((m) => m.cpuMicrosPerRequest)).toFixed(1).padStart(11)
      }   ${cpuText}`,
  );
}
