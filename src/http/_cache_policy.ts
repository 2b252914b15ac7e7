/**
 * The rules of RFC 9111 for a private cache, as pure functions of headers and times: what
 * may be stored, how long a stored response stays fresh, how old it is, whether it may
 * answer a request without asking the server, and which stored variant a request's
 * headers select (`Vary`). All times are milliseconds since the epoch, from the cache's
 * clock. The flow that uses them (lookup, revalidation, storing) is in _cache_flow.ts.
 *
 * To change a caching rule, edit it here.
 *
 * @module
 */
import type { CachedResponse } from "./cache.ts";

/** Statuses a cache may give heuristic freshness (RFC 9110 §15.1, "heuristically cacheable"). */
export const HEURISTIC_STATUSES: ReadonlySet<number> = new Set([
  200,
  203,
  204,
  206,
  300,
  301,
  308,
  404,
  405,
  410,
  414,
  501,
]);

/** Heuristic freshness is this share of the time since `Last-Modified` (RFC 9111 §4.2.2 suggests 10%). */
const HEURISTIC_FRACTION = 0.1;
/** …and never longer than a day, so that a file unchanged for years is still checked daily. */
export const HEURISTIC_MAX_MS: number = 24 * 60 * 60 * 1000;

/** Request headers that make a request conditional or partial: the caller handles those answers itself. */
const CALLER_CONDITIONALS = [
  "if-none-match",
  "if-modified-since",
  "if-match",
  "if-unmodified-since",
  "if-range",
  "range",
];

/**
 * The directives of a `Cache-Control` value: lower-case names mapped to their argument
 * (unquoted), or to `""` for a directive without one. The first of a repeated directive
 * wins; an absent header gives an empty map.
 */
export function parseCacheControl(value: string | null): Map<string, string> {
  const directives = new Map<string, string>();
  if (value === null) return directives;
  for (const part of value.split(",")) {
    const at = part.indexOf("=");
    const name = (at < 0 ? part : part.slice(0, at)).trim().toLowerCase();
    if (name === "" || directives.has(name)) continue;
    const argument = at < 0 ? "" : part.slice(at + 1).trim().replace(/^"(.*)"$/, "$1");
    directives.set(name, argument);
  }
  return directives;
}

/** A directive's delta-seconds argument in ms, or `undefined` when absent or malformed. */
function deltaMs(directives: Map<string, string>, name: string): number | undefined {
  const argument = directives.get(name);
  return argument !== undefined && /^\d+$/.test(argument) ? Number(argument) * 1000 : undefined;
}

/** An HTTP date in ms, or `undefined` when absent or invalid. */
function httpDate(value: string | null): number | undefined {
  if (value === null) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}

/**
 * Whether a response may be stored (RFC 9111 §3): a GET or HEAD answered with a final
 * status the cache understands (not 206, which needs ranges, nor 304, which has no body
 * of its own), no `no-store` in the request or the response, no `Vary: *`, and something
 * that lets it be reused: explicit freshness, `public`/`private`, a heuristically cacheable
 * status, or a validator to revalidate it with. `private` is fine: this cache is private.
 */
export function isStorable(
  method: string,
  status: number,
  requestCc: Map<string, string>,
  headers: Headers,
  responseTime: number,
): boolean {
  if (method !== "GET" && method !== "HEAD") return false;
  if (status < 200 || status === 206 || status === 304) return false;
  if (requestCc.has("no-store")) return false;
  const cc = parseCacheControl(headers.get("cache-control"));
  if (cc.has("no-store")) return false;
  if (headers.get("vary")?.trim() === "*") return false;
  if (
    !HEURISTIC_STATUSES.has(status) && !cc.has("max-age") && !headers.has("expires") && !cc.has("public") &&
    !cc.has("private")
  ) {
    return false;
  }
  // A response that is stale at once and has no validator could never be used.
  return freshnessLifetime(status, headers, responseTime) > 0 || headers.has("etag") || headers.has("last-modified");
}

/**
 * How long a response stays fresh, in ms (RFC 9111 §4.2.1): `max-age`, else `Expires`
 * minus `Date` (an invalid `Expires` means already expired), else, for a heuristically
 * cacheable status or a `public` one, 10% of the time since `Last-Modified`, at most a
 * day; else 0. `s-maxage` is for shared caches and is ignored.
 *
 * @param status The response's status.
 * @param headers The response's headers.
 * @param responseTime When the response came in (stands in for a missing `Date`).
 */
export function freshnessLifetime(status: number, headers: Headers, responseTime: number): number {
  const cc = parseCacheControl(headers.get("cache-control"));
  const maxAge = deltaMs(cc, "max-age");
  if (maxAge !== undefined) return maxAge;
  const date = httpDate(headers.get("date")) ?? responseTime;
  const expiresHeader = headers.get("expires");
  if (expiresHeader !== null) {
    const expires = httpDate(expiresHeader);
    return expires === undefined ? 0 : Math.max(0, expires - date);
  }
  if (!HEURISTIC_STATUSES.has(status) && !cc.has("public")) return 0;
  const lastModified = httpDate(headers.get("last-modified"));
  if (lastModified === undefined || lastModified >= date) return 0;
  return Math.min(HEURISTIC_MAX_MS, Math.floor((date - lastModified) * HEURISTIC_FRACTION));
}

/**
 * A stored response's current age in ms (RFC 9111 §4.2.3): the larger of its apparent age
 * (`Date` to arrival) and its `Age` header plus the time the request took, plus the time
 * it has spent in this cache since. The arrival time is taken in whole seconds, like `Date`,
 * so that a response does not look up to a second old just because `Date` has no
 * milliseconds.
 *
 * @param headers The stored response's headers.
 * @param requestTime When the request that got it was sent.
 * @param responseTime When the response came in.
 * @param now The time to tell the age at.
 */
export function currentAge(headers: Headers, requestTime: number, responseTime: number, now: number): number {
  const ageHeader = headers.get("age")?.trim();
  const ageValue = ageHeader !== undefined && /^\d+$/.test(ageHeader) ? Number(ageHeader) * 1000 : 0;
  const dateValue = httpDate(headers.get("date")) ?? responseTime;
  const apparentAge = Math.max(0, Math.floor(responseTime / 1000) * 1000 - dateValue);
  const responseDelay = Math.max(0, responseTime - requestTime);
  const correctedInitialAge = Math.max(apparentAge, ageValue + responseDelay);
  const residentTime = Math.max(0, now - responseTime);
  return correctedInitialAge + residentTime;
}

/**
 * Whether a stored response may answer a request without asking the server (RFC 9111
 * §4.2, §5.2): not when the response says `no-cache`, nor when the request says
 * `no-cache` or limits the age (`max-age`, `min-fresh`); otherwise while it is fresh, or
 * stale within the request's `max-stale` unless the response says `must-revalidate`.
 *
 * @param stored The stored response.
 * @param requestCc The request's `Cache-Control` directives.
 * @param now The cache's clock.
 */
export function isUsableWithoutAsking(stored: CachedResponse, requestCc: Map<string, string>, now: number): boolean {
  const headers = new Headers(stored.headers);
  const cc = parseCacheControl(headers.get("cache-control"));
  if (cc.has("no-cache") || requestCc.has("no-cache")) return false;
  const age = currentAge(headers, stored.requestTime, stored.responseTime, now);
  const lifetime = freshnessLifetime(stored.status, headers, stored.responseTime);
  const maxAge = deltaMs(requestCc, "max-age");
  if (maxAge !== undefined && age > maxAge) return false;
  const minFresh = deltaMs(requestCc, "min-fresh") ?? 0;
  if (lifetime - age >= minFresh && lifetime > age) return true;
  if (!requestCc.has("max-stale") || cc.has("must-revalidate")) return false;
  const maxStale = deltaMs(requestCc, "max-stale");
  return maxStale === undefined || age - lifetime <= maxStale;
}

/** A header value as `Vary` compares it: trimmed, runs of whitespace made one space. */
function normalized(value: string | null): string | null {
  return value === null ? null : value.trim().replace(/\s+/g, " ");
}

/** The lower-case header names a response's `Vary` lists. */
export function varyNames(vary: string | null): string[] {
  if (vary === null) return [];
  return vary.split(",").map((name) => name.trim().toLowerCase()).filter((name) => name !== "");
}

/**
 * The request's values of the headers a response's `Vary` names, as a stored variant
 * keeps them (`null` for a header the request did not have).
 */
export function varyValues(vary: string | null, requestHeaders: Headers | undefined): [string, string | null][] {
  return varyNames(vary).map((name) => [name, normalized(requestHeaders?.get(name) ?? null)]);
}

/**
 * Whether a request selects a stored variant (RFC 9111 §4.1): every header its `Vary`
 * names has the same value in both requests (or is absent from both); `Vary: *` never
 * matches.
 */
export function varyMatches(stored: CachedResponse, requestHeaders: Headers | undefined): boolean {
  const vary = new Headers(stored.headers).get("vary");
  if (vary?.trim() === "*") return false;
  const now = varyValues(vary, requestHeaders);
  const then = new Map(stored.varyValues);
  return now.every(([name, value]) => (then.get(name) ?? null) === value);
}

/** Whether the caller made the request conditional or partial itself (then the cache stays out of it). */
export function isCallerConditional(requestHeaders: Headers | undefined): boolean {
  return requestHeaders !== undefined && CALLER_CONDITIONALS.some((name) => requestHeaders.has(name));
}

/** A request's `Cache-Control` directives, with `Pragma: no-cache` read as `no-cache` where it counts. */
export function requestCacheControl(requestHeaders: Headers | undefined): Map<string, string> {
  const cc = parseCacheControl(requestHeaders?.get("cache-control") ?? null);
  if (
    requestHeaders?.has("cache-control") !== true &&
    /(^|,)\s*no-cache\s*(,|$)/i.test(requestHeaders?.get("pragma") ?? "")
  ) {
    cc.set("no-cache", "");
  }
  return cc;
}

/**
 * The headers of a stored response updated from a 304 (RFC 9111 §3.2, §4.3.4): every
 * header of the 304 replaces the stored one of that name, except `Content-Length` (the
 * 304 has no body to measure) and the connection's own headers. The stored `Age` and
 * `Date` described the response when it first came: they go unless the 304 brings its own,
 * since the refreshed response's age is counted from the 304's arrival.
 */
export function mergeNotModified(stored: Headers, notModified: Headers): Headers {
  const merged = new Headers(stored);
  merged.delete("age");
  merged.delete("date");
  const skip = new Set(["content-length", "connection", "keep-alive", "transfer-encoding", "content-encoding"]);
  for (const name of new Set(notModified.keys())) {
    if (!skip.has(name)) merged.set(name, notModified.get(name)!);
  }
  return merged;
}
