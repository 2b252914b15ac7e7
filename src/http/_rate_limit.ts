/**
 * Reads how long a server asks a client to wait from its rate-limit headers, for a
 * response that has no `Retry-After`. Three families are in use:
 *
 * - the IETF draft's structured field (draft-ietf-httpapi-ratelimit-headers):
 *   `RateLimit: "default";r=0;t=30` (`r` remaining quota, `t` seconds until it resets), and
 *   its earlier form `RateLimit: limit=100, remaining=0, reset=30`;
 * - the draft's first separate headers: `RateLimit-Remaining` and `RateLimit-Reset`
 *   (delta seconds);
 * - the older `X-RateLimit-Remaining` / `X-RateLimit-Reset`, whose reset is delta seconds
 *   at some services and a Unix time in seconds at others (GitHub, Twitter).
 *
 * Every reset is read the same way: a number too large to be a wait in seconds is a Unix
 * time (in seconds, or in milliseconds when larger still).
 *
 * A reset says when the quota is full again, which only matters when the quota is spent: a
 * reset counts when the remaining quota is 0 or not given. Malformed values are ignored
 * (the normal backoff applies), as a malformed `Retry-After` is.
 *
 * @module
 */

/**
 * A reset value below this many seconds is a delta; at or above, a Unix time. 10^9 seconds
 * is September 2001: no service asks for a 31-year wait, and no reset time lies before it.
 */
const EPOCH_SECONDS_FROM = 1e9;
/** …and from this value on, a Unix time in milliseconds, which a few services send. */
const EPOCH_MILLISECONDS_FROM = 1e12;

/** A reset value as a wait in ms from `now`: delta seconds, or a Unix time in seconds or ms already past or to come. */
function resetWait(reset: number, now: number): number {
  if (reset < EPOCH_SECONDS_FROM) return Math.round(reset * 1000);
  const at = reset < EPOCH_MILLISECONDS_FROM ? reset * 1000 : reset;
  return Math.max(0, Math.round(at - now));
}

/** A non-negative decimal number of seconds, or `undefined`. */
function seconds(text: string | null | undefined): number | undefined {
  if (text === null || text === undefined) return undefined;
  const trimmed = text.trim();
  return /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** Whether a remaining-quota value lets the reset count: 0, or not given at all. */
function spent(remaining: string | null | undefined): boolean {
  if (remaining === null || remaining === undefined) return true;
  return seconds(remaining) === 0;
}

/**
 * The parameters of the first item of a `RateLimit` field: `"policy";r=0;t=30` (structured
 * field parameters) or `limit=100, remaining=0, reset=30` (the earlier dictionary).
 */
function rateLimitField(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const first = value.includes(";") ? value.split(",")[0]!.split(";").slice(1) : value.split(",");
  for (const part of first) {
    const at = part.indexOf("=");
    if (at > 0) params.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  return params;
}

/**
 * How long a response's rate-limit headers ask the client to wait, in ms from `now`, or
 * `undefined` when they say nothing usable. The IETF forms come first, then the `X-` ones.
 *
 * @param headers The response's headers.
 * @param now The current time in ms (for a reset given as a Unix time).
 */
export function rateLimitWait(headers: Headers, now: number = Date.now()): number | undefined {
  const field = headers.get("ratelimit");
  if (field !== null) {
    const params = rateLimitField(field);
    const reset = seconds(params.get("t") ?? params.get("reset"));
    if (reset !== undefined && spent(params.get("r") ?? params.get("remaining"))) return resetWait(reset, now);
  }
  for (const prefix of ["ratelimit-", "x-ratelimit-"]) {
    const reset = seconds(headers.get(`${prefix}reset`));
    if (reset !== undefined && spent(headers.get(`${prefix}remaining`))) return resetWait(reset, now);
  }
  return undefined;
}
