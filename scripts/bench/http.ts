/**
 * HTTP client benchmark (`npm run bench -- http [--batch-ms MS] [--rounds R] [--concurrency C]`):
 * requests per second of anynet's `get()` against raw `fetch` on Node, Deno and Bun, each
 * against the same local server (anynet's serve() on Deno, in its own process) with the
 * same concurrency, in one run. The target is get()/fetch ≥ 0.95 on every runtime.
 *
 * Method: on a machine with two or more cores the server is pinned to the first core and
 * the client to the second (taskset), so that the two never compete for one core and the
 * client's own cost decides its speed. Each client process runs six clients in rounds of
 * one batch each (about MS milliseconds of requests, 250 by default), in a random order
 * every round (see _http_client.mjs). Reported per runtime:
 * - get()/fetch: total requests over total time, the figure the target is about;
 * - its median over the rounds' batch-by-batch ratios, with the quartiles;
 * - "fetch again"/fetch: the same ratio for two identical fetch clients, which is how much
 *   this machine's noise alone moves a ratio;
 * - (fetch + signal)/fetch: fetch given only the shared abort signal get()'s timeout uses,
 *   the runtime's own price for a fetch that can be aborted;
 * - (fetch + options)/fetch: fetch given all get() gives it (that signal and redirect
 *   "manual"), the part of the gap that is the runtime's;
 * - get()/(fetch + options): the rest, anynet's own cost;
 * - get()/(fetch + AbortSignal.timeout()): against fetch with a hand-written timeout.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { numberFlag, parseFlags, readCommandLine } from "../_args.ts";
import { bin, fromRoot, root, run } from "../_run.ts";
import { benchNode } from "./_node.ts";

const USAGE = "Usage: npm run bench -- http [--batch-ms MS] [--rounds R] [--concurrency C]\n" +
  "  --batch-ms MS      milliseconds of requests per batch (default 250)\n" +
  "  --rounds R         rounds of one batch per client (default 40)\n" +
  "  --concurrency C    requests in flight per client (default 16)";

const { batchMs, rounds, concurrency } = readCommandLine("bench http", USAGE, () => {
  const { flags } = parseFlags(Deno.args, {
    "batch-ms": { type: "string" },
    rounds: { type: "string" },
    concurrency: { type: "string" },
  });
  return {
    batchMs: numberFlag("--batch-ms", flags["batch-ms"], 250, { min: 1, max: 10_000, integer: true }),
    rounds: numberFlag("--rounds", flags.rounds, 40, { min: 1, max: 1000, integer: true }),
    concurrency: numberFlag("--concurrency", flags.concurrency, 16, { min: 1, max: 256, integer: true }),
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
const runtimes: [string, string, string[]][] = [
  ["node", benchNode.command, [client]],
  ["deno", bin("deno"), ["run", "-A", client]],
  ["bun", bin("bun"), [client]],
];

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const quantile = (values: number[], q: number) => sorted(values)[Math.round((values.length - 1) * q)];
// Requests over time across all batches (each batch has the same number of requests).
const overall = (values: number[]) => values.length / values.reduce((sum, rps) => sum + 1 / rps, 0);

console.log(
  `http: ${rounds} rounds of ${batchMs} ms batches per client, concurrency ${concurrency}, ` +
    `server: anynet serve() on Deno (${url}); clients on node ${benchNode.version}, deno, bun` +
    (pin ? ", server on core 0, clients on core 1" : ", not pinned (taskset or a second core missing)"),
);
console.log(
  "runtime  fetch req/s  get() req/s  get()/fetch  median [q1, q3] of batches  fetch again/fetch  " +
    "(fetch+signal)/fetch  (fetch+options)/fetch  get()/(fetch+options)  get()/(fetch+timeout)",
);
try {
  for (const [name, command, args] of runtimes) {
    const [c, a] = onCore(1, command, [...args, url, String(batchMs), String(rounds), String(concurrency)]);
    const result = spawnSync(c, a, { cwd: root, encoding: "utf8", timeout: 900_000 });
    if (result.status !== 0) {
      console.log(`${name.padEnd(8)} failed: ${(result.stderr || result.error?.message || "").trim().split("\n")[0]}`);
      continue;
    }
    const { batch, rps }: { batch: number; rps: Record<string, number[]> } = JSON.parse(
      result.stdout.trim().split("\n").pop()!,
    );
    const ratios = rps.get.map((value, i) => value / rps.fetch[i]);
    const ratio = overall(rps.get) / overall(rps.fetch);
    const spread = `${quantile(ratios, 0.5).toFixed(3)} [${quantile(ratios, 0.25).toFixed(3)}, ${
      quantile(ratios, 0.75).toFixed(3)
    }]`;
    console.log(
      `${name.padEnd(8)} ${overall(rps.fetch).toFixed(0).padStart(11)}  ${overall(rps.get).toFixed(0).padStart(11)}  ` +
        `${ratio.toFixed(3).padStart(11)}  ${spread.padEnd(26)}  ` +
        `${(overall(rps.fetchAgain) / overall(rps.fetch)).toFixed(3).padStart(17)}  ` +
        `${(overall(rps.fetchSignal) / overall(rps.fetch)).toFixed(3).padStart(20)}  ` +
        `${(overall(rps.fetchOptions) / overall(rps.fetch)).toFixed(3).padStart(21)}  ` +
        `${(overall(rps.get) / overall(rps.fetchOptions)).toFixed(3).padStart(21)}  ` +
        `${(overall(rps.get) / overall(rps.fetchTimeout)).toFixed(3).padStart(21)}` +
        `  batch ${batch}` + (ratio >= 0.95 ? "" : "   (get()/fetch below 0.95)"),
    );
  }
} finally {
  server.kill("SIGTERM");
}
