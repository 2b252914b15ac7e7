// The client side of the HTTP benchmark, run once per runtime (node, deno, bun) against
// the same server: raw fetch and anynet's get(), same concurrency, alternating rounds so
// that drift on a shared machine hits both alike. Prints one JSON line.
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

// Warm up both paths (JIT, connection pool).
await measure(viaFetch, Math.min(1000, requests));
await measure(viaGet, Math.min(1000, requests));

// Many short alternating batches: a shared, noisy machine drifts over seconds, and fine
// interleaving spreads that drift evenly over both clients.
const batch = Math.min(500, requests);
const batches = Math.ceil((requests * rounds) / batch);
let fetchMs = 0, getMs = 0;
for (let i = 0; i < batches; i++) {
  if (i % 2 === 0) {
    fetchMs += await measure(viaFetch, batch);
    getMs += await measure(viaGet, batch);
  } else {
    getMs += await measure(viaGet, batch);
    fetchMs += await measure(viaFetch, batch);
  }
}
const total = batch * batches;
console.log(JSON.stringify({ fetchRps: (total / fetchMs) * 1000, getRps: (total / getMs) * 1000 }));
