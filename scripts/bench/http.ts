/**
 * HTTP client benchmark (`npm run bench -- http [--requests N] [--concurrency C] [--rounds R]`):
 * requests per second of anynet's `get()` against raw `fetch` on Node, Deno and Bun, each
 * against the same local server (anynet's serve() on Deno, in its own process) with the
 * same concurrency, in one run. Prints the ratio get()/fetch per runtime (the target is
 * at least 0.95), and get() against fetch with `AbortSignal.timeout()`, since any
 * per-request timeout costs fetch itself something on Node and Bun.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { bin, fromRoot, root, run } from "../_run.ts";

function flag(name: string, fallback: number, max: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const value = Number(Deno.args[i + 1]);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    console.error(`bench http: --${name} must be an integer from 1 to ${max}: got '${Deno.args[i + 1]}'`);
    Deno.exit(2);
  }
  return value;
}

const requests = flag("requests", 4000, 100_000);
const concurrency = flag("concurrency", 16, 256);
const rounds = flag("rounds", 4, 20);

// Node runs the built package.
run(bin("deno"), ["run", "-A", fromRoot("scripts/build.ts")], "build");

const server = spawn(bin("deno"), ["run", "-A", fromRoot("scripts/bench/_http_server.ts")], {
  cwd: root,
  stdio: ["ignore", "pipe", "inherit"],
});
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
  ["node", "node", [client]],
  ["deno", bin("deno"), ["run", "-A", client]],
  ["bun", bin("bun"), [client]],
];

console.log(
  `http: ${requests} requests × ${rounds} rounds per client, concurrency ${concurrency}, server: anynet serve() on Deno (${url})`,
);
console.log("runtime  fetch req/s   fetch+timeout req/s   get() req/s   get()/fetch   get()/(fetch+timeout)");
const results: string[] = [];
try {
  for (const [name, command, args] of runtimes) {
    const result = spawnSync(command, [...args, url, String(requests), String(concurrency), String(rounds)], {
      cwd: root,
      encoding: "utf8",
      timeout: 300_000,
    });
    if (result.status !== 0) {
      console.log(`${name.padEnd(8)} failed: ${(result.stderr || result.error?.message || "").trim().split("\n")[0]}`);
      continue;
    }
    const { fetchRps, fetchTimeoutRps, getRps } = JSON.parse(result.stdout.trim().split("\n").pop()!);
    const ratio = getRps / fetchRps;
    const line =
      `${name.padEnd(8)} ${fetchRps.toFixed(0).padStart(11)}   ${fetchTimeoutRps.toFixed(0).padStart(19)}   ` +
      `${getRps.toFixed(0).padStart(11)}   ${ratio.toFixed(3).padStart(11)}   ${
        (getRps / fetchTimeoutRps).toFixed(3).padStart(21)
      }` +
      (ratio >= 0.95 ? "" : "   (get()/fetch below 0.95)");
    console.log(line);
    results.push(line);
  }
} finally {
  server.kill("SIGTERM");
}
