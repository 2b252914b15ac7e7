/**
 * anynet/http: a resilient fetch-based client (timeouts, retries with backoff and
 * `Retry-After`, clear errors, JSON, auth, safe redirects), a portable `serve()` for Node,
 * Deno and Bun, and a local REST API for offline examples.
 *
 * @example Fetch JSON with a timeout and retries
 * ```ts
 * import { get } from "anynet/http";
 * const response = await get("http://127.0.0.1:3000/posts/1", { timeout: 5000, retry: 2 });
 * console.log(await response.json());
 * ```
 *
 * @module
 */
export {
  type Auth,
  type BeforeRequestContext,
  type BeforeRetryContext,
  type BodySource,
  del,
  del as delete,
  get,
  head,
  type Hooks,
  patch,
  post,
  put,
  request,
  type RequestOptions,
  type SearchParamsInit,
  SENSITIVE_HEADERS,
} from "./request.ts";
export { HttpResponse, type JsonValidator } from "./response.ts";
export type { Progress, ProgressCallback } from "./_progress.ts";
export type { RequestTimings } from "./_progress_timings.ts";
export {
  type CachedResponse,
  type CacheOutcome,
  type CacheStore,
  MemoryCache,
  type MemoryCacheOptions,
} from "./cache.ts";
export {
  backoffDelay,
  IDEMPOTENT_METHODS,
  RETRY_STATUS_CODES,
  retryDelay,
  type RetryOptions,
  type RetryPolicy,
  retryPolicy,
} from "./retry.ts";
export {
  BodyTooLargeError,
  ERROR_BODY_PREVIEW_CHARS,
  HttpError,
  type HttpErrorInit,
  isBodyTooLargeError,
  isHttpError,
  isNetworkError,
  isRedirectError,
  isTimeoutError,
  NetworkError,
  type NetworkErrorReason,
  RedirectError,
  TimeoutError,
  type TimeoutKind,
} from "./errors.ts";
export {
  type ErrorResponder,
  type Handler,
  type HttpAddr,
  type HttpServer,
  type RequestInfo,
  serve,
  type ServeOptions,
} from "./serve.ts";
export { FastResponse } from "./fast_response.ts";
export {
  type ApiComment,
  type ApiPost,
  type ApiUser,
  createRestApi,
  restApiErrorResponse,
  type RestApiOptions,
} from "./rest_api.ts";
export { serveStatic, type ServeStaticOptions } from "./serve_static.ts";
