import { Attempt } from "./_attempt.ts";
import { checkDelayMs } from "../_delay.ts";
import { checkOptionNames } from "../_options.ts";
import { describeValue } from "./_describe.ts";
import { sleep } from "../_sleep.ts";
import { fetchWithCa } from "../runtime/http/fetch.ts";
import { RedirectError, TimeoutError } from "./errors.ts";
import { HttpResponse } from "./response.ts";
import { retryDelay, type RetryOptions, retryPolicy } from "./retry.ts";

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
  /** Raise an HttpError for a 4xx/5xx status. @default true */
  throwHttpErrors?: boolean;
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
}

const DEFAULT_POLICY = retryPolicy(undefined);
/** The options of a call that gave none. */
const NO_OPTIONS: RequestOptions = Object.freeze({});

// The Fetch standard's "bad ports" (https://fetch.spec.whatwg.org/#port-blocking). Node and
// Deno refuse them with a bare TypeError after the request has started; Bun does not
// refuse them at all. Checking here gives the same early, clear answer everywhere.
const BLOCKED_PORTS = new Set([
  0,
  1,
  7,
  9,
  11,
  13,
  15,
  17,
  19,
  20,
  21,
  22,
  23,
  25,
  37,
  42,
  43,
  53,
  69,
  77,
  79,
  87,
  95,
  101,
  102,
  103,
  104,
  109,
  110,
  111,
  113,
  115,
  117,
  119,
  123,
  135,
  137,
  139,
  143,
  161,
  179,
  389,
  427,
  465,
  512,
  513,
  514,
  515,
  526,
  530,
  531,
  532,
  540,
  548,
  554,
  556,
  563,
  587,
  601,
  636,
  989,
  990,
  993,
  995,
  1719,
  1720,
  1723,
  2049,
  3659,
  4045,
  4190,
  5060,
  5061,
  6000,
  6566,
  6665,
  6666,
  6667,
  6668,
  6669,
  6679,
  6697,
  10080,
]);

function isBlockedPort(url: URL): boolean {
  return url.port !== "" && BLOCKED_PORTS.has(Number(url.port));
}

function blockedPortMessage(url: URL): string {
  return `port ${url.port} is blocked by fetch (a "bad port" in the Fetch standard): '${url.href}'`;
}
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const STANDARD_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]);

function fail(message: string, Kind: typeof TypeError | typeof RangeError = TypeError): never {
  throw new Kind(`Cannot send the request: ${message}`);
}

function checkMs(name: string, value: unknown): number {
  return checkDelayMs("send the request", name, value);
}

function checkCount(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    fail(`'${name}' must be an integer of at least 0: got ${String(value)}`, RangeError);
  }
  return value;
}

function resolveUrl(input: string | URL, baseUrl: string | URL | undefined, search: SearchParamsInit | undefined): URL {
  let url: URL;
  try {
    if (baseUrl !== undefined && !(input instanceof URL) && !/^[a-z][a-z0-9+.-]*:/i.test(input)) {
      const base = String(baseUrl);
      url = new URL(input.replace(/^\/+/, ""), base.endsWith("/") ? base : base + "/");
    } else {
      url = new URL(input);
    }
  } catch {
    fail(`invalid URL '${String(input)}'` + (baseUrl !== undefined ? ` (baseUrl '${String(baseUrl)}')` : ""));
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    fail(`the URL must be http or https: got '${url.href}'`);
  }
  if (isBlockedPort(url)) fail(blockedPortMessage(url));
  if (search !== undefined) {
    const entries = search instanceof URLSearchParams
      ? [...search]
      : Array.isArray(search)
      ? search
      : Object.entries(search as Record<string, unknown>).filter(([, v]) => v !== undefined);
    for (const [name, value] of entries) url.searchParams.append(name, String(value));
  }
  return url;
}

function authHeader(auth: Auth): [string, string] {
  if (typeof auth !== "object" || auth === null) fail(`'auth' must be an object: got ${String(auth)}`);
  if ("bearer" in auth) {
    if (typeof auth.bearer !== "string" || auth.bearer === "") fail("'auth.bearer' must be a non-empty string");
    return ["authorization", `Bearer ${auth.bearer}`];
  }
  if ("basic" in auth) {
    const { username, password } = auth.basic ?? {};
    if (typeof username !== "string" || typeof password !== "string") {
      fail("'auth.basic' needs a string 'username' and 'password'");
    }
    if (username.includes(":")) fail("'auth.basic.username' may not contain ':' (RFC 7617)");
    const bytes = new TextEncoder().encode(`${username}:${password}`);
    return ["authorization", `Basic ${btoa(String.fromCharCode(...bytes))}`];
  }
  if ("apiKey" in auth) {
    if (typeof auth.apiKey !== "string" || auth.apiKey === "") fail("'auth.apiKey' must be a non-empty string");
    const header = auth.header ?? "X-API-Key";
    if (!TOKEN.test(header)) fail(`'auth.header' must be a header name: got '${header}'`);
    return [header.toLowerCase(), auth.apiKey];
  }
  fail("'auth' must have 'bearer', 'basic' or 'apiKey'");
}

function isStream(body: unknown): boolean {
  return typeof ReadableStream !== "undefined" && body instanceof ReadableStream;
}

/**
 * Checks a request body: what fetch's `BodyInit` names. The runtimes differ on anything
 * else (an object is sent as "[object Object]", an array as "1,2" on Node, as bytes on
 * Bun, and fails mid-request on Deno), so anything else is refused here.
 */
function checkBody(what: string, body: unknown): BodyInit {
  if (
    typeof body === "string" || body instanceof ArrayBuffer || ArrayBuffer.isView(body) || isStream(body) ||
    body instanceof URLSearchParams || (typeof Blob !== "undefined" && body instanceof Blob) ||
    (typeof FormData !== "undefined" && body instanceof FormData)
  ) {
    return body as BodyInit;
  }
  fail(
    `${what} must be a string, bytes, Blob, FormData, URLSearchParams or ReadableStream: got ${describeValue(body)}` +
      (typeof body === "object" && body !== null ? " (send an object with 'json')" : ""),
  );
}

/** Everything `request()` checked and derived before the first byte goes out. */
interface Plan {
  href: string;
  method: string;
  /** `undefined` when the request has no headers at all (fetch then copies nothing). */
  headers: Headers | undefined;
  body: BodySource | undefined;
  replayable: boolean;
  sensitive: readonly string[];
  timeoutMs: number;
  deadlineMs: number;
  maxRedirects: number;
  maxBodyBytes: number | undefined;
  caCerts: string[] | undefined;
}

/**
 * Request headers that carry credentials by their name, dropped when a redirect leaves the
 * origin (scheme, host and port), besides the header `auth` sets and any named in
 * `sensitiveHeaders`. The runtimes' own fetch drops only the first three: an API key in a
 * header of its own would reach whatever origin a server redirects to.
 */
export const SENSITIVE_HEADERS: readonly string[] = Object.freeze([
  "authorization",
  "proxy-authorization",
  "cookie",
  "x-api-key",
  "api-key",
  "apikey",
  "x-auth-token",
  "x-access-token",
  "private-token",
  "x-goog-api-key",
  "x-vault-token",
  "x-amz-security-token",
  "ocp-apim-subscription-key",
]);

function checkHeaderNames(name: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string" || !TOKEN.test(item))) {
    fail(`'${name}' must be an array of header names: got ${describeValue(value)}`);
  }
  return value.map((item: string) => item.toLowerCase());
}

/** The headers dropped when a redirect leaves the origin, in lower case. */
function sensitiveNames(options: RequestOptions, authName: string | undefined): readonly string[] {
  const { sensitiveHeaders, keepSensitiveHeaders } = options;
  if (sensitiveHeaders === undefined && keepSensitiveHeaders === undefined) {
    return authName === undefined || SENSITIVE_HEADERS.includes(authName)
      ? SENSITIVE_HEADERS
      : [...SENSITIVE_HEADERS, authName];
  }
  const names = new Set(SENSITIVE_HEADERS);
  if (authName !== undefined) names.add(authName);
  if (sensitiveHeaders !== undefined) {
    for (const name of checkHeaderNames("sensitiveHeaders", sensitiveHeaders)) names.add(name);
  }
  if (keepSensitiveHeaders !== undefined) {
    for (const name of checkHeaderNames("keepSensitiveHeaders", keepSensitiveHeaders)) names.delete(name);
  }
  return [...names];
}

// Validated URL strings, so that a client calling the same URLs again and again does not
// parse each one again. Bounded: cleared when full.
const checkedUrls = new Map<string, string>();

function hrefOf(input: string | URL, options: RequestOptions): string {
  if (typeof input === "string" && options.baseUrl === undefined && options.searchParams === undefined) {
    const known = checkedUrls.get(input);
    if (known !== undefined) return known;
    const href = resolveUrl(input, undefined, undefined).href;
    if (checkedUrls.size >= 256) checkedUrls.clear();
    checkedUrls.set(input, href);
    return href;
  }
  return resolveUrl(input, options.baseUrl, options.searchParams).href;
}

/**
 * Credentials written into the URL (`http://user:pass@host/`) as Basic auth, and the URL
 * without them. Node's fetch refuses such a URL while Deno's and Bun's turn it into Basic
 * auth themselves; doing it here gives every runtime the same request, keeps the password
 * out of the URL that errors and responses show, and makes the credentials follow the
 * same redirect rules as `auth`.
 */
function splitCredentials(href: string): { href: string; auth: Auth | undefined } {
  const url = new URL(href);
  if (url.username === "" && url.password === "") return { href, auth: undefined };
  let username: string;
  let password: string;
  try {
    username = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  } catch {
    fail(`the credentials in the URL are not valid percent-encoding: '${url.host}${url.pathname}'`);
  }
  url.username = "";
  url.password = "";
  return { href: url.href, auth: { basic: { username, password } } };
}

// Every option request() knows: a misspelt one ("timout") would otherwise be ignored in
// silence, and the request would run with the default.
const OPTION_NAMES: readonly string[] = [
  "method",
  "headers",
  "searchParams",
  "json",
  "body",
  "baseUrl",
  "auth",
  "timeout",
  "deadline",
  "retry",
  "signal",
  "maxRedirects",
  "maxBodyBytes",
  "throwHttpErrors",
  "ca",
  "sensitiveHeaders",
  "keepSensitiveHeaders",
  "hooks",
];

function plan(input: string | URL, method: string, options: RequestOptions): Plan {
  if (typeof options !== "object" || options === null) fail(`options must be an object: got ${String(options)}`);
  checkOptionNames("send the request", options, OPTION_NAMES);
  let href = hrefOf(input, options);
  let auth = options.auth;
  // Only a URL with an "@" can hold credentials; the rest skip the second parse.
  if (href.includes("@")) {
    const split = splitCredentials(href);
    if (split.auth !== undefined) {
      if (auth !== undefined) fail("give the credentials in the URL or in 'auth', not both");
      href = split.href;
      auth = split.auth;
    }
  }
  let headers: Headers | undefined;
  if (options.headers !== undefined) {
    try {
      headers = new Headers(options.headers);
    } catch (error) {
      fail(`invalid headers: ${(error as Error).message}`);
    }
  }
  let body: BodySource | undefined = options.body;
  if (body !== undefined && typeof body !== "function") checkBody("'body'", body);
  if (options.json !== undefined) {
    if (body !== undefined) fail("give 'json' or 'body', not both");
    try {
      body = JSON.stringify(options.json);
    } catch (error) {
      fail(`'json' cannot be written as JSON: ${(error as Error).message.split("\n")[0]}`);
    }
    if (body === undefined) fail("'json' is not serialisable to JSON");
    headers ??= new Headers();
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  if (body !== undefined && (method === "GET" || method === "HEAD")) fail(`a ${method} request cannot have a body`);
  let authName: string | undefined;
  if (auth !== undefined) {
    const [name, value] = authHeader(auth);
    headers ??= new Headers();
    headers.set(name, value);
    authName = name;
  }
  const sensitive = sensitiveNames(options, authName);
  const timeout = options.timeout;
  const timeoutMs = timeout === undefined
    ? 10_000
    : timeout === false || timeout === Infinity
    ? Infinity
    : checkMs("timeout", timeout);
  const deadlineMs = options.deadline === undefined ? Infinity : checkMs("deadline", options.deadline);
  const ca = options.ca;
  let caCerts: string[] | undefined;
  if (ca !== undefined) {
    caCerts = typeof ca === "string" ? [ca] : [...ca];
    if (caCerts.some((c) => typeof c !== "string" || !c.includes("-----BEGIN CERTIFICATE-----"))) {
      fail("'ca' must be PEM certificate text ('-----BEGIN CERTIFICATE-----…')");
    }
  }
  return {
    href,
    method,
    headers,
    body,
    // A factory makes a fresh body for every attempt, so only a bare stream cannot be resent.
    replayable: body === undefined || typeof body === "string" || !isStream(body),
    sensitive,
    timeoutMs,
    deadlineMs,
    maxRedirects: options.maxRedirects === undefined ? 10 : checkCount("maxRedirects", options.maxRedirects),
    maxBodyBytes: options.maxBodyBytes === undefined ? undefined : checkCount("maxBodyBytes", options.maxBodyBytes),
    caCerts,
  };
}

/** One fetch of one hop; a synchronous throw (an odd fetch, a CA-aware fetch's setup) becomes a rejection. */
function fetchHop(
  p: Plan,
  attempt: Attempt,
  url: string,
  method: string,
  headers: Headers | undefined,
  body: BodyInit | undefined,
): Promise<Response> {
  attempt.url = url;
  // Each runtime handles credentials on cross-origin redirects differently (none of
  // them drops a custom API-key header), so redirects are followed here, where the
  // rule is the same everywhere. Only the keys in use are set: every key of `init`
  // costs the runtime's Request constructor something.
  const init: RequestInit & { duplex?: "half"; dispatcher?: unknown } = { redirect: "manual" };
  if (method !== "GET") init.method = method;
  if (headers !== undefined) init.headers = headers;
  if (body !== undefined) {
    init.body = body;
    if (isStream(body)) init.duplex = "half";
  }
  try {
    if (p.caCerts) {
      // The CA-aware fetch takes no dispatcher: it always gets the timer's signal.
      const signal = attempt.timerSignal;
      if (signal !== undefined) init.signal = signal;
      return fetchWithCa(url, init, p.caCerts);
    }
    if (attempt.signal !== undefined) init.signal = attempt.signal;
    if (attempt.dispatcher !== undefined) init.dispatcher = attempt.dispatcher;
    return attempt.guard(fetch(url, init));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The body for one attempt: the plan's own, or a fresh one from its factory. */
function freshBody(p: Plan): BodyInit | undefined {
  return typeof p.body === "function" ? checkBody("what the 'body' function returned", p.body()) : p.body;
}

function isFollowable(raw: Response, status: number): boolean {
  return status >= 301 && status <= 308 && REDIRECTS.has(status) && raw.headers.has("location");
}

/** The response to an attempt's first hop, or the redirects followed from it. */
function settle(
  p: Plan,
  attempt: Attempt,
  raw: Response,
  headers: Headers | undefined,
  body: BodyInit | undefined,
): HttpResponse | Promise<HttpResponse> {
  const status = raw.status;
  return isFollowable(raw, status)
    ? follow(p, attempt, raw, headers, body)
    : new HttpResponse(raw, attempt, 0, p.maxBodyBytes, status);
}

/** Sends one attempt and resolves to its final response (redirects followed). */
function send(
  p: Plan,
  attempt: Attempt,
  href: string,
  headers: Headers | undefined,
  body: BodyInit | undefined,
): Promise<HttpResponse> {
  return fetchHop(p, attempt, href, p.method, headers, body).then(
    (raw) => settle(p, attempt, raw, headers, body),
    (error) => {
      throw attempt.mapError(error, "send");
    },
  );
}

/** Follows redirects by hand from `raw`, so that credentials never leave their origin. */
async function follow(
  p: Plan,
  attempt: Attempt,
  raw: Response,
  headers: Headers | undefined,
  body: BodyInit | undefined,
): Promise<HttpResponse> {
  let method = p.method;
  let current = attempt.url;
  for (let redirects = 0;; redirects++) {
    if (redirects > 0) {
      try {
        raw = await fetchHop(p, attempt, current, method, headers, body);
      } catch (error) {
        throw attempt.mapError(error, "send");
      }
      if (!isFollowable(raw, raw.status)) return new HttpResponse(raw, attempt, redirects, p.maxBodyBytes);
    }
    const status = raw.status;
    const location = raw.headers.get("location")!;
    await raw.body?.cancel().catch(() => {});
    if (redirects >= p.maxRedirects) {
      throw new RedirectError({
        method,
        url: current,
        detail: `too many redirects (more than 'maxRedirects' = ${p.maxRedirects})`,
      });
    }
    const from = new URL(current);
    let next: URL;
    try {
      next = new URL(location, from);
    } catch {
      throw new RedirectError({ method, url: current, detail: `invalid Location '${location}'` });
    }
    if (next.protocol !== "http:" && next.protocol !== "https:") {
      throw new RedirectError({ method, url: current, detail: `redirect to a non-HTTP URL '${next.href}'` });
    }
    if (isBlockedPort(next)) {
      throw new RedirectError({ method, url: current, detail: `redirect to ${blockedPortMessage(next)}` });
    }
    // RFC 9110 §15.4: 303 always becomes GET; 301/302 turn POST into GET as browsers do.
    if ((status === 303 && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
      if (headers !== undefined) {
        headers = new Headers(headers);
        for (const name of ["content-type", "content-length", "content-encoding", "transfer-encoding"]) {
          headers.delete(name);
        }
      }
    } else if (body !== undefined && isStream(body)) {
      if (typeof p.body !== "function") {
        throw new RedirectError({
          method,
          url: current,
          detail: `cannot resend a stream body for a ${status} redirect (give 'body' as a function)`,
        });
      }
      body = p.body();
    }
    if (next.origin !== from.origin && headers !== undefined) {
      headers = new Headers(headers);
      for (const name of p.sensitive) headers.delete(name);
    }
    current = next.href;
  }
}

// The Fetch standard's forbidden methods: Node and Deno refuse them only once the request
// is under way, with an error that looks like a network failure, and Bun sends them (TRACK
// as a GET). Refusing them here is the same early answer everywhere.
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

const HOOK_NAMES: readonly string[] = ["beforeRequest", "beforeRetry", "afterResponse"];

function checkHooks(hooks: unknown): Hooks {
  if (typeof hooks !== "object" || hooks === null) fail(`'hooks' must be an object: got ${String(hooks)}`);
  checkOptionNames("send the request", hooks, HOOK_NAMES, "hooks.");
  for (const [name, list] of Object.entries(hooks)) {
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.some((hook) => typeof hook !== "function")) {
      fail(`'hooks.${name}' must be an array of functions`);
    }
  }
  return hooks as Hooks;
}

function checkMethod(raw: unknown): string {
  if (raw === undefined) return "GET";
  if (typeof raw !== "string" || !TOKEN.test(raw)) fail(`invalid method '${String(raw)}'`);
  const upper = raw.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper)) fail(`method '${raw}' is forbidden by fetch (CONNECT, TRACE and TRACK are)`);
  return STANDARD_METHODS.has(upper) ? upper : raw;
}

/** What one call of request() carries from attempt to attempt. */
interface Run {
  p: Plan;
  policy: ReturnType<typeof retryPolicy>;
  signal: AbortSignal | undefined;
  throwHttpErrors: boolean;
  hooks: Hooks | undefined;
  deadlineAt: number;
}

/** How the first attempt ended, when it was sent before the retry loop started. */
interface FirstOutcome {
  attempt: Attempt;
  response?: HttpResponse;
  failed?: boolean;
  error?: unknown;
}

// What a call without options derives is the same every time for the same method and
// URL (a Run is never changed once made): kept, so that `get(url)` checks the URL once,
// not on every call. Bounded like the URL cache above.
const plainRuns = new Map<string, Map<string, Run>>();

function start(method: string, url: string | URL, options: RequestOptions): Run {
  if (options !== NO_OPTIONS || typeof url !== "string") return derive(method, url, options);
  let byUrl = plainRuns.get(method);
  if (byUrl === undefined) plainRuns.set(method, byUrl = new Map());
  let r = byUrl.get(url);
  if (r === undefined) {
    r = derive(method, url, options);
    if (byUrl.size >= 256) byUrl.clear();
    byUrl.set(url, r);
  }
  return r;
}

function derive(method: string, url: string | URL, options: RequestOptions): Run {
  const p = plan(url, method, options);
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) fail("'signal' must be an AbortSignal");
  return {
    p,
    policy: options.retry === undefined ? DEFAULT_POLICY : retryPolicy(options.retry),
    signal,
    throwHttpErrors: options.throwHttpErrors ?? true,
    hooks: options.hooks === undefined ? undefined : checkHooks(options.hooks),
    deadlineAt: p.deadlineMs === Infinity ? Infinity : Date.now() + p.deadlineMs,
  };
}

function run(method: string, url: string | URL, options: RequestOptions): Promise<HttpResponse> {
  let r: Run;
  let body: BodyInit | undefined;
  try {
    r = start(method, url, options);
    body = freshBody(r.p);
  } catch (error) {
    return Promise.reject(error);
  }
  if (r.hooks?.beforeRequest?.length || r.signal?.aborted) return attempts(r, undefined);
  // The first attempt goes out at once, and a plain success costs one `then`: the
  // retry loop (an async function) is entered only when that attempt did not simply
  // succeed, and redirects are followed only when there is one.
  const p = r.p;
  const attempt = new Attempt(p.method, p.href, r.signal, p.timeoutMs, r.deadlineAt, p.deadlineMs);
  const retryLoop = (error: unknown) => attempts(r, { attempt, failed: true, error });
  return fetchHop(p, attempt, p.href, p.method, p.headers, body).then((raw) => {
    const response = settle(p, attempt, raw, p.headers, body);
    return response instanceof HttpResponse
      ? judgeFirst(r, attempt, response)
      : response.then((followed) => judgeFirst(r, attempt, followed), retryLoop);
  }, retryLoop);
}

function judgeFirst(r: Run, attempt: Attempt, response: HttpResponse): HttpResponse | Promise<HttpResponse> {
  return response.status < 400 && !r.hooks?.afterResponse ? response : attempts(r, { attempt, response });
}

/** The retry loop: judges each attempt's outcome, waits, and tries again while the policy allows. */
async function attempts(r: Run, first: FirstOutcome | undefined): Promise<HttpResponse> {
  const { p, policy, signal, throwHttpErrors, hooks, deadlineAt } = r;
  for (let attemptNo = 0;; attemptNo++) {
    let attempt: Attempt;
    let response: HttpResponse | undefined;
    let failed = false;
    let failure: unknown;
    if (attemptNo === 0 && first !== undefined) {
      ({ attempt, response } = first);
      failed = first.failed === true;
      failure = first.error;
    } else {
      signal?.throwIfAborted();
      let href = p.href;
      let headers = p.headers;
      if (hooks?.beforeRequest?.length) {
        // Hooks get copies to edit; without hooks the plan's own headers are used as they
        // are (follow() copies them before it changes them).
        const context: BeforeRequestContext = {
          url: new URL(href),
          method: p.method,
          headers: new Headers(headers),
          attempt: attemptNo,
        };
        for (const hook of hooks.beforeRequest) await hook(context);
        href = context.url.href;
        headers = context.headers;
      }
      // A body factory that throws (or returns no body) is the caller's error, not a
      // failed attempt: it leaves the loop as it is, unretried.
      const body = freshBody(p);
      attempt = new Attempt(p.method, href, signal, p.timeoutMs, deadlineAt, p.deadlineMs);
      try {
        response = await send(p, attempt, href, headers, body);
      } catch (caught) {
        failed = true;
        failure = caught;
      }
    }
    let error: unknown;
    let delay: number | undefined;
    try {
      if (failed) throw failure;
      if (hooks?.afterResponse) { for (const hook of hooks.afterResponse) await hook(response!, attemptNo); }
      if (response!.status < 400) return response!;
      delay = retryDelay(policy, {
        retries: attemptNo,
        method: p.method,
        replayable: p.replayable,
        error: undefined,
        response,
        remaining: deadlineAt - Date.now(),
      });
      if (delay === undefined && !throwHttpErrors) return response!;
      // Either raised now or handed to beforeRetry: the error keeps the start of the body.
      error = await response!.toHttpError();
      if (delay === undefined) throw error;
    } catch (caught) {
      attempt.finish();
      if (caught === error) throw error;
      error = attempt.mapError(caught, "send");
      const failureInfo = {
        retries: attemptNo,
        method: p.method,
        replayable: p.replayable,
        error,
        remaining: deadlineAt - Date.now(),
      };
      delay = retryDelay(policy, failureInfo);
      if (delay === undefined) {
        // A failure the policy would retry, stopped only because no wait fits before the
        // deadline: the deadline is the limit that fired, so say that (with the cause).
        if (deadlineAt !== Infinity && retryDelay(policy, { ...failureInfo, remaining: Infinity }) !== undefined) {
          throw new TimeoutError({ kind: "deadline", ms: p.deadlineMs, method: p.method, url: attempt.url }, {
            cause: error,
          });
        }
        throw error;
      }
    }
    for (const hook of hooks?.beforeRetry ?? []) {
      await hook({
        method: p.method,
        url: attempt.url,
        error: error as Error,
        retry: attemptNo + 1,
        limit: policy.limit,
        delay,
      });
    }
    await sleep(delay, { signal, onAbort: "reject" });
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
    return run(checkMethod(options?.method), url, options);
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
  return run("GET", url, options ?? NO_OPTIONS);
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
  return run("HEAD", url, options ?? NO_OPTIONS);
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
  return run("POST", url, options ?? NO_OPTIONS);
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
  return run("PUT", url, options ?? NO_OPTIONS);
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
  return run("PATCH", url, options ?? NO_OPTIONS);
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
  return run("DELETE", url, options ?? NO_OPTIONS);
}
