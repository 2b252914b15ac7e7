/**
 * The HTTP client's public surface: `request()` and one function per method, with the
 * options they take. The work is done by the modules beside it: _request_plan.ts checks
 * and prepares a call, _retry_loop.ts sends its attempts, _redirect.ts follows redirects,
 * retry.ts decides what is retried, and src/_fetch_spec.ts holds the Fetch standard's
 * tables.
 *
 * @module
 */
import { checkMethod, NO_OPTIONS, prepareRequest } from "./_request_plan.ts";
import { sendWithRetries } from "./_retry_loop.ts";
import { cacheStoreFor, sendCached } from "./_cache_flow.ts";
import type { CacheStore } from "./cache.ts";
import type { ProgressCallback } from "./_progress.ts";
import type { HttpResponse } from "./response.ts";
import type { RetryOptions } from "./retry.ts";

export { SENSITIVE_HEADERS } from "./_redirect.ts";

/** Credentials for a request. They are sent to the request's origin only: a redirect elsewhere drops them. */
export type Auth =
  | { bearer: string }
  | { basic: { username: string; password: string } }
  | { apiKey: string; header?: string };

/** A query-string value list: a record (undefined values are left out), pairs, or URLSearchParams. */
export type SearchParamsInit =
  | Record<string, string | number | boolean | undefined>
  | readonly (readonly [string, string])[]
  | URLSearchParams;

/** What `beforeRequest` hooks see and may change. */
export interface BeforeRequestContext {
  /** The URL of this attempt (hooks may edit it in place). */
  url: URL;
  /** The method. */
  readonly method: string;
  /** The headers of this attempt (hooks may add or remove). */
  headers: Headers;
  /** 0 for the first attempt, then 1, 2 … */
  readonly attempt: number;
}

/** What `beforeRetry` hooks see. */
export interface BeforeRetryContext {
  /** The method. */
  readonly method: string;
  /** The URL. */
  readonly url: string;
  /** The failure about to be retried (an HttpError for a retried status). */
  readonly error: Error;
  /** The retry about to be made: 1, 2 … */
  readonly retry: number;
  /** The retry limit. */
  readonly limit: number;
  /** How long the client waits first, in ms. */
  readonly delay: number;
}

/** Functions called at fixed points of a request; each may be async. */
export interface Hooks {
  /** Before each attempt is sent. */
  beforeRequest?: readonly ((context: BeforeRequestContext) => void | Promise<void>)[];
  /** Before each wait for a retry. */
  beforeRetry?: readonly ((context: BeforeRetryContext) => void | Promise<void>)[];
  /** After each attempt's final response (redirects followed), before its status is judged. */
  afterResponse?: readonly ((response: HttpResponse, attempt: number) => void | Promise<void>)[];
}

// Spelled through RequestInit rather than BodyInit/HeadersInit: the DOM library and Node's
// types (@types/node) both declare RequestInit, but Node's have no global BodyInit or
// HeadersInit, and a project with Node's types only could not compile these declarations.
/** A request body, or a function that makes a fresh one for every attempt (needed to retry a stream). */
export type BodySource = NonNullable<RequestInit["body"]> | (() => NonNullable<RequestInit["body"]>);

/** Options of {@linkcode request}. */
export interface RequestOptions {
  /** The method. @default "GET" */
  method?: string;
  /** Request headers. */
  headers?: RequestInit["headers"];
  /** Query parameters added to the URL. */
  searchParams?: SearchParamsInit;
  /** A value sent as JSON (sets `Content-Type: application/json`). Not with `body`. */
  json?: unknown;
  /** The raw body, or a factory for one. Not with `json`. */
  body?: BodySource;
  /** Resolves a relative URL: `get("posts/1", { baseUrl: "http://h/api" })` asks for `http://h/api/posts/1`. */
  baseUrl?: string | URL;
  /** Credentials: bearer token, basic, or an API key in a header (default header `X-API-Key`). */
  auth?: Auth;
  /** Per-attempt limit in ms, until the body is read; `false` for none. @default 10000 */
  timeout?: number | false;
  /** Limit over all attempts and waits in ms. @default none */
  deadline?: number;
  /** Retry settings, or just the number of retries. @default 2 retries (see RetryOptions) */
  retry?: RetryOptions | number;
  /** Cancels the request at any point, retry waits included. */
  signal?: AbortSignal;
  /** Redirects followed before a RedirectError. @default 10 */
  maxRedirects?: number;
  /** A response body larger than this many bytes is aborted with a BodyTooLargeError. @default no limit */
  maxBodyBytes?: number;
  /**
   * Told as the response body is read: `{ transferred, total, percent }`, counted after
   * decoding; `total` and `percent` are undefined while the length is unknown, and the
   * last event says 100%. A callback that throws fails the request. See docs/http.md.
   */
  onDownloadProgress?: ProgressCallback;
  /**
   * Told as the request body is sent, as `onDownloadProgress`; on fetch the body goes as
   * a stream (Deno sends it chunked). See docs/http.md.
   */
  onUploadProgress?: ProgressCallback;
  /** Raise an HttpError for a 4xx/5xx status. @default true */
  throwHttpErrors?: boolean;
  /**
   * A private HTTP cache (RFC 9111) for GET and HEAD: `true` for a shared in-memory store
   * (`MemoryCache`, 16 MiB), or a {@linkcode CacheStore} of your own. `response.cached` says
   * what it did. @default no cache
   */
  cache?: boolean | CacheStore;
  /** Extra CA certificates (PEM) to trust besides the system's; verification itself is always on. */
  ca?: string | readonly string[];
  /**
   * More names of headers that carry credentials (any case): dropped, like
   * {@linkcode SENSITIVE_HEADERS} and the `auth` header, when a redirect leaves the origin.
   */
  sensitiveHeaders?: readonly string[];
  /**
   * Names of sensitive headers to send on to another origin after a redirect all the same
   * (any case): a deliberate choice, for a credential the redirect's target must get too.
   */
  keepSensitiveHeaders?: readonly string[];
  /** Hooks. */
  hooks?: Hooks;
  /**
   * How the request is sent: `"auto"` uses the runtime's fastest client (on Node a pooled
   * keep-alive HTTP/1.1 client on node:net, elsewhere fetch); `"fetch"` always uses the runtime's
   * fetch (on Node not with `ca`, which Node's fetch cannot take). @default "auto"
   */
  transport?: "auto" | "fetch";
  /**
   * The HTTP proxy for this request: an `http://[user:password@]host[:port]` URL (the
   * credentials, percent-decoded, go to the proxy alone in `Proxy-Authorization`), or
   * `false` for none. Without it the proxy variables decide: `HTTP_PROXY`, `HTTPS_PROXY`,
   * `ALL_PROXY` and `NO_PROXY`, lower case first, as curl reads them. An https request
   * goes through a CONNECT tunnel, its certificate checked against the server's host.
   * @default from the environment
   */
  proxy?: string | URL | false;
  /**
   * Hosts that go direct, in place of `NO_PROXY`: names (each with the names under it),
   * IP addresses, CIDR blocks, `host:port`, or `*` for all. A comma-separated string or
   * an array.
   */
  noProxy?: string | readonly string[];
}

/** Checks a call's arguments, then sends it; a mistake in them is a rejection, like every other failure. */
function sendRequest(method: string, url: string | URL, options: RequestOptions): Promise<HttpResponse> {
  try {
    const store = options.cache === undefined ? undefined : cacheStoreFor(options.cache);
    const prepared = prepareRequest(method, url, options);
    return store === undefined ? sendWithRetries(prepared) : sendCached(prepared, store);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Sends an HTTP request with timeouts, retries and safe redirects, and resolves to the
 * response once its status and headers are in.
 *
 * @param url Absolute URL, or relative to `options.baseUrl`.
 * @param options Method, headers, body, limits, retries, hooks.
 * @returns The response; read its body with `text()`, `json()`, `bytes()` or `body`.
 * @throws {TypeError|RangeError} For bad arguments, before any I/O.
 * @throws {HttpError} For a 4xx/5xx status (unless `throwHttpErrors: false`), after retries.
 * @throws {TimeoutError} When `timeout` or `deadline` fires (`kind` says which).
 * @throws {NetworkError} When there is no complete HTTP response (`reason`: dns, refused, reset, tls, body).
 * @throws {RedirectError} For too many redirects or one that cannot be followed.
 * @throws The signal's reason when `options.signal` aborts.
 * @example A JSON API call
 * ```ts
 * import { request } from "anynet/http";
 * const response = await request("http://127.0.0.1:3000/posts", {
 *   method: "POST",
 *   json: { userId: 1, title: "hello", body: "world" },
 *   timeout: 5000,
 * });
 * console.log(response.status, await response.json());
 * ```
 */
export function request(url: string | URL, options: RequestOptions = NO_OPTIONS): Promise<HttpResponse> {
  try {
    return sendRequest(checkMethod(options?.method), url, options);
  } catch (error) {
    return Promise.reject(error);
  }
}

type MethodOptions = Omit<RequestOptions, "method">;

/**
 * GET `url`. See {@linkcode request}.
 *
 * @param url Absolute URL, or relative to `options.baseUrl`.
 * @param options As for `request()`, without `method`.
 * @returns The response.
 * @example
 * ```ts
 * import { get } from "anynet/http";
 * const posts = await (await get("http://127.0.0.1:3000/posts", { searchParams: { userId: 1 } })).json();
 * ```
 */
export function get(url: string | URL, options?: MethodOptions): Promise<HttpResponse> {
  return sendRequest("GET", url, options ?? NO_OPTIONS);
}

/**
 * HEAD `url`. See {@linkcode request}.
 *
 * @param url Absolute URL, or relative to `options.baseUrl`.
 * @param options As for `request()`, without `method`.
 * @returns The response (without a body).
 * @example
 * ```ts
 * import { head } from "anynet/http";
 * const { headers } = await head("http://127.0.0.1:3000/posts/1");
 * ```
 */
export function head(url: string | URL, options?: MethodOptions): Promise<HttpResponse> {
  return sendRequest("HEAD", url, options ?? NO_OPTIONS);
}

/**
 * POST to `url`. Not retried by default (POST is not idempotent). See {@linkcode request}.
 *
 * @param url Absolute URL, or relative to `options.baseUrl`.
 * @param options As for `request()`, without `method`.
 * @returns The response.
 * @example
 * ```ts
 * import { post } from "anynet/http";
 * const created = await (await post("http://127.0.0.1:3000/posts", { json: { userId: 1, title: "t", body: "b" } })).json();
 * ```
 */
export function post(url: string | URL, options?: MethodOptions): Promise<HttpResponse> {
  return sendRequest("POST", url, options ?? NO_OPTIONS);
}

/**
 * PUT to `url`. See {@linkcode request}.
 *
 * @param url Absolute URL, or relative to `options.baseUrl`.
 * @param options As for `request()`, without `method`.
 * @returns The response.
 * @example
 * ```ts
 * import { put } from "anynet/http";
 * await put("http://127.0.0.1:3000/posts/1", { json: { userId: 1, title: "t", body: "b" } });
 * ```
 */
export function put(url: string | URL, options?: MethodOptions): Promise<HttpResponse> {
  return sendRequest("PUT", url, options ?? NO_OPTIONS);
}

/**
 * PATCH `url`. Not retried by default. See {@linkcode request}.
 *
 * @param url Absolute URL, or relative to `options.baseUrl`.
 * @param options As for `request()`, without `method`.
 * @returns The response.
 * @example
 * ```ts
 * import { patch } from "anynet/http";
 * await patch("http://127.0.0.1:3000/posts/1", { json: { title: "renamed" } });
 * ```
 */
export function patch(url: string | URL, options?: MethodOptions): Promise<HttpResponse> {
  return sendRequest("PATCH", url, options ?? NO_OPTIONS);
}

/**
 * DELETE `url` (exported as `delete` too). See {@linkcode request}.
 *
 * @param url Absolute URL, or relative to `options.baseUrl`.
 * @param options As for `request()`, without `method`.
 * @returns The response.
 * @example
 * ```ts
 * import { del } from "anynet/http";
 * await del("http://127.0.0.1:3000/posts/1");
 * ```
 */
export function del(url: string | URL, options?: MethodOptions): Promise<HttpResponse> {
  return sendRequest("DELETE", url, options ?? NO_OPTIONS);
}
