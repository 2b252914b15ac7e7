import { test } from "uvu";
import * as assert from "uvu/assert";
import { get, head, isBodyTooLargeError, MemoryCache, post, request } from "anynet/http";
import { type CachedResponse, type CacheStore, type HttpServer, serve } from "anynet/http";
import { CLIENT_TRANSPORTS, quickRetry } from "../_helpers/http_servers.ts";

/** Requests the server got, per path (with the query). */
const seen = new Map<string, Headers[]>();
const count = (path: string) => seen.get(path)?.length ?? 0;
const lastHeaders = (path: string) => seen.get(path)!.at(-1)!;
let version = 1;
const lastModified = new Date(Date.now() - 3600_000).toUTCString();

/**
 * The clock of every cache in this file, which the tests move on so that freshness runs
 * out without sleeping. The server dates its answers by it too: a cache measures a
 * response's age from its Date, and a clock ahead of the server's would age everything.
 */
const clock = { now: Date.now() };

/** The fixture: each path shows one caching behaviour. */
function answer(req: Request): Response {
  const response = respond(req);
  response.headers.set("date", new Date(clock.now).toUTCString());
  return response;
}

function respond(req: Request): Response {
  const url = new URL(req.url);
  const path = url.pathname + url.search;
  seen.set(path, [...(seen.get(path) ?? []), req.headers]);
  const n = count(path);
  const name = url.pathname;
  if (name === "/fresh") return new Response(`fresh ${n}`, { headers: { "cache-control": "max-age=60" } });
  if (name === "/etag") {
    const etag = `"v${version}"`;
    const headers = { "cache-control": "max-age=1", etag, "x-answer": String(n) };
    if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
    return new Response(`etag v${version}`, { headers });
  }
  if (name === "/modified") {
    const headers = { "cache-control": "max-age=1", "last-modified": lastModified };
    if (req.headers.get("if-modified-since") === lastModified) return new Response(null, { status: 304, headers });
    return new Response(`modified ${n}`, { headers });
  }
  if (name === "/lang") {
    const language = req.headers.get("accept-language") ?? "none";
    return new Response(`${language} ${n}`, { headers: { "cache-control": "max-age=60", vary: "Accept-Language" } });
  }
  if (name === "/nostore") return new Response(`nostore ${n}`, { headers: { "cache-control": "no-store" } });
  if (name === "/item" || name === "/other") {
    if (req.method === "POST") return new Response("created", { status: 201, headers: { location: "/other" } });
    return new Response(`${name} ${n}`, { headers: { "cache-control": "max-age=60" } });
  }
  if (name === "/big") {
    const size = Number(url.searchParams.get("n"));
    return new Response(new Uint8Array(size).fill(97), { headers: { "cache-control": "max-age=60" } });
  }
  if (name === "/flaky") {
    if (n === 1) return new Response("busy", { status: 503 });
    return new Response(`flaky ${n}`, { headers: { "cache-control": "max-age=60" } });
  }
  if (name === "/moved") return new Response(null, { status: 302, headers: { location: "/fresh?moved" } });
  return new Response("not found", { status: 404 });
}

/** A store on the test clock. */
function clockedCache(options: { maxBytes?: number; maxEntryBytes?: number } = {}) {
  return { cache: new MemoryCache({ ...options, now: () => clock.now }), clock };
}

let server: HttpServer;
const at = (path: string) => `${server.url}${path}`;

test("a fresh response is answered from the cache, without a request, on every transport", async () => {
  for (const transport of CLIENT_TRANSPORTS) {
    const { cache } = clockedCache();
    const path = `/fresh?t=${transport}`;
    const first = await get(at(path), { cache, transport });
    assert.is(first.cached, "miss");
    assert.is(await first.text(), "fresh 1");
    const second = await get(at(path), { cache, transport });
    assert.is(second.cached, "hit");
    assert.is(second.status, 200);
    assert.is(second.headers.get("cache-control"), "max-age=60");
    assert.match(second.headers.get("age") ?? "", /^\d+$/);
    assert.is(await second.text(), "fresh 1");
    assert.is(count(path), 1, transport);
  }
});

test("without the cache option responses say cached: undefined and nothing is stored", async () => {
  const response = await get(at("/fresh?plain"));
  assert.is(response.cached, undefined);
  await response.text();
  await (await get(at("/fresh?plain"))).text();
  assert.is(count("/fresh?plain"), 2);
});

test("a stale response is revalidated with If-None-Match; a 304 keeps the stored body and refreshes it", async () => {
  const { cache, clock } = clockedCache();
  version = 1;
  const first = await get(at("/etag"), { cache });
  assert.is(await first.text(), "etag v1");
  clock.now += 2000;
  const second = await get(at("/etag"), { cache });
  assert.is(second.cached, "revalidated");
  assert.is(lastHeaders("/etag").get("if-none-match"), '"v1"');
  assert.is(second.status, 200);
  assert.is(await second.text(), "etag v1");
  // Headers come from the 304: the server numbered its second answer.
  assert.is(second.headers.get("x-answer"), "2");
  // The 304 made the stored response fresh again.
  const third = await get(at("/etag"), { cache });
  assert.is(third.cached, "hit");
  assert.is(await third.text(), "etag v1");
  assert.is(count("/etag"), 2);
});

test("a stale response the server answers with 200 is replaced", async () => {
  const { cache, clock } = clockedCache();
  version = 1;
  await (await get(at("/etag"), { cache })).text();
  version = 2;
  clock.now += 2000;
  const changed = await get(at("/etag"), { cache });
  assert.is(changed.cached, "miss");
  assert.is(await changed.text(), "etag v2");
  const again = await get(at("/etag"), { cache });
  assert.is(again.cached, "hit");
  assert.is(await again.text(), "etag v2");
});

test("Last-Modified is revalidated with If-Modified-Since; request no-cache forces revalidation of a fresh one", async () => {
  const { cache, clock } = clockedCache();
  await (await get(at("/modified"), { cache })).text();
  clock.now += 2000;
  const revalidated = await get(at("/modified"), { cache });
  assert.is(revalidated.cached, "revalidated");
  assert.is(lastHeaders("/modified").get("if-modified-since"), lastModified);
  assert.is(await revalidated.text(), "modified 1");
  const forced = await get(at("/modified"), { cache, headers: { "cache-control": "no-cache" } });
  assert.is(forced.cached, "revalidated");
  assert.is(await forced.text(), "modified 1");
  assert.is(count("/modified"), 3);
});

test("Vary: Accept-Language keeps one variant per language", async () => {
  const { cache } = clockedCache();
  const ask = async (language: string) => {
    const response = await get(at("/lang"), { cache, headers: { "accept-language": language } });
    return `${response.cached}: ${await response.text()}`;
  };
  assert.is(await ask("en"), "miss: en 1");
  assert.is(await ask("fr"), "miss: fr 2");
  assert.is(await ask("en"), "hit: en 1");
  assert.is(await ask("fr"), "hit: fr 2");
  assert.is(count("/lang"), 2);
});

test("no-store in the response or in the request keeps a response out of the cache", async () => {
  const { cache } = clockedCache();
  for (let i = 1; i <= 2; i++) {
    const response = await get(at("/nostore"), { cache });
    assert.is(response.cached, "miss");
    assert.is(await response.text(), `nostore ${i}`);
  }
  await (await get(at("/fresh?asked-no-store"), { cache, headers: { "cache-control": "no-store" } })).text();
  const after = await get(at("/fresh?asked-no-store"), { cache });
  assert.is(after.cached, "miss");
  await after.text();
  assert.is(count("/fresh?asked-no-store"), 2);
});

test("a successful POST drops the stored responses of its URL and of a same-origin Location", async () => {
  const { cache } = clockedCache();
  for (const path of ["/item", "/other"]) {
    await (await get(at(path), { cache })).text();
    assert.is((await get(at(path), { cache })).cached, "hit");
  }
  const created = await post(at("/item"), { cache, body: "x" });
  assert.is(created.status, 201);
  assert.is(created.cached, "miss");
  await created.text();
  for (const path of ["/item", "/other"]) {
    const after = await get(at(path), { cache });
    assert.is(after.cached, "miss", path);
    assert.is(await after.text(), `${path} ${count(path)}`);
  }
});

test("the byte bound evicts the least recently used; a body over maxEntryBytes reaches the caller unstored", async () => {
  const { cache } = clockedCache({ maxBytes: 5000, maxEntryBytes: 2500 });
  for (const key of ["a", "b", "c"]) await (await get(at(`/big?n=2000&k=${key}`), { cache })).bytes();
  assert.ok(cache.bytes <= 5000, String(cache.bytes));
  assert.is(cache.size, 2);
  assert.is((await get(at("/big?n=2000&k=c"), { cache })).cached, "hit");
  const evicted = await get(at("/big?n=2000&k=a"), { cache });
  assert.is(evicted.cached, "miss");
  assert.is((await evicted.bytes()).byteLength, 2000);
  const large = await get(at("/big?n=4000&k=d"), { cache });
  const body = await large.bytes();
  assert.is(body.byteLength, 4000);
  assert.ok(body.every((byte) => byte === 97));
  assert.is((await get(at("/big?n=4000&k=d"), { cache })).cached, "miss");
  assert.is(count("/big?n=4000&k=d"), 2);
});

test("maxBodyBytes applies to a cached body; HEAD is cached apart from GET", async () => {
  const { cache } = clockedCache();
  await (await get(at("/big?n=3000&k=limit"), { cache })).bytes();
  const limited = await get(at("/big?n=3000&k=limit"), { cache, maxBodyBytes: 100 });
  assert.is(limited.cached, "hit");
  try {
    await limited.text();
    assert.unreachable("the cached body is over maxBodyBytes");
  } catch (error) {
    assert.ok(isBodyTooLargeError(error), String(error));
  }
  // On a miss the limit cuts the body off as without a cache, and the cut body is not stored.
  const cut = await get(at("/big?n=3000&k=cut"), { cache, maxBodyBytes: 100 });
  try {
    await cut.bytes();
    assert.unreachable("the body is over maxBodyBytes");
  } catch (error) {
    assert.ok(isBodyTooLargeError(error), String(error));
  }
  assert.is((await get(at("/big?n=3000&k=cut"), { cache })).cached, "miss");
  assert.is((await head(at("/fresh?head"), { cache })).cached, "miss");
  const headHit = await head(at("/fresh?head"), { cache });
  assert.is(headHit.cached, "hit");
  assert.is(await headHit.text(), "");
  assert.is((await get(at("/fresh?head"), { cache })).cached, "miss");
});

test("retries and redirects work through the cache; cache: true shares one store; a bad store is a TypeError", async () => {
  const { cache } = clockedCache();
  const retried = await get(at("/flaky"), { cache, retry: quickRetry });
  assert.is(await retried.text(), "flaky 2");
  assert.is((await get(at("/flaky"), { cache })).cached, "hit");
  const moved = await get(at("/moved"), { cache });
  assert.is(moved.redirects, 1);
  assert.is(await moved.text(), "fresh 1");
  await (await get(at("/fresh?shared"), { cache: true })).text();
  assert.is((await request(at("/fresh?shared"), { cache: true })).cached, "hit");
  try {
    await get(at("/fresh"), { cache: { get() {} } as never });
    assert.unreachable("a store without set() is refused");
  } catch (error) {
    assert.match(
      String(error),
      /TypeError: .*'cache' must be true, false or a store with get\(\), set\(\), delete\(\)/,
    );
  }
});

test("a store of your own may answer with promises; a store that throws never fails the request", async () => {
  const map = new Map<string, readonly CachedResponse[]>();
  const own: CacheStore = {
    maxEntryBytes: 1 << 16,
    get: (key) => Promise.resolve(map.get(key)),
    set: (key, variants) => Promise.resolve(void map.set(key, variants)),
    delete: (key) => Promise.resolve(void map.delete(key)),
    now: () => clock.now,
  };
  await (await get(at("/fresh?own"), { cache: own })).text();
  assert.equal([...map.keys()], [`GET ${at("/fresh?own")}`]);
  const hit = await get(at("/fresh?own"), { cache: own });
  assert.is(hit.cached, "hit");
  assert.is(await hit.text(), "fresh 1");
  const broken: CacheStore = {
    maxEntryBytes: 1 << 16,
    get: () => Promise.reject(new Error("store down")),
    set: () => {
      throw new Error("store down");
    },
    delete: () => Promise.reject(new Error("store down")),
  };
  for (let i = 1; i <= 2; i++) {
    const response = await get(at("/fresh?broken"), { cache: broken });
    assert.is(response.cached, "miss");
    assert.is(await response.text(), `fresh ${i}`);
  }
  assert.is((await post(at("/item"), { cache: broken, body: "x" })).status, 201);
});

// One server for the whole file.
test.before(async () => {
  server = await serve(answer, { hostname: "127.0.0.1", port: 0 });
});
test.after(() => server.close());

test.run();
