/**
 * How `request()` goes through a cache (the `cache` option): it looks for a stored
 * response the request selects, answers from it while it may (a hit), otherwise asks the
 * server, conditionally when the stored response has a validator, merges a 304 into what
 * is stored (revalidated), and stores a new response as the caller reads its body (a
 * miss). Unsafe methods that succeed drop what is stored for their URL. It sits above the
 * retry loop, so retries, redirects, timeouts and `maxBodyBytes` work as without a cache,
 * on every runtime. The rules it applies are in _cache_policy.ts, the stores in cache.ts.
 *
 * To change when the cache is asked, what a hit looks like or how a body is stored, edit
 * it here.
 *
 * @module
 */
import { Attempt } from "./_attempt.ts";
import { describeValue, refuse } from "../_argument_checks.ts";
import { isEncoded } from "./_body_meter.ts";
import { concatBytes } from "../_bytes.ts";
import { NULL_BODY_STATUSES } from "../_fetch_spec.ts";
import type { PreparedRequest } from "./_request_plan.ts";
import { sendWithRetries } from "./_retry_loop.ts";
import { type CachedResponse, type CacheOutcome, type CacheStore, MemoryCache } from "./cache.ts";
import {
  currentAge,
  isCallerConditional,
  isStorable,
  isUsableWithoutAsking,
  mergeNotModified,
  requestCacheControl,
  varyMatches,
  varyValues,
} from "./_cache_policy.ts";
import { HttpResponse } from "./response.ts";

/** Methods that change nothing on the server (RFC 9110 §9.2.1): they never invalidate. */
const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

/** Variants kept per URL: a response that varies on a header with many values must not fill the store. */
const MAX_VARIANTS = 8;

/** The store `cache: true` uses, made on first use and shared by every request of the process. */
let sharedStore: MemoryCache | undefined;

/**
 * The store a `cache` option names: none for `undefined` or `false`, the shared in-memory
 * store for `true`, or the caller's own store.
 *
 * @throws {TypeError} For anything else.
 */
export function cacheStoreFor(option: unknown): CacheStore | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return sharedStore ??= new MemoryCache();
  const store = option as Partial<CacheStore> | null;
  if (
    typeof store === "object" && store !== null && typeof store.get === "function" &&
    typeof store.set === "function" && typeof store.delete === "function" && typeof store.maxEntryBytes === "number"
  ) {
    return store as CacheStore;
  }
  refuse(
    "send the request",
    `'cache' must be true, false or a store with get(), set(), delete() and maxEntryBytes: got ${
      describeValue(option)
    }`,
  );
}

/** The key a response is stored under: the method and the URL without its fragment. */
function cacheKey(method: string, href: string): string {
  const hash = href.indexOf("#");
  return `${method} ${hash < 0 ? href : href.slice(0, hash)}`;
}

/** The variants stored under `key`; a store that fails counts as empty, so the request goes to the server. */
async function storedVariants(store: CacheStore, key: string): Promise<readonly CachedResponse[]> {
  try {
    return (await store.get(key)) ?? [];
  } catch {
    return [];
  }
}

/**
 * Stores `entry` under `key`, in place of the variants the same request would select.
 * A store that fails leaves the response uncached; the caller still gets it.
 */
async function storeVariant(
  store: CacheStore,
  key: string,
  entry: CachedResponse,
  requestHeaders: Headers | undefined,
): Promise<void> {
  try {
    const others = (await storedVariants(store, key)).filter((variant) => !varyMatches(variant, requestHeaders));
    await store.set(key, [...others.slice(-(MAX_VARIANTS - 1)), entry]);
  } catch {
    // A cache is an optimisation: failing to fill it must not fail the request.
  }
}

/** Drops what is stored for a URL an unsafe method changed, and for the same-origin URLs its answer names (RFC 9111 §4.4). */
async function invalidate(store: CacheStore, href: string, response: HttpResponse): Promise<void> {
  const origin = new URL(href).origin;
  const targets = [href];
  for (const name of ["location", "content-location"]) {
    const value = response.headers.get(name);
    if (value === null) continue;
    try {
      const target = new URL(value, response.url);
      if (target.origin === origin) targets.push(target.href);
    } catch {
      // A header that is not a URL names nothing to drop.
    }
  }
  try {
    for (const target of targets) {
      await store.delete(cacheKey("GET", target));
      await store.delete(cacheKey("HEAD", target));
    }
  } catch {
    // As when storing: the store's failure is not the request's.
  }
}

/**
 * A response answered from a stored one: its status, headers (with an `Age` saying how old
 * it is, RFC 9111 §5.1) and body, judged like a response from the server (`maxBodyBytes`,
 * `throwHttpErrors`).
 */
async function answerFromStore(
  prepared: PreparedRequest,
  stored: CachedResponse,
  outcome: CacheOutcome,
  now: number,
): Promise<HttpResponse> {
  const method = prepared.plan.method;
  const headers = new Headers(stored.headers);
  headers.set("age", String(Math.floor(currentAge(headers, stored.requestTime, stored.responseTime, now) / 1000)));
  // Response copies the bytes it is given (Fetch, "extract a body"): the stored body stays as it is.
  const body = method === "HEAD" || NULL_BODY_STATUSES.has(stored.status)
    ? null
    : stored.body as Uint8Array<ArrayBuffer>;
  const raw = new Response(body, { status: stored.status, statusText: stored.statusText, headers });
  // No timer: nothing is left to wait for, the body is in memory.
  const attempt = new Attempt(method, stored.url, undefined, Infinity, Infinity, Infinity, false);
  const response = new HttpResponse(raw, attempt, 0, prepared.plan.maxBodyBytes);
  response.setCached(outcome);
  if (response.status >= 400 && prepared.throwHttpErrors) throw await response.toHttpError();
  return response;
}

/**
 * The response as the caller gets it, with its body copied into `save` on the way: up to
 * `limit` bytes, past which the copy is dropped and the body flows on unstored. The body
 * is read through the response's own stream, so its timeout, `maxBodyBytes` and errors
 * are those of any response.
 */
async function teeToStore(
  prepared: PreparedRequest,
  response: HttpResponse,
  limit: number,
  save: (body: Uint8Array) => Promise<void>,
): Promise<HttpResponse> {
  const { status, statusText, headers } = response;
  const source = response.body;
  // The attempt that reads the copy needs no timer: the response's own attempt times the body.
  const attempt = new Attempt(response.method, response.url, prepared.signal, Infinity, Infinity, Infinity, false);
  const teed = (body: ReadableStream<Uint8Array> | null) => {
    const made = new HttpResponse(
      new Response(body, { status, statusText, headers }),
      attempt,
      response.redirects,
      undefined,
    );
    made.setCached("miss");
    return made;
  };
  if (source === null) {
    await save(new Uint8Array(0));
    return teed(null);
  }
  const reader = source.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let keep = true;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (error) {
        controller.error(error);
        return;
      }
      if (step.done) {
        if (keep) await save(concatBytes(chunks));
        controller.close();
        return;
      }
      const chunk = step.value;
      if (keep) {
        size += chunk.byteLength;
        keep = size <= limit;
        // A copy: the caller owns the chunk it is given, and a small view may hold a large buffer.
        if (keep) chunks.push(chunk.slice());
        else chunks.length = 0;
      }
      controller.enqueue(chunk);
    },
    cancel(reason) {
      keep = false;
      return reader.cancel(reason);
    },
  });
  return teed(stream);
}

/** The prepared request with conditional headers from a stored response's validators, or `undefined` when it has none. */
function conditionalRequest(prepared: PreparedRequest, stored: CachedResponse): PreparedRequest | undefined {
  const storedHeaders = new Headers(stored.headers);
  const etag = storedHeaders.get("etag");
  const lastModified = storedHeaders.get("last-modified");
  if (etag === null && lastModified === null) return undefined;
  const headers = new Headers(prepared.plan.headers);
  if (etag !== null) headers.set("if-none-match", etag);
  if (lastModified !== null) headers.set("if-modified-since", lastModified);
  // Other headers than the plan's: its fetch template (a Request with its headers) does not apply.
  return { ...prepared, plan: { ...prepared.plan, headers, repeated: false, fetchTemplate: undefined } };
}

/** Sends a prepared request through `store`; see the module's description. */
export async function sendCached(prepared: PreparedRequest, store: CacheStore): Promise<HttpResponse> {
  const { plan } = prepared;
  const { method, href } = plan;
  // A hit sends nothing, so the retry loop's own check of the caller's signal would not run.
  prepared.signal?.throwIfAborted();
  const requestHeaders = plan.headers;
  if ((method !== "GET" && method !== "HEAD") || isCallerConditional(requestHeaders)) {
    const response = await sendWithRetries(prepared);
    response.setCached("miss");
    if (!SAFE_METHODS.has(method) && response.status >= 200 && response.status < 400) {
      await invalidate(store, href, response);
    }
    return response;
  }
  const now = () => store.now?.() ?? Date.now();
  const key = cacheKey(method, href);
  const requestCc = requestCacheControl(requestHeaders);
  const stored = (await storedVariants(store, key)).find((variant) => varyMatches(variant, requestHeaders));
  if (stored !== undefined && isUsableWithoutAsking(stored, requestCc, now())) {
    return answerFromStore(prepared, stored, "hit", now());
  }
  const conditional = stored === undefined ? undefined : conditionalRequest(prepared, stored);
  const requestTime = now();
  const response = await sendWithRetries(conditional ?? prepared);
  const responseTime = now();
  if (stored !== undefined && conditional !== undefined && response.status === 304) {
    await response.discard();
    const headers = mergeNotModified(new Headers(stored.headers), response.headers);
    const updated: CachedResponse = { ...stored, headers: [...headers], requestTime, responseTime };
    if (!requestCc.has("no-store")) await storeVariant(store, key, updated, requestHeaders);
    return answerFromStore(prepared, updated, "revalidated", responseTime);
  }
  response.setCached("miss");
  // A response reached through redirects answers another URL than the one asked for: not stored.
  if (response.redirects > 0 || !isStorable(method, response.status, requestCc, response.headers, responseTime)) {
    return response;
  }
  const save = (body: Uint8Array) =>
    storeVariant(store, key, {
      url: response.url,
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
      body,
      varyValues: varyValues(response.headers.get("vary"), requestHeaders),
      requestTime,
      responseTime,
    }, requestHeaders);
  if (method === "HEAD" || NULL_BODY_STATUSES.has(response.status)) {
    await save(new Uint8Array(0));
    return response;
  }
  // A body whose declared length is over `maxBodyBytes` is refused as soon as it is read:
  // the caller gets the response as it is, to see that, and nothing is stored.
  const declared = Number(response.headers.get("content-length"));
  const limit = plan.maxBodyBytes;
  if (limit !== undefined && declared > limit && !isEncoded(response.headers.get("content-encoding"))) return response;
  return teeToStore(prepared, response, store.maxEntryBytes, save);
}
