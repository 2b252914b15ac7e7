import { test } from "uvu";
import * as assert from "uvu/assert";
import type { CachedResponse } from "anynet/http";
import { importPrivate } from "../_helpers/private_module.ts";

const policy = await importPrivate<typeof import("../../src/http/_cache_policy.ts")>("http/_cache_policy");
const {
  currentAge,
  freshnessLifetime,
  isStorable,
  isUsableWithoutAsking,
  mergeNotModified,
  parseCacheControl,
  requestCacheControl,
  varyMatches,
  varyValues,
} = policy;

const T = Date.parse("2026-01-01T12:00:00Z");
const httpDate = (ms: number) => new Date(ms).toUTCString();
const none = new Map<string, string>();

function stored(headers: Record<string, string>, extra: Partial<CachedResponse> = {}): CachedResponse {
  return {
    url: "http://h/",
    status: 200,
    statusText: "OK",
    headers: Object.entries(headers),
    body: new Uint8Array(0),
    varyValues: [],
    requestTime: T,
    responseTime: T,
    ...extra,
  };
}

test("parseCacheControl() reads directives in any case, unquotes arguments, keeps the first of a repeat", () => {
  const cc = parseCacheControl('Max-Age=60, no-cache="set-cookie" , private, max-age=5');
  assert.is(cc.get("max-age"), "60");
  assert.is(cc.get("no-cache"), "set-cookie");
  assert.is(cc.get("private"), "");
  assert.is(parseCacheControl(null).size, 0);
});

test("freshnessLifetime(): max-age over Expires, s-maxage ignored, Expires minus Date, bad Expires expired", () => {
  const date = httpDate(T);
  assert.is(
    freshnessLifetime(200, new Headers({ "cache-control": "max-age=60", expires: httpDate(T + 5000) }), T),
    60_000,
  );
  assert.is(freshnessLifetime(200, new Headers({ "cache-control": "s-maxage=60" }), T), 0);
  assert.is(freshnessLifetime(200, new Headers({ date, expires: httpDate(T + 30_000) }), T), 30_000);
  assert.is(freshnessLifetime(200, new Headers({ date, expires: "0" }), T), 0);
  // Without Date, the arrival time stands in for it.
  assert.is(freshnessLifetime(200, new Headers({ expires: httpDate(T + 10_000) }), T), 10_000);
});

test("freshnessLifetime(): heuristic 10% of the Last-Modified age, capped at a day, only where allowed", () => {
  const date = httpDate(T);
  const tenHoursAgo = httpDate(T - 10 * 3600_000);
  assert.is(freshnessLifetime(200, new Headers({ date, "last-modified": tenHoursAgo }), T), 3600_000);
  const yearsAgo = httpDate(T - 5 * 365 * 86400_000);
  assert.is(freshnessLifetime(200, new Headers({ date, "last-modified": yearsAgo }), T), 86400_000);
  // 302 and 500 are not heuristically cacheable; `public` makes a response so.
  assert.is(freshnessLifetime(302, new Headers({ date, "last-modified": tenHoursAgo }), T), 0);
  assert.is(freshnessLifetime(500, new Headers({ date, "last-modified": tenHoursAgo }), T), 0);
  assert.is(
    freshnessLifetime(302, new Headers({ date, "last-modified": tenHoursAgo, "cache-control": "public" }), T),
    3600_000,
  );
  // An explicit expiry, even an expired one, rules heuristics out.
  assert.is(freshnessLifetime(200, new Headers({ date, "last-modified": tenHoursAgo, expires: "0" }), T), 0);
});

test("currentAge() follows RFC 9111 §4.2.3: apparent age, Age plus delay, resident time", () => {
  // Date 10 s before arrival: apparent age 10 s, then 5 s resident.
  assert.is(currentAge(new Headers({ date: httpDate(T - 10_000) }), T - 200, T, T + 5000), 15_000);
  // Age header 30 s and a 2 s round trip outweigh the apparent age.
  assert.is(currentAge(new Headers({ date: httpDate(T), age: "30" }), T - 2000, T, T + 1000), 33_000);
  // A Date in the future (clock skew) gives no negative age; a bad Age is ignored.
  assert.is(currentAge(new Headers({ date: httpDate(T + 60_000), age: "x" }), T, T, T), 0);
  // Date has whole seconds: an arrival 900 ms into the second adds no apparent age.
  assert.is(currentAge(new Headers({ date: httpDate(T) }), T + 900, T + 900, T + 900), 0);
});

test("isStorable(): GET/HEAD, final statuses, no no-store, no Vary: *, something to reuse it by", () => {
  const fresh = new Headers({ "cache-control": "max-age=60" });
  assert.ok(isStorable("GET", 200, none, fresh, T));
  assert.ok(isStorable("HEAD", 200, none, fresh, T));
  assert.not.ok(isStorable("POST", 200, none, fresh, T));
  assert.not.ok(isStorable("GET", 206, none, fresh, T));
  assert.not.ok(isStorable("GET", 304, none, fresh, T));
  assert.not.ok(isStorable("GET", 200, parseCacheControl("no-store"), fresh, T));
  assert.not.ok(isStorable("GET", 200, none, new Headers({ "cache-control": "max-age=60, no-store" }), T));
  assert.not.ok(isStorable("GET", 200, none, new Headers({ "cache-control": "max-age=60", vary: "*" }), T));
  assert.ok(isStorable("GET", 200, none, new Headers({ "cache-control": "private, max-age=60" }), T));
  // no-cache with a validator: stored, to be revalidated every time.
  assert.ok(isStorable("GET", 200, none, new Headers({ "cache-control": "no-cache", etag: '"a"' }), T));
  // Nothing to reuse it by: stale at once and no validator.
  assert.not.ok(isStorable("GET", 200, none, new Headers({ "cache-control": "max-age=0" }), T));
  // A 302 without explicit freshness is not heuristically cacheable.
  assert.not.ok(isStorable("GET", 302, none, new Headers({ etag: '"a"' }), T));
});

test("isUsableWithoutAsking(): fresh yes; stale, no-cache, request max-age/min-fresh no; max-stale within bounds", () => {
  const entry = stored({ date: httpDate(T), "cache-control": "max-age=10" });
  assert.ok(isUsableWithoutAsking(entry, none, T + 9000));
  assert.not.ok(isUsableWithoutAsking(entry, none, T + 11_000));
  assert.not.ok(isUsableWithoutAsking(stored({ date: httpDate(T), "cache-control": "max-age=10, no-cache" }), none, T));
  assert.not.ok(isUsableWithoutAsking(entry, parseCacheControl("no-cache"), T));
  assert.not.ok(isUsableWithoutAsking(entry, parseCacheControl("max-age=0"), T + 1000));
  assert.ok(isUsableWithoutAsking(entry, parseCacheControl("max-age=5"), T + 1000));
  assert.not.ok(isUsableWithoutAsking(entry, parseCacheControl("min-fresh=5"), T + 6000));
  assert.ok(isUsableWithoutAsking(entry, parseCacheControl("max-stale=5"), T + 14_000));
  assert.not.ok(isUsableWithoutAsking(entry, parseCacheControl("max-stale=5"), T + 16_000));
  assert.ok(isUsableWithoutAsking(entry, parseCacheControl("max-stale"), T + 3600_000));
  const strict = stored({ date: httpDate(T), "cache-control": "max-age=10, must-revalidate" });
  assert.not.ok(isUsableWithoutAsking(strict, parseCacheControl("max-stale"), T + 11_000));
});

test("requestCacheControl() reads Pragma: no-cache only without Cache-Control", () => {
  assert.ok(requestCacheControl(new Headers({ pragma: "no-cache" })).has("no-cache"));
  assert.not.ok(requestCacheControl(new Headers({ pragma: "no-cache", "cache-control": "max-age=5" })).has("no-cache"));
  assert.is(requestCacheControl(undefined).size, 0);
});

test("varyMatches(): the named request headers must agree (normalised); absent matches absent; * never", () => {
  const english = new Headers({ "accept-language": "en" });
  const entry = stored({ vary: "Accept-Language" }, { varyValues: varyValues("Accept-Language", english) });
  assert.ok(varyMatches(entry, new Headers({ "Accept-Language": " en " })));
  assert.not.ok(varyMatches(entry, new Headers({ "accept-language": "fr" })));
  assert.not.ok(varyMatches(entry, undefined));
  const unset = stored({ vary: "accept-language, x-a" }, { varyValues: varyValues("accept-language, x-a", undefined) });
  assert.ok(varyMatches(unset, new Headers()));
  assert.not.ok(varyMatches(unset, new Headers({ "x-a": "1" })));
  assert.not.ok(varyMatches(stored({ vary: "*" }), new Headers()));
  assert.ok(varyMatches(stored({}), new Headers({ "accept-language": "de" })));
});

test("mergeNotModified() takes the 304's headers but keeps the stored Content-Length", () => {
  const merged = mergeNotModified(
    new Headers({ "content-length": "5", etag: '"1"', "cache-control": "max-age=1", "x-kept": "yes" }),
    new Headers({ "content-length": "0", "cache-control": "max-age=60", date: httpDate(T) }),
  );
  assert.is(merged.get("content-length"), "5");
  assert.is(merged.get("cache-control"), "max-age=60");
  assert.is(merged.get("x-kept"), "yes");
  assert.is(merged.get("date"), httpDate(T));
  // The first response's Age and Date do not outlive the 304 that refreshed it.
  const refreshed = mergeNotModified(
    new Headers({ age: "50", date: httpDate(T - 60_000), etag: '"1"' }),
    new Headers({ etag: '"1"' }),
  );
  assert.is(refreshed.get("age"), null);
  assert.is(refreshed.get("date"), null);
});

test.run();
