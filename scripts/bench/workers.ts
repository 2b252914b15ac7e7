/**
 * `--workers` benchmark (`npm run bench -- workers [--legs LIST] [--rounds R] [--seconds S]`):
 * requests per second of `anynet serve-api --workers 2` against `--workers 1` on each
 * runtime, driven by wrk (Debian's `wrk`), in one run. The target is a ratio well above 1
 * on a machine with two or more cores.
 *
 * Method: the server is not pinned (two workers need two cores); wrk runs one thread with
 * 50 keep-alive connections under `nice -n 10`, so that it takes the CPU the server leaves
 * rather than the other way round. Each round starts a fresh server per variant, warms it
 * for a second, then measures S seconds (`GET /posts/1`, a small JSON answer); the order of
 * the two variants alternates from round to round. Reported per leg: the median of the
 * rounds' ratios (2 workers / 1 worker), their range, and the median requests per second of
 * each variant.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { numberFlag, parseFlags, readCommandLine, UsageError } from "../_args.ts";
import { findLeg, LEG_NAMES, type Leg } from "../_legs.ts";
import { fromRoot, root, run } from "../_run.ts";

const USAGE = "Usage: npm run bench -- workers [--legs LIST] [--rounds R] [--seconds S] [--no-build]\n" +
  `  --legs LIST    comma-separated, of ${LEG_NAMES.join(", ")} (default node24,deno,bun)\n` +
  "  --rounds R     rounds, each measuring both variants (default 5)\n" +
  "  --seconds S    seconds of load per measurement (default 5)\n" +
  "  --no-build     use the package built before (Node runs dist/)";

const { legs, rounds, seconds, build } = readCommandLine("bench workers", USAGE, () => {
  const { flags } = parseFlags(Deno.args, {
    legs: { type: "string" },
    rounds: { type: "string" },
    seconds: { type: "string" },
    "no-build": { type: "boolean" },
  });
  const names = (flags.legs ?? "node24,deno,bun").split(",");
  for (const name of names) {
    if (!LEG_NAMES.includes(name)) throw new UsageError(`--legs: unknown leg '${name}' (of ${LEG_NAMES.join(", ")})`);
  }
  return {
    legs: names,
    rounds: numberFlag("--rounds", flags.rounds, 5, { min: 1, max: 100, integer: true }),
    seconds: numberFlag("--seconds", flags.seconds, 5, { min: 1, max: 60, integer: true }),
    build: flags["no-build"] !== true,
  };
});

if (spawnSync("wrk", ["--version"]).error) {
  console.error("bench workers: needs wrk (Debian: apt-get install wrk)");
  Deno.exit(2);
}
// Node runs the built package.
if (build) run(Deno.execPath(), ["run", "-A", fromRoot("scripts/build.ts")], "build");

/** The command that runs `anynet serve-api` on `leg` with `workers` workers. */
function serverCommand(leg: Leg, workers: number): string[] {
  const args = ["serve-api", "--port", "0", "--workers", String(workers)];
  switch (leg.runtime) {
    case "node":
      return [leg.command, fromRoot("dist/cli.js"), ...args];
    case "deno":
      // --unstable-net to share the port, --allow-read to load the worker threads' module.
      return [leg.command, "run", "--unstable-net", "--allow-net", "--allow-read", fromRoot("src/cli.ts"), ...args];
    case "bun":
      return [leg.command, fromRoot("src/cli.ts"), ...args];
  }
}

/** Runs wrk against `url` for `duration` seconds; returns requests per second. */
async function wrk(url: string, duration: number): Promise<number> {
  const child = spawn("nice", ["-n", "10", "wrk", "-t1", "-c50", `-d${duration}s`, url], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (chunk: Uint8Array) => (out += new TextDecoder().decode(chunk)));
  await new Promise((resolve) => child.on("close", resolve));
  const match = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(out);
  if (!match) throw new Error(`wrk printed no rate:\n${out}`);
  if (errors) throw new Error(`wrk saw errors:\n${out}`);
  return Number(match[1]);
}

/** Starts the server, measures it, stops it; returns requests per second. */
async function measure(leg: Leg, workers: number): Promise<number> {
  const [command, ...args] = serverCommand(leg, workers);
  const server = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const closed = new Promise((resolve) => server.on("close", resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`${leg.name}: serve-api did not start`)), 30_000);
      server.on("close", () => reject(new Error(`${leg.name}: serve-api ended: ${out}`)));
      server.stdout!.on("data", (chunk: Uint8Array) => {
        out += new TextDecoder().decode(chunk);
        const match = /listening on (\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(`${match[1]}/posts/1`);
        }
      });
    });
    await wrk(url, 1);
    return await wrk(url, seconds);
  } finally {
    server.kill("SIGTERM");
    await closed;
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const found = legs.map((name) => findLeg(name));
const results = new Map<string, { one: number[]; two: number[]; ratios: number[] }>(
  found.map((leg) => [leg.name, { one: [], two: [], ratios: [] }]),
);
for (let round = 0; round < rounds; round++) {
  for (const leg of found) {
    const order = round % 2 === 0 ? [1, 2] : [2, 1];
    const rate: Record<number, number> = {};
    for (const workers of order) rate[workers] = await measure(leg, workers);
    const result = results.get(leg.name)!;
    result.one.push(rate[1]!);
    result.two.push(rate[2]!);
    result.ratios.push(rate[2]! / rate[1]!);
    console.error(
      `round ${round + 1}/${rounds} ${leg.name}: 1 worker ${rate[1]!.toFixed(0)} req/s, ` +
        `2 workers ${rate[2]!.toFixed(0)} req/s, ratio ${(rate[2]! / rate[1]!).toFixed(2)}`,
    );
  }
}

console.log(`serve-api --workers 2 vs --workers 1, wrk -t1 -c50 (nice -n 10), ${rounds} rounds of ${seconds} s`);
console.log("| leg | version | 1 worker (req/s) | 2 workers (req/s) | ratio: median | range |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const leg of found) {
  const { one, two, ratios } = results.get(leg.name)!;
  console.log(
    `| ${leg.name} | ${leg.version} | ${median(one).toFixed(0)} | ${median(two).toFixed(0)} | ` +
      `${median(ratios).toFixed(2)} | ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} |`,
  );
}
