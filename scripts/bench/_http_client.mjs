// The client side of the HTTP benchmark, run once per runtime (node, deno, bun) against
// the same server: raw fetch and anynet's get(), same concurrency, alternating rounds so
// that drift on a shared machine hits both alike. Prints one JSON line.
//
// A third client, fetch with AbortSignal.timeout(), shows what a timeout alone costs.
//
// Usage: <runtime> _http_client.mjs URL REQUESTS CONCURRENCY ROUNDS
// It imports "anynet/http" by name: Node gets the built dist/, Bun and Deno the sources.
import { get } from "anynet/http";

const [url, requests, concurrency, rounds] = [
  (globalThis.Deno ? Deno.args : process.argv.slice(2))[0],
  ...(globalThis.Deno ? Deno.args : process.argv.slice(2)).slice(1).map(Number),
];

const viaFetch = async () => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`status ${response.status}`);
  await response.text();
};
// What a careful engineer writes by hand: fetch with a per-request timeout.
const viaFetchTimeout = async () => {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`status ${response.status}`);
  await response.text();
};
const viaGet = async () => {
  const response = await get(url);
  await response.text();
};

async function measure(one, count) {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

// Warm up every path (JIT, connection pool).
await measure(viaFetch, Math.min(1000, requests));
await measure(viaFetchTimeout, Math.min(1000, requests));
await measure(viaGet, Math.min(1000, requests));

// Many short batches in rotating order: a shared, noisy machine drifts over seconds, and
// fine interleaving spreads that drift evenly over the clients.
const batch = Math.min(500, requests);
const batches = Math.ceil((requests * rounds) / batch);
const clients = [["fetch", viaFetch], ["fetchTimeout", viaFetchTimeout], ["get", viaGet]];
const ms = { fetch: 0, fetchTimeout: 0, get: 0 };
for (let i = 0; i < batches; i++) {
  for (let j = 0; j < clients.length; j++) {
    const [name, one] = clients[(i + j) % clients.length];
    ms[name] += await measure(one, batch);
  }
}
const total = batch * batches;
const rps = (name) => (total / ms[name]) * 1000;
console.log(JSON.stringify({ fetchRps: rps("fetch"), fetchTimeoutRps: rps("fetchTimeout"), getRps: rps("get") }));
