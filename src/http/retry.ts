import { parseRetryAfter } from "./_retry_after.ts";
import { rateLimitWait } from "./_rate_limit.ts";
import { MAX_DELAY_MS } from "../_delay.ts";
import { checkCount, checkNonNegative, checkOptionNames, refuse } from "../_argument_checks.ts";
import { isNetworkError, isTimeoutError } from "./errors.ts";
import { missingPermissionFlag } from "../_error_kind.ts";

/** When and how `request()` retries. Every field has a default. */
export interface RetryOptions {
  /** How many retries after the first attempt. @default 2 */
  limit?: number;
  /** Methods that may be retried: the idempotent ones. @default ["GET","HEAD","OPTIONS","PUT","DELETE","TRACE"] */
  methods?: readonly string[];
  /** Statuses that are retried. @default [408, 429, 500, 502, 503, 504] */
  statusCodes?: readonly number[];
  /** Retry after a per-attempt `timeout` too (never after the `deadline`). @default false */
  retryOnTimeout?: boolean;
  /** First backoff step in ms; step n waits up to `backoffBase × 2^n`. @default 300 */
  backoffBase?: number;
  /** Cap on one backoff step in ms. @default 30000 */
  backoffMax?: number;
  /** Full jitter: wait a random time from 0 to the step (false: the whole step). @default true */
  jitter?: boolean;
  /**
   * A `Retry-After` (or rate-limit reset) longer than this (ms) is not waited for: the error
   * is raised instead. @default 60000
   */
  maxRetryAfter?: number;
}

/** {@linkcode RetryOptions} with every default filled in. */
export interface RetryPolicy {
  limit: number;
  methods: ReadonlySet<string>;
  statusCodes: ReadonlySet<number>;
  retryOnTimeout: boolean;
  backoffBase: number;
  backoffMax: number;
  jitter: boolean;
  maxRetryAfter: number;
}

/** The idempotent methods (RFC 9110 §9.2.2). */
export const IDEMPOTENT_METHODS: readonly string[] = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"];
/** Statuses worth another try: timeouts, rate limits and passing server trouble. */
export const RETRY_STATUS_CODES: readonly number[] = [408, 429, 500, 502, 503, 504];

const RETRY_KEYS: readonly string[] = [
  "limit",
  "methods",
  "statusCodes",
  "retryOnTimeout",
  "backoffBase",
  "backoffMax",
  "jitter",
  "maxRetryAfter",
];

function checkNumber(name: string, value: number | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  return integer ? checkCount("retry", `retry.${name}`, value) : checkNonNegative("retry", `retry.${name}`, value);
}

/**
 * Fills in the defaults of a retry option (a number is the `limit`) and checks it.
 *
 * @param retry The `retry` option of a request.
 * @returns The complete policy.
 * @throws {RangeError} For a negative or non-integer limit or negative delays.
 * @example
 * ```ts
 * import { retryPolicy } from "anynet/http";
 * console.assert(retryPolicy(3).limit === 3 && retryPolicy(undefined).backoffBase === 300);
 * ```
 */
export function retryPolicy(retry: RetryOptions | number | undefined): RetryPolicy {
  const options: RetryOptions = typeof retry === "number" ? { limit: retry } : retry ?? {};
  if (typeof options !== "object" || options === null) {
    refuse("retry", `'retry' must be a number or an object: got ${String(retry)}`);
  }
  checkOptionNames("retry", options, RETRY_KEYS, "retry.");
  const methods = options.methods ?? IDEMPOTENT_METHODS;
  if (!Array.isArray(methods) || methods.some((m) => typeof m !== "string")) {
    refuse("retry", `'retry.methods' must be an array of method names: got ${String(methods)}`);
  }
  const statusCodes = options.statusCodes ?? RETRY_STATUS_CODES;
  if (!Array.isArray(statusCodes) || statusCodes.some((c) => !Number.isInteger(c) || c < 100 || c > 599)) {
    refuse("retry", `'retry.statusCodes' must be an array of HTTP statuses (100 to 599): got ${String(statusCodes)}`);
  }
  return {
    limit: checkNumber("limit", options.limit, 2, true),
    methods: new Set(methods.map((m) => m.toUpperCase())),
    statusCodes: new Set(statusCodes),
    retryOnTimeout: options.retryOnTimeout ?? false,
    backoffBase: checkNumber("backoffBase", options.backoffBase, 300, false),
    backoffMax: checkNumber("backoffMax", options.backoffMax, 30_000, false),
    jitter: options.jitter ?? true,
    maxRetryAfter: checkNumber("maxRetryAfter", options.maxRetryAfter, 60_000, false),
  };
}

/** What failed, for one retry decision. */
export interface Failure {
  /** Retries made so far (0 after the first attempt). */
  retries: number;
  method: string;
  /** Whether the body can be sent again (not a one-shot stream). */
  replayable: boolean;
  /** The error of the attempt (an HttpError for a response with a bad status). */
  error: unknown;
  /** The response's status and headers, when there was a response. */
  response?: { status: number; headers: Headers };
  /** Milliseconds left before the deadline (Infinity when none). */
  remaining: number;
}

/**
 * The backoff before retry number `retries + 1`: `backoffBase × 2^retries`, capped at
 * `backoffMax`, then with full jitter a random wait from 0 to that.
 *
 * @param policy The retry policy.
 * @param retries Retries made so far.
 * @param random A source of numbers in [0, 1) for the jitter.
 * @returns The wait in ms.
 * @example
 * ```ts
 * import { backoffDelay, retryPolicy } from "anynet/http";
 * console.assert(backoffDelay(retryPolicy({ jitter: false }), 2) === 1200);
 * ```
 */
export function backoffDelay(policy: RetryPolicy, retries: number, random: () => number = Math.random): number {
  const step = Math.min(policy.backoffMax, policy.backoffBase * 2 ** retries);
  return policy.jitter ? Math.round(random() * step) : step;
}

/**
 * One linear decision per failure: returns how long to wait before retrying, or
 * `undefined` when the failure must be raised. In order: the limit, the method, a body
 * that cannot be sent twice, then the status (with `Retry-After`, or a rate limit's reset
 * when there is none) or the kind of error;
 * anything else is never retried. A wait that would end past the deadline is not made.
 *
 * @param policy The retry policy.
 * @param failure What failed.
 * @returns The wait in ms, or `undefined` for no retry.
 * @example
 * ```ts
 * import { retryDelay, retryPolicy } from "anynet/http";
 * const policy = retryPolicy({ jitter: false });
 * const busy = { status: 503, headers: new Headers({ "retry-after": "2" }) };
 * console.assert(retryDelay(policy, { retries: 0, method: "GET", replayable: true, error: undefined, response: busy, remaining: Infinity }) === 2000);
 * console.assert(retryDelay(policy, { retries: 0, method: "POST", replayable: true, error: undefined, response: busy, remaining: Infinity }) === undefined);
 * ```
 */
export function retryDelay(policy: RetryPolicy, failure: Failure): number | undefined {
  if (failure.retries >= policy.limit) return undefined;
  if (!policy.methods.has(failure.method)) return undefined;
  if (!failure.replayable) return undefined;
  let delay: number | undefined;
  if (failure.response) {
    if (!policy.statusCodes.has(failure.response.status)) return undefined;
    // Retry-After first; without it, a rate limit's reset (RateLimit, X-RateLimit-Reset).
    const headers = failure.response.headers;
    const retryAfter = parseRetryAfter(headers.get("retry-after")) ?? rateLimitWait(headers);
    if (retryAfter !== undefined) {
      if (retryAfter > policy.maxRetryAfter) return undefined;
      delay = retryAfter;
    }
  } else if (isNetworkError(failure.error)) {
    // Refused, reset, DNS or a broken body may pass; a certificate that fails
    // verification will fail the same way next time.
    if (failure.error.reason === "tls") return undefined;
    // Nor will a permission the runtime refused (Deno without --allow-net) be granted by waiting.
    if (missingPermissionFlag(failure.error) !== undefined) return undefined;
    // A proxy that refused (407, 403 …) refuses again; one that was down, or answered a
    // status worth retrying (502, 503), may do better.
    const proxyStatus = failure.error.proxyStatus;
    if (proxyStatus !== undefined && !policy.statusCodes.has(proxyStatus)) return undefined;
  } else if (isTimeoutError(failure.error) && failure.error.kind === "timeout") {
    if (!policy.retryOnTimeout) return undefined;
  } else {
    return undefined;
  }
  delay ??= backoffDelay(policy, failure.retries);
  // A wait no timer can make (a Retry-After weeks away) is not made either.
  if (delay >= failure.remaining || delay > MAX_DELAY_MS) return undefined;
  return delay;
}
