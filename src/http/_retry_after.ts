/**
 * Reads a `Retry-After` header (RFC 9110 §10.2.3): either a number of seconds or an
 * HTTP date. Returns the wait in milliseconds from `now`, or `undefined` when the header
 * is absent or malformed (a malformed header is ignored, not an error: the normal backoff
 * applies).
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names a weekday and contains letters; a bare negative or
  // fractional number is malformed per the RFC's grammar.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
