/**
 * Does `anynet bench echo --rate R` keep its rate? (`npm run bench -- echo_rate [--seconds S]
 * [--rounds R] [--rates LIST] [--connections C] [--runtimes LIST]`.) Each runtime's
 * `bench echo --rate` loads the echo benchmark's C epoll echo server (scripts/bench/_echo,
 * which answers far faster than the rates asked, so any shortfall is the generator's),
 * and the figure is the achieved round trips per second over the asked rate: the median
 * over the rounds, with the lowest and highest, and the median p50/p99 latency counted
 * from the due times.
 *
 * The server is pinned to core 0 and the generator to core 1; each round runs every
 * runtime at every rate once, in a random order.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { numberFlag, parseFlags, readCommandLine } from "../_args.ts";
import { bin, fromRoot, root, run } from "../_run.ts";
import { type CliLeg, cliLegs, legNames, runtimesUsage } from "./_cli_legs.ts";
import { compileCPrograms } from "./_echo/client.ts";
import { cServer, startServer } from "./_echo/servers.ts";

const USAGE = "Usage: npm run bench -- echo_rate [--seconds S] [--rounds R] [--rates LIST] [--connections C] " +
  "[--runtimes LIST]\n" +
  "  --seconds S        seconds per run (default 3)\n" +
  "  --rounds R         rounds of one run per runtime and rate (default 2)\n" +
  "  --rates LIST       comma-separated messages per second (default 1000,10000)\n" +
  "  --connections C    connections of every run (default 10)\n" +
  runtimesUsage("node24,deno,bun");

const { seconds, rounds, rates, connections, legs } = readCommandLine("bench echo_rate", USAGE, () => {
  const { flags } = parseFlags(Deno.args, {
    seconds: { type: "string" },
    rounds: { type: "string" },
    rates: { type: "string" },
    connections: { type: "string" },
    runtimes: { type: "string" },
  });
  const legs = legNames(flags.runtimes, "node24,deno,bun");
  return {
    seconds: numberFlag("--seconds", flags.seconds, 3, { min: 1, max: 60, integer: true }),
    rounds: numberFlag("--rounds", flags.rounds, 2, { min: 1, max: 100, integer: true }),
    rates: (flags.rates ?? "1000,10000").split(",").map((text) =>
      numberFlag("--rates", text.trim(), 0, { min: 1, max: 1_000_000 })
    ),
    connections: numberFlag("--connections", flags.connections, 10, { min: 1, max: 1000, integer: true }),
    legs,
  };
});

// Node runs the built package.
run(bin("deno"), ["run", "-A", fromRoot("scripts/build.ts")], "build");
const pin = availableParallelism() >= 2 && spawnSync("taskset", ["-c", "0", "true"]).status === 0;
const programs = await compileCPrograms();
const server = await startServer(cServer(programs.server), pin ? 0 : undefined);

const runners = cliLegs(legs);
const versions = runners.map((leg) => `${leg.name} ${leg.version}`);

interface Sample {
  ratio: number;
  p50: number;
  p99: number;
  failures: number;
}
/** One `bench echo --rate` run's achieved/asked ratio and latency. */
function measure(runner: CliLeg, rate: number): Sample {
  const args = [
    ...runner.args,
    "bench",
    "echo",
    "--port",
    String(server.port),
    "--connections",
    String(connections),
    "--rate",
    String(rate),
    "--duration",
    String(seconds),
    "--json",
  ];
  const [command, prefix] = pin ? ["taskset", ["-c", "1", runner.command]] : [runner.command, []];
  const result = spawnSync(command, [...prefix, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: (seconds + 30) * 1000,
  });
  if (result.status !== 0) throw new Error(`${runner.name}: ${(result.stderr || result.error?.message || "").trim()}`);
  const report = JSON.parse(result.stdout);
  return {
    ratio: report.roundTripsPerSecond / rate,
    p50: report.latency.p50,
    p99: report.latency.p99,
    failures: report.failures + report.mismatches,
  };
}

console.log(
  `echo_rate: ${rounds} rounds of ${seconds} s per runtime and rate, ${connections} connections, 64-byte messages, ` +
    `server: the C epoll echo server; ${versions.join(", ")}` +
    (pin ? "; server on core 0, generators on core 1" : "; not pinned"),
);
const samples = new Map<string, Sample[]>();
try {
  for (let round = 0; round < rounds; round++) {
    const order = runners.flatMap((runner) => rates.map((rate) => ({ runner, rate }))).sort(() => Math.random() - 0.5);
    for (const { runner, rate } of order) {
      const key = `${runner.name} ${rate}`;
      samples.set(key, [...(samples.get(key) ?? []), measure(runner, rate)]);
    }
  }
} finally {
  await server.stop();
  await Deno.remove(programs.dir, { recursive: true }).catch(() => {});
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};
console.log("runtime   asked/s   achieved/asked median [min, max]   p50 ms   p99 ms   failures");
for (const runner of runners) {
  for (const rate of rates) {
    const runs = samples.get(`${runner.name} ${rate}`)!;
    const ratios = runs.map((s) => s.ratio);
    console.log(
      `${runner.name.padEnd(8)} ${String(rate).padStart(8)}   ${
        `${median(ratios).toFixed(3)} [${Math.min(...ratios).toFixed(3)}, ${Math.max(...ratios).toFixed(3)}]`.padEnd(32)
      } ${median(runs.map((s) => s.p50)).toFixed(3).padStart(8)} ${
        median(runs.map((s) => s.p99)).toFixed(3).padStart(8)
      } ${String(runs.reduce((sum, s) => sum + s.failures, 0)).padStart(10)}`,
    );
  }
}
