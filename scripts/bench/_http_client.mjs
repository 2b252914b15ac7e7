// The client side of the HTTP benchmark, run once per runtime (node, deno, bun) against
// the same server. Six clients take turns in batches (nine on Node):
//   fetch          raw fetch, the baseline;
//   fetch again    the same code a second time: its ratio to the first shows how far two
//                  identical clients drift apart on this machine (the noise floor);
//   fetch+timeout  fetch with AbortSignal.timeout(), what a careful engineer writes by hand;
//   fetch+signal   fetch given only the abort signal get() gives it (shared by the
//                  requests that start within the same 25 ms, as anynet's timeouts share
//                  them): what the runtime charges for a fetch that a timeout can abort;
//   fetch+options  fetch given what get() gives it: redirect "manual" (anynet follows
//                  redirects itself, to keep credentials on their origin) and an abort
//                  signal shared by the requests that start within the same 25 ms, as
//                  anynet's timeouts share them; the rest of get()'s cost is anynet's own;
//   get()          anynet's client with its defaults (10 s timeout, retries, manual redirects);
//                  on Node through its own HTTP/1.1 transport on node:net;
// and on Node only:
//   agent          bare node:http with a keep-alive agent (as many sockets as requests in
//                  flight), the ceiling of any client built on node:http;
//   getFetch       get() with `transport: "fetch"`, the client as it runs on fetch;
//   raw            a lean HTTP/1.1 client written on node:net (_h1_proto.mjs), the ceiling
//                  of a client that does not go through node:http.
//
// Every round runs each client for one batch, in a fresh random order. The garbage one
// client leaves behind is collected during whichever batch comes next; with a fixed
// order it would be charged to the same neighbour every time, with a random one it
// spreads over all clients alike. (A full collection before each batch would remove it,
// but it also throws away the JIT's work on code that only one client runs, which
// charges get() for a warm-up that a program calling it all the time never pays.)
// A batch is as many requests as raw fetch makes in BATCH_MS on this runtime (measured
// in the warm-up), so that every runtime's batches last about as long: short ones are
// at the mercy of the machine's hiccups. Prints one JSON line with each client's
// per-batch requests/s and the batch size.
//
// Usage: <runtime> _http_client.mjs URL BATCH_MS ROUNDS CONCURRENCY
// It imports "anynet/http" by name: Node gets the built dist/, Bun and Deno the sources.
import { get } from "anynet/http";

const isNode = !globalThis.Deno && !globalThis.Bun;

const argv = globalThis.Deno ? Deno.args : process.argv.slice(2);
const [url, batchMs, rounds, concurrency] = [argv[0], ...argv.slice(1).map(Number)];

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
const viaFetchSignal = async () => {
  const response = await fetch(url, { signal: sharedSignal() });
  if (!response.ok) throw new Error(`status ${response.status}`);
  await response.text();
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
  fetchSignal: viaFetchSignal,
  fetchOptions: viaFetchOptions,
  get: viaGet,
};
if (isNode) {
  const http = await import("node:http");
  const agent = new http.Agent({ keepAlive: true });
  const viaAgent = () =>
    new Promise((resolve, reject) => {
      http.get(url, { agent }, (response) => {
        if (response.statusCode !== 200) reject(new Error(`status ${response.statusCode}`));
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () => resolve(Buffer.concat(chunks).toString()));
        response.on("error", reject);
      }).on("error", reject);
    });
  const viaGetFetch = async () => {
    const response = await get(url, { transport: "fetch" });
    await response.text();
  };
  const { rawGet } = await import("./_h1_proto.mjs");
  const viaRaw = async () => {
    const response = await rawGet(url);
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    await response.text();
  };
  Object.assign(clients, { agent: viaAgent, getFetch: viaGetFetch, raw: viaRaw });
}

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

// Warm up every path (JIT, connection pool), then size the batches.
for (const one of Object.values(clients)) await measure(one, 2000);
const batch = Math.max(500, Math.round((await measure(viaFetch, 2000)) * batchMs / 1000));

const rps = Object.fromEntries(Object.keys(clients).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  const order = Object.keys(clients);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const name of order) rps[name].push(await measure(clients[name], batch));
}
console.log(JSON.stringify({ batch, rps }));
