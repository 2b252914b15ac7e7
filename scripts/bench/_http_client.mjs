// The client side of the HTTP benchmark, run once per runtime (node, deno, bun) against
// the same server. Five clients take turns in batches:
//   fetch          raw fetch, the baseline;
//   fetch again    the same code a second time: its ratio to the first shows how far two
//                  identical clients drift apart on this machine (the noise floor);
//   fetch+timeout  fetch with AbortSignal.timeout(), what a careful engineer writes by hand;
//   fetch+options  fetch given what get() gives it: redirect "manual" (anynet follows
//                  redirects itself, to keep credentials on their origin) and an abort
//                  signal shared by the requests that start within the same 25 ms, as
//                  anynet's timeouts share them; the rest of get()'s cost is anynet's own;
//   get()          anynet's client with its defaults (10 s timeout, retries, manual redirects).
//
// Every round runs each client for one batch, in a fresh random order, after a full
// garbage collection where the runtime allows one: otherwise the garbage one client
// leaves behind is collected during the next client's batch, and a fixed order would
// charge it to the same neighbour every time. Prints one JSON line with each client's
// per-batch requests/s.
//
// Usage: <runtime> _http_client.mjs URL BATCH ROUNDS CONCURRENCY
// It imports "anynet/http" by name: Node gets the built dist/, Bun and Deno the sources.
import { get } from "anynet/http";

const argv = globalThis.Deno ? Deno.args : process.argv.slice(2);
const [url, batch, rounds, concurrency] = [argv[0], ...argv.slice(1).map(Number)];

const viaFetch = async () => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`status ${response.status}`);
  await response.text();
};
const viaFetchAgain = async () => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`status ${response.status}`);
  await response.text();
};
const viaFetchTimeout = async () => {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`status ${response.status}`);
  await response.text();
};
let slotStart = -Infinity;
let slotController;
const sharedSignal = () => {
  const now = performance.now();
  if (now - slotStart >= 25) {
    slotStart = now;
    slotController = new AbortController();
  }
  return slotController.signal;
};
const viaFetchOptions = async () => {
  const response = await fetch(url, { redirect: "manual", signal: sharedSignal() });
  if (!response.ok) throw new Error(`status ${response.status}`);
  await response.text();
};
const viaGet = async () => {
  const response = await get(url);
  await response.text();
};
const clients = {
  fetch: viaFetch,
  fetchAgain: viaFetchAgain,
  fetchTimeout: viaFetchTimeout,
  fetchOptions: viaFetchOptions,
  get: viaGet,
};

const collectGarbage = globalThis.gc ?? (globalThis.Bun ? () => globalThis.Bun.gc(true) : undefined);
if (!collectGarbage) console.error("bench http: no way to collect garbage between batches here");

/** Requests per second of `one` over `count` requests at the set concurrency. */
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
  return count / ((performance.now() - started) / 1000);
}

// Warm up every path (JIT, connection pool).
for (const one of Object.values(clients)) await measure(one, Math.min(2000, batch * 2));

const rps = Object.fromEntries(Object.keys(clients).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  const order = Object.keys(clients);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const name of order) {
    collectGarbage?.();
    // A moment for the runtime's own threads to settle after the collection.
    await new Promise((resolve) => setTimeout(resolve, 5));
    rps[name].push(await measure(clients[name], batch));
  }
}
console.log(JSON.stringify(rps));
