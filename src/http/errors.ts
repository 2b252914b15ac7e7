/**
 * The errors the HTTP client raises. Callers tell them apart with the guards
 * ({@linkcode isHttpError}, {@linkcode isTimeoutError}, {@linkcode isNetworkError}), which
 * look at `name` rather than `instanceof`, so they also work for errors that crossed a realm
 * (a worker, a `vm` context, a second copy of anynet in node_modules).
 *
 * @module
 */

/** How many characters of a response body an {@linkcode HttpError} keeps. */
export const ERROR_BODY_PREVIEW_CHARS = 512;

/** What an {@linkcode HttpError} is made from. */
export interface HttpErrorInit {
  /** The response status code. */
  status: number;
  /** The response status text (may be empty). */
  statusText: string;
  /** The request method. */
  method: string;
  /** The URL of the response (after redirects). */
  url: string;
  /** The response headers. */
  headers: Headers;
  /** The start of the response body (at most {@linkcode ERROR_BODY_PREVIEW_CHARS} characters). */
  bodyPreview: string;
}

/**
 * A response with a 4xx or 5xx status. Raised by default by `request()` and by
 * `HttpResponse.raiseForStatus()`.
 *
 * @example Catching a 404
 * ```ts
 * import { get, isHttpError } from "anynet/http";
 * try {
 *   await get("http://127.0.0.1:3000/posts/999999");
 * } catch (error) {
 *   if (isHttpError(error) && error.status === 404) console.log("no such post");
 * }
 * ```
 */
export class HttpError extends Error {
  /** The response status code. */
  readonly status: number;
  /** The response status text (may be empty). */
  readonly statusText: string;
  /** The request method. */
  readonly method: string;
  /** The URL of the response. */
  readonly url: string;
  /** The response headers. */
  readonly headers: Headers;
  /** The start of the response body. */
  readonly bodyPreview: string;

  /**
   * @param init What the error describes.
   * @param options `cause`, when there is one.
   */
  constructor(init: HttpErrorInit, options?: { cause?: unknown }) {
    const reason = init.statusText ? `${init.status} ${init.statusText}` : String(init.status);
    const preview = init.bodyPreview.replace(/\s+/g, " ").trim();
    super(`${init.method} ${init.url} failed: HTTP ${reason}` + (preview ? `: ${preview}` : ""), options);
    this.name = "HttpError";
    this.status = init.status;
    this.statusText = init.statusText;
    this.method = init.method;
    this.url = init.url;
    this.headers = init.headers;
    this.bodyPreview = init.bodyPreview;
  }
}

/** Which limit a {@linkcode TimeoutError} reports. */
export type TimeoutKind = "timeout" | "deadline";

/**
 * A request ran out of time: `kind` says whether the per-attempt `timeout` or the
 * overall `deadline` fired.
 *
 * @example
 * ```ts
 * import { get, isTimeoutError } from "anynet/http";
 * await get("http://127.0.0.1:3000/posts", { timeout: 1, retry: 0 }).catch((error) => {
 *   if (isTimeoutError(error)) console.log(error.kind, error.ms); // "timeout" 1
 * });
 * ```
 */
export class TimeoutError extends Error {
  /** Which limit fired. */
  readonly kind: TimeoutKind;
  /** The limit in milliseconds. */
  readonly ms: number;
  /** The request method. */
  readonly method: string;
  /** The request URL. */
  readonly url: string;

  /**
   * @param init Which limit, its value, and the request.
   * @param options `cause`, when there is one.
   */
  constructor(init: { kind: TimeoutKind; ms: number; method: string; url: string }, options?: { cause?: unknown }) {
    const what = init.kind === "timeout"
      ? `timed out after ${init.ms} ms (per-attempt 'timeout')`
      : `ran past its deadline of ${init.ms} ms (all attempts and waits)`;
    super(`${init.method} ${init.url} ${what}`, options);
    this.name = "TimeoutError";
    this.kind = init.kind;
    this.ms = init.ms;
    this.method = init.method;
    this.url = init.url;
  }
}

/** Why a request failed below HTTP (`proxy`: the proxy could not be reached, or refused the request). */
export type NetworkErrorReason = "dns" | "refused" | "reset" | "tls" | "body" | "proxy" | "other";

/**
 * The request never got a complete HTTP response: the name did not resolve, the
 * connection was refused or reset, TLS failed (an untrusted or wrong certificate), or the
 * body broke off. The runtime's own error is the `cause`.
 */
export class NetworkError extends Error {
  /** The kind of failure. */
  readonly reason: NetworkErrorReason;
  /** The request method. */
  readonly method: string;
  /** The request URL. */
  readonly url: string;
  /** The proxy the request went through (`http://host:port`, no credentials), when it went through one. */
  readonly proxy: string | undefined;
  /**
   * The status the proxy refused the request with (407: it wants credentials), when
   * `reason` is `"proxy"` and the proxy answered; undefined when it could not be reached.
   */
  readonly proxyStatus: number | undefined;

  /**
   * @param init The reason, a detail line, the request, and the proxy it went through.
   * @param options `cause`: the runtime's own error.
   */
  constructor(
    init: {
      reason: NetworkErrorReason;
      detail: string;
      method: string;
      url: string;
      proxy?: string;
      proxyStatus?: number;
    },
    options?: { cause?: unknown },
  ) {
    super(`${init.method} ${init.url} failed: ${init.detail}`, options);
    this.name = "NetworkError";
    this.reason = init.reason;
    this.method = init.method;
    this.url = init.url;
    this.proxy = init.proxy;
    this.proxyStatus = init.proxyStatus;
  }
}

/**
 * A body grew past `maxBodyBytes` (client or server side).
 *
 * @example
 * ```ts
 * import { get, isBodyTooLargeError } from "anynet/http";
 * const response = await get("http://127.0.0.1:3000/posts", { maxBodyBytes: 1024 });
 * await response.text().catch((error) => console.log(isBodyTooLargeError(error))); // true
 * ```
 */
export class BodyTooLargeError extends Error {
  /** The limit in bytes. */
  readonly limit: number;
  /** The request method, when the error is about a response. */
  readonly method: string | undefined;
  /** The request URL, when the error is about a response. */
  readonly url: string | undefined;

  /**
   * @param limit The limit in bytes.
   * @param what Whose body: "response" or "request".
   * @param request The request whose response it is, named in the message.
   */
  constructor(limit: number, what: "response" | "request", request?: { method: string; url: string }) {
    // A response body is counted after decoding, so a small compressed body can pass it.
    super(
      request
        ? `${request.method} ${request.url}: the ${what} body is larger than the limit of ${limit} bytes ` +
          "('maxBodyBytes', counted after decompression)"
        : `The ${what} body is larger than the limit of ${limit} bytes ('maxBodyBytes')`,
    );
    this.name = "BodyTooLargeError";
    this.limit = limit;
    this.method = request?.method;
    this.url = request?.url;
  }
}

function hasName(value: unknown, name: string): boolean {
  return typeof value === "object" && value !== null && (value as { name?: unknown }).name === name;
}

/**
 * Tells whether `value` is an {@linkcode HttpError}, in any realm.
 *
 * @param value Anything caught.
 * @returns `true` for an HttpError.
 * @example Telling failures apart
 * ```ts
 * import { get, isHttpError, isNetworkError, isTimeoutError } from "anynet/http";
 * try {
 *   await get("http://127.0.0.1:3000/posts/1", { timeout: 2000 });
 * } catch (error) {
 *   if (isHttpError(error)) console.log("status", error.status);
 *   else if (isTimeoutError(error)) console.log("ran out of", error.kind);
 *   else if (isNetworkError(error)) console.log("network:", error.reason);
 *   else throw error;
 * }
 * ```
 */
export function isHttpError(value: unknown): value is HttpError {
  return hasName(value, "HttpError") && typeof (value as HttpError).status === "number";
}

/**
 * Tells whether `value` is a {@linkcode TimeoutError} from this client, in any realm.
 *
 * @param value Anything caught.
 * @returns `true` for a TimeoutError (the DOM's own `TimeoutError` has no `kind` and does not count).
 * @example Telling failures apart
 * ```ts
 * import { get, isHttpError, isNetworkError, isTimeoutError } from "anynet/http";
 * try {
 *   await get("http://127.0.0.1:3000/posts/1", { timeout: 2000 });
 * } catch (error) {
 *   if (isHttpError(error)) console.log("status", error.status);
 *   else if (isTimeoutError(error)) console.log("ran out of", error.kind);
 *   else if (isNetworkError(error)) console.log("network:", error.reason);
 *   else throw error;
 * }
 * ```
 */
export function isTimeoutError(value: unknown): value is TimeoutError {
  return hasName(value, "TimeoutError") && typeof (value as TimeoutError).kind === "string";
}

/**
 * Tells whether `value` is a {@linkcode NetworkError}, in any realm.
 *
 * @param value Anything caught.
 * @returns `true` for a NetworkError.
 * @example Telling failures apart
 * ```ts
 * import { get, isHttpError, isNetworkError, isTimeoutError } from "anynet/http";
 * try {
 *   await get("http://127.0.0.1:3000/posts/1", { timeout: 2000 });
 * } catch (error) {
 *   if (isHttpError(error)) console.log("status", error.status);
 *   else if (isTimeoutError(error)) console.log("ran out of", error.kind);
 *   else if (isNetworkError(error)) console.log("network:", error.reason);
 *   else throw error;
 * }
 * ```
 */
export function isNetworkError(value: unknown): value is NetworkError {
  return hasName(value, "NetworkError") && typeof (value as NetworkError).reason === "string";
}

/**
 * Tells whether `value` is a {@linkcode BodyTooLargeError}, in any realm.
 *
 * @param value Anything caught.
 * @returns `true` for a BodyTooLargeError.
 * @example Telling failures apart
 * ```ts
 * import { get, isHttpError, isNetworkError, isTimeoutError } from "anynet/http";
 * try {
 *   await get("http://127.0.0.1:3000/posts/1", { timeout: 2000 });
 * } catch (error) {
 *   if (isHttpError(error)) console.log("status", error.status);
 *   else if (isTimeoutError(error)) console.log("ran out of", error.kind);
 *   else if (isNetworkError(error)) console.log("network:", error.reason);
 *   else throw error;
 * }
 * ```
 */
export function isBodyTooLargeError(value: unknown): value is BodyTooLargeError {
  return hasName(value, "BodyTooLargeError");
}

/**
 * A redirect could not be followed: too many of them (`maxRedirects`), a `Location` that
 * is not http(s), or a one-shot stream body that a 307/308 would have to send again.
 *
 * @example
 * ```ts
 * import { get, isRedirectError } from "anynet/http";
 * await get("http://127.0.0.1:3000/", { maxRedirects: 0 }).catch((error) => {
 *   if (isRedirectError(error)) console.log(error.message);
 * });
 * ```
 */
export class RedirectError extends Error {
  /** The request method. */
  readonly method: string;
  /** The URL whose response redirected. */
  readonly url: string;

  /**
   * @param init The request and what went wrong.
   */
  constructor(init: { method: string; url: string; detail: string }) {
    super(`${init.method} ${init.url}: ${init.detail}`);
    this.name = "RedirectError";
    this.method = init.method;
    this.url = init.url;
  }
}

/**
 * Tells whether `value` is a {@linkcode RedirectError}, in any realm.
 *
 * @param value Anything caught.
 * @returns `true` for a RedirectError.
 * @example Telling failures apart
 * ```ts
 * import { get, isHttpError, isNetworkError, isTimeoutError } from "anynet/http";
 * try {
 *   await get("http://127.0.0.1:3000/posts/1", { timeout: 2000 });
 * } catch (error) {
 *   if (isHttpError(error)) console.log("status", error.status);
 *   else if (isTimeoutError(error)) console.log("ran out of", error.kind);
 *   else if (isNetworkError(error)) console.log("network:", error.reason);
 *   else throw error;
 * }
 * ```
 */
export function isRedirectError(value: unknown): value is RedirectError {
  return hasName(value, "RedirectError");
}
