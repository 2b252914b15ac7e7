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
 * the two variants alternates from round to round. `--path` asks for another answer: a
 * larger one (`/posts`, a page of 100 posts, about 19 KB) costs the server more per request
 * and wrk no more, which shows what a second worker adds when the server, not the load
 * generator, is what fills the cores. Reported per leg: the median of the
 * rounds' ratios (2 workers / 1 worker), their range, and the median requests per second of
 * each variant.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { numberFlag, parseFlags, readCommandLine, UsageError } from "../_args.ts";
import { findLeg, type Leg, LEG_NAMES } from "../_legs.ts";
import { fromRoot, root, run } from "../_run.ts";
import { cpuMicros, hasWrk, parseWrkOutput } from "./_wrk.ts";

const USAGE = "Usage: npm run bench -- workers [--legs LIST] [--rounds R] [--seconds S] [--no-build]\n" +
  `  --legs LIST    comma-separated, of ${LEG_NAMES.join(", ")} (default node24,deno,bun)\n` +
  "  --rounds R     rounds, each measuring both variants (default 5)\n" +
  "  --seconds S    seconds of load per measurement (default 5)\n" +
  "  --path PATH    what to request (default /posts/1, a small JSON answer)\n" +
  "  --no-build     use the package built before (Node runs dist/)";

const { legs, rounds, seconds, path, build } = readCommandLine("bench workers", USAGE, () => {
  const { flags } = parseFlags(Deno.args, {
    legs: { type: "string" },
    rounds: { type: "string" },
    seconds: { type: "string" },
    path: { type: "string" },
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
    path: checkPath(flags.path ?? "/posts/1"),
    build: flags["no-build"] !== true,
  };
});

/** A request path: it starts with a slash and holds no space (wrk takes it as part of a URL). */
function checkPath(path: string): string {
  if (!/^\/\S*$/.test(path)) throw new UsageError(`--path must start with '/' and hold no space: got '${path}'`);
  return path;
}

if (!hasWrk()) {
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

/** CPU time of the whole machine (busy, idle, softirq, steal), in clock ticks (1/100 s on Linux). */
const TICKS_PER_SECOND = 100;
/** A process's CPU time in clock ticks, as machineTicks() counts (0 once it is gone). */
function processTicks(pid: number): number {
  return (cpuMicros(pid) ?? 0) * TICKS_PER_SECOND / 1_000_000;
}
function machineTicks(): { busy: number; idle: number; softirq: number; steal: number } {
  // user nice system idle iowait irq softirq steal …
  const [, ...values] = Deno.readTextFileSync("/proc/stat").split("\n")[0]!.trim().split(/\s+/).map(Number);
  const idle = values[3]! + values[4]!;
  const steal = values[7] ?? 0;
  return { busy: values.slice(0, 8).reduce((a, b) => a + b, 0) - idle - steal, idle, softirq: values[6]!, steal };
}

/** One measurement: requests per second, and the cores the server, wrk and everything else used meanwhile. */
interface Measured {
  rate: number;
  serverCores: number;
  wrkCores: number;
  /** The kernel's network work done outside any process (loopback TCP, both ends). */
  softirqCores: number;
  /** Every other process on the machine. */
  otherCores: number;
  idleCores: number;
  /** Taken by the hypervisor. */
  stealCores: number;
}

/** Runs wrk against `url` for `duration` seconds while watching the server's CPU use. */
async function wrk(url: string, duration: number, serverPid: number): Promise<Measured> {
  const serverBefore = processTicks(serverPid);
  const machineBefore = machineTicks();
  const started = performance.now();
  const child = spawn("nice", ["-n", "10", "wrk", "-t1", "-c50", `-d${duration}s`, "--latency", url], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (chunk: Uint8Array) => (out += new TextDecoder().decode(chunk)));
  // wrk's own CPU time, read just before it ends (its /proc entry goes with it).
  let wrkTicks = 0;
  const sampler = setInterval(() => {
    // Gone already: keep the last reading.
    wrkTicks = Math.max(wrkTicks, processTicks(child.pid!));
  }, 100);
  await new Promise((resolve) => child.on("close", resolve));
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const serverTicks = processTicks(serverPid) - serverBefore;
  const machine = machineTicks();
  const busy = machine.busy - machineBefore.busy;
  const measured = parseWrkOutput(out);
  if (measured.errors > 0) throw new Error(`wrk saw errors:\n${out}`);
  const cores = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
  return {
    rate: measured.requestsPerSecond,
    serverCores: cores(serverTicks),
    wrkCores: cores(wrkTicks),
    softirqCores: cores(machine.softirq - machineBefore.softirq),
    otherCores: cores(busy - serverTicks - wrkTicks - (machine.softirq - machineBefore.softirq)),
    idleCores: cores(machine.idle - machineBefore.idle),
    stealCores: cores(machine.steal - machineBefore.steal),
  };
}

/** Starts the server, measures it, stops it. */
async function measure(leg: Leg, workers: number): Promise<Measured> {
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
          resolve(`${match[1]}${path}`);
        }
      });
    });
    await wrk(url, 1, server.pid!);
    return await wrk(url, seconds, server.pid!);
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
const results = new Map<string, { one: Measured[]; two: Measured[]; ratios: number[] }>(
  found.map((leg) => [leg.name, { one: [], two: [], ratios: [] }]),
);
const describe = (m: Measured) =>
  `${m.rate.toFixed(0)} req/s (server ${m.serverCores.toFixed(2)}, wrk ${m.wrkCores.toFixed(2)}, ` +
  `softirq ${m.softirqCores.toFixed(2)}, others ${m.otherCores.toFixed(2)}, idle ${m.idleCores.toFixed(2)}, ` +
  `steal ${m.stealCores.toFixed(2)} cores)`;
for (let round = 0; round < rounds; round++) {
  for (const leg of found) {
    const order = round % 2 === 0 ? [1, 2] : [2, 1];
    const measured: Record<number, Measured> = {};
    for (const workers of order) measured[workers] = await measure(leg, workers);
    const result = results.get(leg.name)!;
    const ratio = measured[2]!.rate / measured[1]!.rate;
    result.one.push(measured[1]!);
    result.two.push(measured[2]!);
    result.ratios.push(ratio);
    console.error(
      `round ${round + 1}/${rounds} ${leg.name}: ratio ${ratio.toFixed(2)}; 1 worker ${describe(measured[1]!)}; ` +
        `2 workers ${describe(measured[2]!)}`,
    );
  }
}

const medianOf = (list: Measured[], key: keyof Measured) => median(list.map((m) => m[key]));
console.log(
  `serve-api --workers 2 vs --workers 1, GET ${path}, wrk -t1 -c50 (nice -n 10), ${rounds} rounds of ${seconds} s`,
);
console.log(
  "| leg | version | 1 worker (req/s) | 2 workers (req/s) | ratio: median | range | " +
    "server cores, 1 / 2 workers | other processes' cores, 1 / 2 |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const leg of found) {
  const { one, two, ratios } = results.get(leg.name)!;
  const rest = (list: Measured[]) => medianOf(list, "otherCores").toFixed(2);
  console.log(
    `| ${leg.name} | ${leg.version} | ${medianOf(one, "rate").toFixed(0)} | ${medianOf(two, "rate").toFixed(0)} | ` +
      `${median(ratios).toFixed(2)} | ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} | ` +
      `${medianOf(one, "serverCores").toFixed(2)} / ${medianOf(two, "serverCores").toFixed(2)} | ` +
      `${rest(one)} / ${rest(two)} |`,
  );
}
