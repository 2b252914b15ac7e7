/**
 * The serve benchmark (`npm run bench -- serve`): requests per second of anynet's `serve()`
 * against the runtime's own bare server (a `node:http` handler that writes the same bytes
 * with `res.end`, `Deno.serve`, `Bun.serve`), and of the demo REST API (`GET /posts/1` on
 * serve()) against the same baseline, on each runtime, driven by wrk.
 *
 * Method: each runtime's three servers (scripts/bench/_serve/server.mjs) run at once, pinned
 * to core 0; wrk (one thread, C connections) runs on core 1. Cases: a small JSON answer,
 * 1 KiB and 1 MiB, over keep-alive connections and with `Connection: close` (a connection
 * per request). Every round measures each server once per case, in an order that turns
 * round by round, and the ratios to the bare server are taken within the round: the
 * machine is shared and noisy, so the report gives the median of those per-round ratios and
 * their range, with the median requests/s, wrk's p50/p99 latency and the server's CPU time
 * per request (from /proc, which noise from other processes moves far less than
 * requests/s). The REST API answers one small JSON document, so it is measured in the
 * small case only. On Node, anynet is measured twice: with a plain `Response` and with its
 * `FastResponse` ("fast"). Another server, the floor (see _serve/server.mjs), shows what a
 * fetch-style server pays on Node and Deno before any of anynet's own code runs: on Node
 * the fetch `Response` itself, on Deno serving connections from an accept loop of one's
 * own rather than with `Deno.serve`.
 *
 * Usage: npm run bench -- serve [--runtime node,deno,bun] [--all-nodes] [--duration S]
 *          [--rounds R] [--connections C] [--quick] [--no-pin] [--no-build]
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { numberFlag, parseFlags, readCommandLine, UsageError } from "../_args.ts";
import { findLeg, type Leg, LegUnavailable, NODE_LEG_NAMES } from "../_legs.ts";
import { bin, fromRoot, root, run } from "../_run.ts";
import { benchNode } from "./_node.ts";
import { cpuMicros, hasWrk, runWrk, type WrkResult } from "./_wrk.ts";

const USAGE = "Usage: npm run bench -- serve [--runtime LIST] [--all-nodes] [--duration S] [--rounds R]\n" +
  "          [--connections C] [--quick] [--no-pin] [--no-build]\n" +
  "  --runtime LIST     comma-separated: node, node22, node24, node26, deno, bun (default node,deno,bun;\n" +
  `                     node is ${benchNode.version}, or ANYNET_BENCH_NODE)\n` +
  "  --all-nodes        node means every Node of the test matrix (22, 24, 26)\n" +
  "  --duration S       seconds of load per measurement (default 2)\n" +
  "  --rounds R         rounds per case (default 3)\n" +
  "  --connections C    wrk connections (default 50)\n" +
  "  --quick            one round of 1 s per case\n" +
  "  --no-pin           do not pin the servers to core 0 and wrk to core 1\n" +
  "  --no-build         run the package already built in dist/";

const RUNTIME_NAMES = ["node", ...NODE_LEG_NAMES, "deno", "bun"];

const options = readCommandLine("bench serve", USAGE, () => {
  const { flags } = parseFlags(Deno.args, {
    runtime: { type: "string", takes: "a list of runtimes" },
    "all-nodes": { type: "boolean" },
    duration: { type: "string", takes: "seconds" },
    rounds: { type: "string", takes: "a count" },
    connections: { type: "string", takes: "a count" },
    quick: { type: "boolean" },
    "no-pin": { type: "boolean" },
    "no-build": { type: "boolean" },
  });
  const names = (flags.runtime ?? "node,deno,bun").split(",").map((name) => name.trim());
  for (const name of names) {
    if (!RUNTIME_NAMES.includes(name)) {
      throw new UsageError(`--runtime: unknown runtime '${name}' (one of ${RUNTIME_NAMES.join(", ")})`);
    }
  }
  const legs = names.flatMap((name) =>
    name === "node" ? (flags["all-nodes"] ? [...NODE_LEG_NAMES] : [`node${benchNode.version.split(".")[0]}`]) : [name]
  );
  return {
    legs: [...new Set(legs)],
    seconds: numberFlag("--duration", flags.duration, flags.quick ? 1 : 2, { min: 1, max: 60, integer: true }),
    rounds: numberFlag("--rounds", flags.rounds, flags.quick ? 1 : 3, { min: 1, max: 50, integer: true }),
    connections: numberFlag("--connections", flags.connections, 50, { min: 1, max: 10_000, integer: true }),
    pin: !flags["no-pin"],
    build: !flags["no-build"],
  };
});

if (!hasWrk()) {
  console.error("bench serve: wrk is not installed (Debian: apt-get install wrk); it drives every measurement");
  Deno.exit(1);
}

type Kind = "anynet" | "anynet-fast" | "native" | "api" | "floor";
/** One wrk run, and the server's CPU time per request during it (µs). */
type Measurement = WrkResult & { cpuPerRequest: number | undefined };
interface Case {
  name: string;
  path: string;
  close: boolean;
  kinds: Kind[];
}
const CASES: Case[] = [false, true].flatMap((close) =>
  [["small JSON", "/small"], ["1 KiB", "/1k"], ["1 MiB", "/1m"]].map(([name, path]) => ({
    name: `${name}, ${close ? "close" : "keep-alive"}`,
    path,
    close,
    kinds: (path === "/small"
      ? ["anynet", "anynet-fast", "native", "api", "floor"]
      : ["anynet", "anynet-fast", "native", "floor"]) as Kind[],
  }))
);

const pin = options.pin && availableParallelism() >= 2 && Deno.build.os === "linux";
const onCore = (core: number, command: string, args: string[]): [string, string[]] =>
  pin ? ["taskset", ["-c", String(core), command, ...args]] : [command, args];

function log(message: string): void {
  console.error(`bench serve: ${message}`);
}

/** Starts one server of `leg` and resolves with its port. */
function startServer(leg: Leg, kind: Kind): Promise<{ port: number; child: ChildProcess }> {
  const script = fromRoot("scripts/bench/_serve/server.mjs");
  const args = leg.runtime === "deno" ? ["run", "-A", script, kind] : [script, kind];
  const [command, commandArgs] = onCore(0, leg.command, args);
  const child = spawn(command, commandArgs, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the ${kind} server on ${leg.name} did not start`)), 30_000);
    child.once("exit", (code) => reject(new Error(`the ${kind} server on ${leg.name} exited (${code})`)));
    child.stdout!.on("data", (chunk: Uint8Array) => {
      out += new TextDecoder().decode(chunk);
      const match = /port (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ port: Number(match[1]), child });
      }
    });
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ratioText = (values: number[]) =>
  values.length === 0
    ? "-"
    : `${median(values).toFixed(2)} [${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}]`;

/** The target anynet/bare of each runtime. */
const target = (leg: Leg) => (leg.runtime === "node" ? 0.8 : 0.95);

/**
 * The servers measured on a runtime: the floor exists on Node and Deno only, and
 * FastResponse differs from Response on Node only.
 */
const kindsOf = (leg: Leg): Kind[] =>
  leg.runtime === "bun"
    ? ["anynet", "native", "api"]
    : leg.runtime === "deno"
    ? ["anynet", "native", "api", "floor"]
    : ["anynet", "anynet-fast", "native", "api", "floor"];

async function measureLeg(leg: Leg): Promise<void> {
  const servers = new Map<Kind, { port: number; child: ChildProcess }>();
  try {
    for (const kind of kindsOf(leg)) servers.set(kind, await startServer(leg, kind));
    const url = (kind: Kind, path: string) =>
      `http://127.0.0.1:${servers.get(kind)!.port}${kind === "api" ? "/posts/1" : path}`;
    // Warm up each server (JIT, pools) before anything is counted.
    for (const kind of servers.keys()) {
      runWrk({
        url: url(kind, "/small"),
        seconds: 1,
        connections: options.connections,
        close: false,
        core: pin ? 1 : undefined,
      });
    }
    console.log(`\n${leg.name} ${leg.version}: target anynet/bare ≥ ${target(leg)}`);
    console.log(
      "case                     bare req/s  anynet req/s  anynet/bare [range]  fast/bare [range]  api/bare [range]   " +
        "floor/bare [range]   p50/p99 ms: bare | anynet | api            CPU µs/request: bare | anynet | fast | api | floor",
    );
    for (const testCase of CASES) {
      // The REST API answers one small document: measured in the small case only.
      const kinds = kindsOf(leg).filter((kind) => kind !== "api" || testCase.path === "/small");
      const results = new Map<Kind, Measurement[]>(kinds.map((kind) => [kind, []]));
      const ratios = new Map<Kind, number[]>(kinds.map((kind) => [kind, []]));
      for (let round = 0; round < options.rounds; round++) {
        const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]);
        const inRound = new Map<Kind, Measurement>();
        for (const kind of order) {
          const pid = servers.get(kind)!.child.pid!;
          const cpuBefore = cpuMicros(pid);
          const load = runWrk({
            url: url(kind, testCase.path),
            seconds: options.seconds,
            connections: options.connections,
            close: testCase.close,
            core: pin ? 1 : undefined,
          });
          const cpuAfter = cpuMicros(pid);
          const result: Measurement = {
            ...load,
            cpuPerRequest: cpuBefore === undefined || cpuAfter === undefined || load.requests === 0
              ? undefined
              : (cpuAfter - cpuBefore) / load.requests,
          };
          if (result.errors > 0) log(`${leg.name} ${kind} ${testCase.name}: ${result.errors} errors`);
          inRound.set(kind, result);
          results.get(kind)!.push(result);
        }
        const bare = inRound.get("native")!.requestsPerSecond;
        for (const [kind, measured] of inRound) ratios.get(kind)!.push(measured.requestsPerSecond / bare);
      }
      const of = (kind: Kind, pick: (m: Measurement) => number | undefined, digits: number) => {
        const values = results.get(kind)?.map(pick).filter((v) => v !== undefined) ?? [];
        return values.length ? median(values).toFixed(digits) : "-";
      };
      const ratio = (kind: Kind) => ratioText(ratios.get(kind) ?? []);
      const latency = (kind: Kind) => `${of(kind, (m) => m.p50Ms, 2)}/${of(kind, (m) => m.p99Ms, 2)}`;
      const cpu = (kind: Kind) => of(kind, (m) => m.cpuPerRequest, 0);
      const missed = median(ratios.get("anynet")!) < target(leg) ? "  (below target)" : "";
      console.log(
        `${testCase.name.padEnd(23)}  ${of("native", (m) => m.requestsPerSecond, 0).padStart(10)}  ` +
          `${of("anynet", (m) => m.requestsPerSecond, 0).padStart(12)}  ${ratio("anynet").padEnd(19)}  ` +
          `${ratio("anynet-fast").padEnd(17)}  ${ratio("api").padEnd(17)}  ${ratio("floor").padEnd(17)}  ` +
          `${latency("native")} | ${latency("anynet")} | ${latency("api")}`.padEnd(43) +
          `  ${cpu("native")} | ${cpu("anynet")} | ${cpu("anynet-fast")} | ${cpu("api")} | ${cpu("floor")}${missed}`,
      );
    }
  } finally {
    for (const { child } of servers.values()) child.kill("SIGTERM");
  }
}

// Node and Bun run the built package.
if (options.build) run(bin("deno"), ["run", "-A", fromRoot("scripts/build.ts")], "build");
console.log(
  `serve: wrk, ${options.connections} connections, ${options.rounds} rounds of ${options.seconds} s per case` +
    (pin ? "; servers on core 0, wrk on core 1" : "; not pinned"),
);
for (const name of options.legs) {
  let leg: Leg;
  try {
    leg = findLeg(name);
  } catch (error) {
    if (!(error instanceof LegUnavailable)) throw error;
    log(`${name} skipped: ${error.message}`);
    continue;
  }
  await measureLeg(leg);
}
