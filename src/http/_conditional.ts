/**
 * Validators and preconditions for files (RFC 9110 §8.8 and §13): the `ETag` and
 * `Last-Modified` of a file, and what `If-Match`, `If-Unmodified-Since`,
 * `If-None-Match`, `If-Modified-Since` and `If-Range` make of them, evaluated in the
 * order of §13.2.2.
 *
 * The entity tag is strong and made of the size and the modification time (in
 * milliseconds), as nginx and most static servers do: computing it costs one `stat()`,
 * not a read of the file. It misses a change that keeps both the size and the
 * millisecond; content hashes would not, at the cost of reading every file.
 *
 * @module
 */

/** A file's validators, as one representation of it carries them. */
export interface Validators {
  /** The entity tag, quoted, `W/` prefixed when weak. */
  etag: string | undefined;
  /** Last modification, in milliseconds since the epoch; undefined to send no `Last-Modified`. */
  mtimeMs: number | undefined;
}

/**
 * The strong entity tag of a file of `size` bytes last changed at `mtimeMs`, for the
 * representation coded with `coding` (each coding is another representation, so
 * another tag).
 */
export function fileEtag(size: number, mtimeMs: number, coding?: string): string {
  const base = `${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}`;
  return `"${coding ? `${base}-${coding}` : base}"`;
}

/** An HTTP-date (IMF-fixdate) for a time in milliseconds. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** An HTTP-date parsed to whole seconds since the epoch, or undefined when it is not a date. */
function parseHttpDate(value: string | null): number | undefined {
  if (value === null) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** Modification time as HTTP dates carry it: whole seconds. */
function seconds(mtimeMs: number): number {
  return Math.floor(mtimeMs / 1000);
}

/** The entity tags of an `If-Match` / `If-None-Match` list (`*` stays `*`). */
function tagList(header: string): string[] {
  return header.match(/\*|(?:W\/)?"[^"]*"/g) ?? [];
}

/** Weak comparison (§8.8.3.2): the opaque tags are equal, whatever their weakness. */
function weakMatch(a: string, b: string): boolean {
  return a.replace(/^W\//, "") === b.replace(/^W\//, "");
}

/** Strong comparison: both tags strong and equal. */
function strongMatch(a: string, b: string): boolean {
  return !a.startsWith("W/") && a === b;
}

/** What the preconditions decide for a GET or HEAD. */
export type PreconditionOutcome = "proceed" | "not-modified" | "failed";

/**
 * Evaluates the preconditions of a GET or HEAD of an existing representation, in the
 * order of RFC 9110 §13.2.2: `If-Match` (strong comparison), else
 * `If-Unmodified-Since`; then `If-None-Match` (weak comparison), else
 * `If-Modified-Since`, whose answer for GET and HEAD is 304. A date that does not parse
 * is ignored, as §13.1.3 and §13.1.4 require.
 */
export function evaluatePreconditions(headers: Headers, validators: Validators): PreconditionOutcome {
  const { etag, mtimeMs } = validators;
  const ifMatch = headers.get("if-match");
  if (ifMatch !== null) {
    const tags = tagList(ifMatch);
    const matches = tags.includes("*") || (etag !== undefined && tags.some((tag) => strongMatch(tag, etag)));
    if (!matches) return "failed";
  } else if (mtimeMs !== undefined) {
    const since = parseHttpDate(headers.get("if-unmodified-since"));
    if (since !== undefined && seconds(mtimeMs) > since) return "failed";
  }
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null) {
    const tags = tagList(ifNoneMatch);
    const matches = tags.includes("*") || (etag !== undefined && tags.some((tag) => weakMatch(tag, etag)));
    return matches ? "not-modified" : "proceed";
  }
  if (mtimeMs !== undefined) {
    const since = parseHttpDate(headers.get("if-modified-since"));
    if (since !== undefined && seconds(mtimeMs) <= since) return "not-modified";
  }
  return "proceed";
}

/**
 * Whether a `Range` may be honoured under the request's `If-Range` (§13.1.5): yes
 * without one; with an entity tag, only when it strongly matches; with a date, only
 * when it is exactly the representation's `Last-Modified`, which is itself a strong
 * validator only when the file was last changed more than a second before now.
 */
export function rangeAllowed(headers: Headers, validators: Validators, nowMs: number = Date.now()): boolean {
  const ifRange = headers.get("if-range");
  if (ifRange === null) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith("W/")) {
    return validators.etag !== undefined && strongMatch(value, validators.etag);
  }
  const { mtimeMs } = validators;
  const date = parseHttpDate(value);
  return mtimeMs !== undefined && date !== undefined && date === seconds(mtimeMs) &&
    seconds(nowMs) > seconds(mtimeMs);
}
