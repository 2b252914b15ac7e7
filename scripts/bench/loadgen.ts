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
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { numberFlag, parseFlags, readCommandLine } from "../_args.ts";
import { bin, fromRoot, root, run } from "../_run.ts";
import { cliLegs, legNames, runtimesUsage } from "./_cli_legs.ts";
import { runWrk } from "./_wrk.ts";

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

interface Generator {
  name: string;
  run(): number;
}
const generators: Generator[] = [{
  name: "wrk",
  run: () => runWrk({ url, seconds, connections, close: false, core: pin ? 1 : undefined }).requestsPerSecond,
}];
const cli = cliLegs(legs);
const versions = cli.map((leg) => `${leg.name} ${leg.version}`);
for (const leg of cli) {
  for (const workers of workerCounts) {
    generators.push({
      name: workers === 1 ? leg.name : `${leg.name} ×${workers}`,
      run() {
        const [command, args] = onCore(1, leg.command, [
          ...leg.args,
          "bench",
          "http",
          url,
          "--connections",
          String(connections),
          "--workers",
          String(workers),
          "--duration",
          String(seconds),
          "--json",
        ]);
        const result = spawnSync(command, args, { cwd: root, encoding: "utf8", timeout: (seconds + 30) * 1000 });
        if (result.status !== 0) {
          throw new Error(`${leg.name}: ${(result.stderr || result.error?.message || "").trim()}`);
        }
        return JSON.parse(result.stdout).requestsPerSecond;
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
const rps = new Map<string, number[]>(generators.map((g) => [g.name, []]));
try {
  for (let round = 0; round < rounds; round++) {
    const order = [...generators].sort(() => Math.random() - 0.5);
    for (const generator of order) rps.get(generator.name)!.push(generator.run());
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
console.log("generator     median req/s   anynet/wrk median [min, max]   target");
const wrk = rps.get("wrk")!;
for (const { name } of generators) {
  const values = rps.get(name)!;
  let ratioText = "", target = "";
  if (name !== "wrk") {
    const ratios = values.map((value, i) => value / wrk[i]!);
    const goal = name.startsWith("bun") ? 0.7 : 0.5;
    ratioText = `${median(ratios).toFixed(3)} [${Math.min(...ratios).toFixed(3)}, ${Math.max(...ratios).toFixed(3)}]`;
    target = `≥ ${goal}: ${median(ratios) >= goal ? "met" : "NOT met"}`;
  }
  console.log(`${name.padEnd(12)} ${median(values).toFixed(0).padStart(13)}   ${ratioText.padEnd(28)}   ${target}`);
}
