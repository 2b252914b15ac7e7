/**
 * HTTP client benchmark (`npm run bench -- http [--batch-ms MS] [--rounds R] [--concurrency C]
 * [--runtimes LIST]`): requests per second of anynet's `get()` against raw `fetch` on every
 * Node of the test matrix (22, 24, 26), Deno and Bun, each against the same local server
 * (anynet's serve() on Deno, in its own process) with the same concurrency, in one run.
 * Targets: on Node, where get() goes through anynet's own HTTP/1.1 transport, get()/fetch ≥ 2;
 * on Deno and Bun, where it goes through fetch, ≥ 0.9.
 *
 * Method: on a machine with two or more cores the server is pinned to the first core and
 * the client to the second (taskset), so that the two never compete for one core and the
 * client's own cost decides its speed. Each client process runs its clients (six, nine on
 * Node) in rounds of one batch each (about MS milliseconds of requests, 250 by default), in
 * a random order every round (see _http_client.mjs). Each figure is the median over the
 * rounds of that round's ratio of two clients' requests/s, with the quartiles where it is a
 * target: both clients of a ratio ran within the same round, so what the shared machine
 * did meanwhile weighs on both alike. Reported per runtime:
 * - get()/fetch: the figure the targets are about;
 * - "fetch again"/fetch: the same ratio for two identical fetch clients, which is how much
 *   this machine's noise alone moves a ratio;
 * - (fetch + signal)/fetch: fetch given only the shared abort signal get()'s timeout uses,
 *   the runtime's own price for a fetch that can be aborted;
 * - (fetch + options)/fetch: fetch given all get() gives it (that signal and redirect
 *   "manual"), the part of the gap that is the runtime's;
 * - get()/(fetch + AbortSignal.timeout()): against fetch with a hand-written timeout.
 * And on Node:
 * - agent/fetch: a bare keep-alive node:http agent, the ceiling of any client on node:http;
 * - get()/agent: anynet's transport against that bare agent;
 * - get(fetch)/fetch: get() with `transport: "fetch"`, the client as it runs on fetch;
 * - raw/fetch: a bare HTTP/1.1 client on node:net (_h1_proto.mjs), the ceiling of any client
 *   that writes HTTP/1.1 itself.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { numberFlag, parseFlags, readCommandLine, UsageError } from "../_args.ts";
import { bin, fromRoot, root, run } from "../_run.ts";
import { findLeg, LEG_NAMES, LegUnavailable } from "../_legs.ts";

const USAGE = "Usage: npm run bench -- http [--batch-ms MS] [--rounds R] [--concurrency C] [--runtimes LIST]\n" +
  "  --batch-ms MS      milliseconds of requests per batch (default 250)\n" +
  "  --rounds R         rounds of one batch per client (default 40)\n" +
  "  --concurrency C    requests in flight per client (default 16)\n" +
  `  --runtimes LIST    comma-separated, of ${LEG_NAMES.join(", ")} (default all)`;

const { batchMs, rounds, concurrency, legs } = readCommandLine("bench http", USAGE, () => {
  const { flags } = parseFlags(Deno.args, {
    "batch-ms": { type: "string" },
    rounds: { type: "string" },
    concurrency: { type: "string" },
    runtimes: { type: "string" },
  });
  const legs = flags.runtimes === undefined ? [...LEG_NAMES] : flags.runtimes.split(",").map((name) => name.trim());
  const unknown = legs.find((name) => !LEG_NAMES.includes(name));
  if (unknown !== undefined || legs.length === 0) {
    throw new UsageError(`--runtimes takes names of ${LEG_NAMES.join(", ")}: got '${flags.runtimes}'`);
  }
  return {
    batchMs: numberFlag("--batch-ms", flags["batch-ms"], 250, { min: 1, max: 10_000, integer: true }),
    rounds: numberFlag("--rounds", flags.rounds, 40, { min: 1, max: 1000, integer: true }),
    concurrency: numberFlag("--concurrency", flags.concurrency, 16, { min: 1, max: 256, integer: true }),
    legs,
  };
});

// Node runs the built package.
run(bin("deno"), ["run", "-A", fromRoot("scripts/build.ts")], "build");

const pin = availableParallelism() >= 2 && spawnSync("taskset", ["-c", "0", "true"]).status === 0;
const onCore = (core: number, command: string, args: string[]): [string, string[]] =>
  pin ? ["taskset", ["-c", String(core), command, ...args]] : [command, args];

const [serverCommand, serverArgs] = onCore(0, bin("deno"), ["run", "-A", fromRoot("scripts/bench/_http_server.ts")]);
const server = spawn(serverCommand, serverArgs, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
const port = await new Promise<number>((resolve, reject) => {
  let out = "";
  const timer = setTimeout(() => reject(new Error("the benchmark server did not start")), 20_000);
  server.stdout!.on("data", (chunk: Uint8Array) => {
    out += new TextDecoder().decode(chunk);
    const match = /port (\d+)/.exec(out);
    if (match) {
      clearTimeout(timer);
      resolve(Number(match[1]));
    }
  });
});
const url = `http://127.0.0.1:${port}/`;
const client = fromRoot("scripts/bench/_http_client.mjs");
// Every Node of the test matrix (scripts/_legs.ts), then Deno and Bun.
const runtimes: { name: string; version: string; command: string; args: string[] }[] = [];
for (const name of legs) {
  try {
    const leg = findLeg(name);
    const args = leg.runtime === "deno" ? ["run", "-A", client] : [client];
    runtimes.push({ name, version: leg.version, command: leg.command, args });
  } catch (error) {
    if (!(error instanceof LegUnavailable)) throw error;
    console.log(`${name}: skipped: ${error.message}`);
  }
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const quantile = (values: number[], q: number) => sorted(values)[Math.round((values.length - 1) * q)];
// Requests over time across all batches (each batch has the same number of requests).
const overall = (values: number[]) => values.length / values.reduce((sum, rps) => sum + 1 / rps, 0);

console.log(
  `http: ${rounds} rounds of ${batchMs} ms batches per client, concurrency ${concurrency}, ` +
    `server: anynet serve() on Deno (${url}); clients: ${runtimes.map((r) => `${r.name} ${r.version}`).join(", ")}` +
    (pin ? "; server on core 0, clients on core 1" : "; not pinned (taskset or a second core missing)"),
);
console.log("Medians over the rounds of each round's ratio; [first, third quartile] for the targets.");
console.log(
  "runtime   fetch req/s  get() req/s  get()/fetch [q1, q3]   fetch again  (fetch+signal)  (fetch+options)  " +
    "get()/(fetch+timeout)   agent/fetch [q1, q3]   get()/agent  get(fetch)/fetch   raw/fetch [q1, q3]",
);
try {
  for (const { name, command, args } of runtimes) {
    const [c, a] = onCore(1, command, [...args, url, String(batchMs), String(rounds), String(concurrency)]);
    const result = spawnSync(c, a, { cwd: root, encoding: "utf8", timeout: 900_000 });
    if (result.status !== 0) {
      console.log(`${name.padEnd(8)} failed: ${(result.stderr || result.error?.message || "").trim().split("\n")[0]}`);
      continue;
    }
    const { rps }: { batch: number; rps: Record<string, number[]> } = JSON.parse(
      result.stdout.trim().split("\n").pop()!,
    );
    const ratios = (a: string, b: string) => rps[a].map((value, i) => value / rps[b][i]);
    const median = (a: string, b: string) => quantile(ratios(a, b), 0.5).toFixed(3);
    const spread = (a: string, b: string) => {
      const values = ratios(a, b);
      return `${quantile(values, 0.5).toFixed(3)} [${quantile(values, 0.25).toFixed(3)}, ${
        quantile(values, 0.75).toFixed(3)
      }]`;
    };
    const isNode = name.startsWith("node");
    const target = isNode ? 2 : 0.9;
    const met = quantile(ratios("get", "fetch"), 0.5) >= target;
    console.log(
      `${name.padEnd(8)} ${overall(rps.fetch).toFixed(0).padStart(12)}  ${overall(rps.get).toFixed(0).padStart(11)}  ` +
        `${spread("get", "fetch").padEnd(22)}  ${median("fetchAgain", "fetch").padStart(11)}  ` +
        `${median("fetchSignal", "fetch").padStart(14)}  ${median("fetchOptions", "fetch").padStart(15)}  ` +
        `${median("get", "fetchTimeout").padStart(21)}   ` +
        (isNode
          ? `${spread("agent", "fetch").padEnd(22)} ${median("get", "agent").padStart(12)}  ` +
            `${median("getFetch", "fetch").padStart(16)}   ${spread("raw", "fetch")}`
          : `${"-".padEnd(22)} ${"-".padStart(12)}  ${"-".padStart(16)}   -`) +
        (met ? "" : `   (get()/fetch below ${target})`),
    );
  }
} finally {
  server.kill("SIGTERM");
}
