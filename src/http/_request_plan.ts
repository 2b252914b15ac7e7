/**
 * What `request()` checks and works out before the first byte goes out: the URL (base,
 * query, credentials written into it), the method, headers, body, credentials, limits and
 * CA certificates, collected in one {@linkcode RequestPlan}; then, with the retry policy,
 * signal and hooks, one {@linkcode PreparedRequest} that every attempt of the call reads.
 * Every mistake is a TypeError or RangeError ("Cannot send the request: …") thrown here,
 * before any I/O.
 *
 * To change how an option of `request()` is read or checked, edit it here.
 *
 * @module
 */
import {
  checkCount,
  checkDelayMs,
  checkFunction,
  checkOptionsObject,
  checkSignal,
  describeValue,
  refuse,
} from "../_argument_checks.ts";
import { badPortDetail, FORBIDDEN_METHODS, HTTP_TOKEN, isBadPort } from "../_fetch_spec.ts";
import { sensitiveHeaderNames } from "./_redirect.ts";
import { type ProxySetting, proxySetting } from "./_proxy_route.ts";
import type { ProgressCallbacks } from "./_progress.ts";
import { USER_AGENT } from "../_user_agent.ts";
import { retryPolicy } from "./retry.ts";
import type { Auth, BodySource, Hooks, RequestOptions, SearchParamsInit } from "./request.ts";
import { adapter, type HttpTransport } from "../runtime/mod.ts";

/** The action every argument error of a request names: "Cannot send the request: …". */
const SEND = "send the request";

/** Methods written in upper case whatever case the caller used; any other keeps its case. */
const STANDARD_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]);

const DEFAULT_POLICY = retryPolicy(undefined);

// Spelled through RequestInit rather than BodyInit: these declarations ship in the package,
// and a project with Node's types only has no global BodyInit.
/** A body fetch takes, for one attempt. */
export type AttemptBody = NonNullable<RequestInit["body"]>;

/** Everything `request()` checked and derived from its arguments. */
export interface RequestPlan {
  href: string;
  method: string;
  /** `undefined` when the request has no headers at all (fetch then copies nothing). */
  headers: Headers | undefined;
  body: BodySource | undefined;
  replayable: boolean;
  /** Headers dropped when a redirect leaves the origin, in lower case. */
  sensitive: readonly string[];
  timeoutMs: number;
  deadlineMs: number;
  maxRedirects: number;
  maxBodyBytes: number | undefined;
  /** `onDownloadProgress` and `onUploadProgress`, when either was given. */
  progress: ProgressCallbacks | undefined;
  caCerts: string[] | undefined;
  /** The runtime's own transport, or `undefined` to send with fetch. */
  transport: HttpTransport | undefined;
  /** What the `proxy` and `noProxy` options ask for (each hop's proxy is chosen from it). */
  proxy: ProxySetting;
  /** Whether many calls share this plan (calls without options to the same URL): worth preparing further. */
  repeated: boolean;
  /**
   * For a repeated plan sent through fetch: its first hop as a `Request`, made at the first
   * hop and fetched (copied) by every call after it (_fetch_hop.ts); otherwise undefined.
   */
  fetchTemplate: Request | undefined;
}

/** What one call of request() carries from attempt to attempt. */
export interface PreparedRequest {
  plan: RequestPlan;
  policy: ReturnType<typeof retryPolicy>;
  signal: AbortSignal | undefined;
  throwHttpErrors: boolean;
  hooks: Hooks | undefined;
  /** When the `deadline` ends the call (a `Date.now()` time), or Infinity. */
  deadlineAt: number;
}

/** The options of a call that gave none. */
export const NO_OPTIONS: RequestOptions = Object.freeze({});

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
    refuse(SEND, `invalid URL '${String(input)}'` + (baseUrl !== undefined ? ` (baseUrl '${String(baseUrl)}')` : ""));
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    refuse(SEND, `the URL must be http or https: got '${url.href}'`);
  }
  if (isBadPort(url)) refuse(SEND, badPortDetail(url));
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
  if (typeof auth !== "object" || auth === null) refuse(SEND, `'auth' must be an object: got ${String(auth)}`);
  if ("bearer" in auth) {
    if (typeof auth.bearer !== "string" || auth.bearer === "") refuse(SEND, "'auth.bearer' must be a non-empty string");
    return ["authorization", `Bearer ${auth.bearer}`];
  }
  if ("basic" in auth) {
    const { username, password } = auth.basic ?? {};
    if (typeof username !== "string" || typeof password !== "string") {
      refuse(SEND, "'auth.basic' needs a string 'username' and 'password'");
    }
    if (username.includes(":")) refuse(SEND, "'auth.basic.username' may not contain ':' (RFC 7617)");
    const bytes = new TextEncoder().encode(`${username}:${password}`);
    return ["authorization", `Basic ${btoa(String.fromCharCode(...bytes))}`];
  }
  if ("apiKey" in auth) {
    if (typeof auth.apiKey !== "string" || auth.apiKey === "") refuse(SEND, "'auth.apiKey' must be a non-empty string");
    const header = auth.header ?? "X-API-Key";
    if (!HTTP_TOKEN.test(header)) refuse(SEND, `'auth.header' must be a header name: got '${header}'`);
    return [header.toLowerCase(), auth.apiKey];
  }
  refuse(SEND, "'auth' must have 'bearer', 'basic' or 'apiKey'");
}

/** Whether `body` is a ReadableStream (which fetch reads once: it cannot be sent again). */
export function isStream(body: unknown): boolean {
  return typeof ReadableStream !== "undefined" && body instanceof ReadableStream;
}

/**
 * Checks a request body: what fetch's `BodyInit` names. The runtimes differ on anything
 * else (an object is sent as "[object Object]", an array as "1,2" on Node, as bytes on
 * Bun, and fails mid-request on Deno), so anything else is refused here.
 */
function checkBody(what: string, body: unknown): AttemptBody {
  if (
    typeof body === "string" || body instanceof ArrayBuffer || ArrayBuffer.isView(body) || isStream(body) ||
    body instanceof URLSearchParams || (typeof Blob !== "undefined" && body instanceof Blob) ||
    (typeof FormData !== "undefined" && body instanceof FormData)
  ) {
    return body as AttemptBody;
  }
  refuse(
    SEND,
    `${what} must be a string, bytes, Blob, FormData, URLSearchParams or ReadableStream: got ${describeValue(body)}` +
      (typeof body === "object" && body !== null ? " (send an object with 'json')" : ""),
  );
}

/** The body for one attempt: the plan's own, or a fresh one from its factory. */
export function bodyForAttempt(plan: RequestPlan): AttemptBody | undefined {
  return typeof plan.body === "function" ? checkBody("what the 'body' function returned", plan.body()) : plan.body;
}

function checkHeaderNames(name: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string" || !HTTP_TOKEN.test(item))) {
    refuse(SEND, `'${name}' must be an array of header names: got ${describeValue(value)}`);
  }
  return value.map((item: string) => item.toLowerCase());
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
    refuse(SEND, `the credentials in the URL are not valid percent-encoding: '${url.host}${url.pathname}'`);
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
  "onDownloadProgress",
  "onUploadProgress",
  "throwHttpErrors",
  "cache",
  "ca",
  "sensitiveHeaders",
  "keepSensitiveHeaders",
  "hooks",
  "transport",
  "proxy",
  "noProxy",
];

/** The values of the `transport` option. */
const TRANSPORTS: readonly string[] = ["auto", "fetch"];

/**
 * The transport the request goes through: the runtime's own where it has one (Node:
 * node:http) unless the caller asks for fetch; fetch elsewhere. A runtime whose fetch
 * cannot trust extra CAs sends requests with `ca` through its own transport only.
 */
function transportFor(
  option: unknown,
  caCerts: readonly string[] | undefined,
  proxy: ProxySetting,
): HttpTransport | undefined {
  if (option !== undefined && !TRANSPORTS.includes(option as string)) {
    refuse(SEND, `'transport' must be "auto" or "fetch": got ${describeValue(option)}`);
  }
  const own = adapter.http.transport;
  if (option !== "fetch") return own;
  if (caCerts !== undefined && adapter.http.fetchWithCa === undefined) {
    refuse(SEND, "'ca' needs the default transport here: this runtime's fetch cannot trust extra CA certificates");
  }
  if (proxy.kind === "fixed" && adapter.http.fetchRouted === undefined) {
    refuse(SEND, "'proxy' needs the default transport here: this runtime's fetch cannot go through a proxy");
  }
  return undefined;
}

function planRequest(input: string | URL, method: string, options: RequestOptions): RequestPlan {
  checkOptionsObject(SEND, options, OPTION_NAMES, "", String);
  let href = hrefOf(input, options);
  let auth = options.auth;
  // Only a URL with an "@" can hold credentials; the rest skip the second parse.
  if (href.includes("@")) {
    const split = splitCredentials(href);
    if (split.auth !== undefined) {
      if (auth !== undefined) refuse(SEND, "give the credentials in the URL or in 'auth', not both");
      href = split.href;
      auth = split.auth;
    }
  }
  let headers: Headers | undefined;
  if (options.headers !== undefined) {
    try {
      headers = new Headers(options.headers);
    } catch (error) {
      refuse(SEND, `invalid headers: ${(error as Error).message}`);
    }
    // Set here, once per call, rather than on every hop (_fetch_hop.ts adds it to none).
    if (!headers.has("user-agent")) headers.set("user-agent", USER_AGENT);
  }
  let body: BodySource | undefined = options.body;
  if (body !== undefined && typeof body !== "function") checkBody("'body'", body);
  if (options.json !== undefined) {
    if (body !== undefined) refuse(SEND, "give 'json' or 'body', not both");
    try {
      body = JSON.stringify(options.json);
    } catch (error) {
      refuse(SEND, `'json' cannot be written as JSON: ${(error as Error).message.split("\n")[0]}`);
    }
    if (body === undefined) refuse(SEND, "'json' is not serialisable to JSON");
    headers ??= new Headers();
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  if (body !== undefined && (method === "GET" || method === "HEAD")) {
    refuse(SEND, `a ${method} request cannot have a body`);
  }
  let authName: string | undefined;
  if (auth !== undefined) {
    const [name, value] = authHeader(auth);
    headers ??= new Headers();
    headers.set(name, value);
    authName = name;
  }
  const { sensitiveHeaders, keepSensitiveHeaders } = options;
  const sensitive = sensitiveHeaderNames(
    authName,
    sensitiveHeaders === undefined ? undefined : checkHeaderNames("sensitiveHeaders", sensitiveHeaders),
    keepSensitiveHeaders === undefined ? undefined : checkHeaderNames("keepSensitiveHeaders", keepSensitiveHeaders),
  );
  const timeout = options.timeout;
  const timeoutMs = timeout === undefined
    ? 10_000
    : timeout === false || timeout === Infinity
    ? Infinity
    : checkDelayMs(SEND, "timeout", timeout);
  const deadlineMs = options.deadline === undefined ? Infinity : checkDelayMs(SEND, "deadline", options.deadline);
  const proxy = proxySetting(options.proxy, options.noProxy);
  const ca = options.ca;
  let caCerts: string[] | undefined;
  if (ca !== undefined) {
    caCerts = typeof ca === "string" ? [ca] : [...ca];
    if (caCerts.some((c) => typeof c !== "string" || !c.includes("-----BEGIN CERTIFICATE-----"))) {
      refuse(SEND, "'ca' must be PEM certificate text ('-----BEGIN CERTIFICATE-----…')");
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
    maxRedirects: options.maxRedirects === undefined ? 10 : checkCount(SEND, "maxRedirects", options.maxRedirects),
    maxBodyBytes: options.maxBodyBytes === undefined
      ? undefined
      : checkCount(SEND, "maxBodyBytes", options.maxBodyBytes),
    progress: progressCallbacks(options),
    caCerts,
    transport: transportFor(options.transport, caCerts, proxy),
    proxy,
    repeated: false,
    fetchTemplate: undefined,
  };
}

/** The progress callbacks, checked; undefined when neither was given. */
function progressCallbacks(options: RequestOptions): ProgressCallbacks | undefined {
  const { onDownloadProgress: download, onUploadProgress: upload } = options;
  if (download === undefined && upload === undefined) return undefined;
  if (download !== undefined) checkFunction(SEND, "onDownloadProgress", download);
  if (upload !== undefined) checkFunction(SEND, "onUploadProgress", upload);
  return { download, upload };
}

const HOOK_NAMES: readonly string[] = ["beforeRequest", "beforeRetry", "afterResponse"];

function checkHooks(hooks: unknown): Hooks {
  checkOptionsObject(SEND, hooks, HOOK_NAMES, "hooks.", String);
  for (const [name, list] of Object.entries(hooks as Hooks)) {
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.some((hook) => typeof hook !== "function")) {
      refuse(SEND, `'hooks.${name}' must be an array of functions`);
    }
  }
  return hooks as Hooks;
}

/** The method to send: GET when none is given, a standard one in upper case; a forbidden one is refused. */
export function checkMethod(raw: unknown): string {
  if (raw === undefined) return "GET";
  if (typeof raw !== "string" || !HTTP_TOKEN.test(raw)) refuse(SEND, `invalid method '${String(raw)}'`);
  const upper = raw.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper)) {
    refuse(SEND, `method '${raw}' is forbidden by fetch (CONNECT, TRACE and TRACK are)`);
  }
  return STANDARD_METHODS.has(upper) ? upper : raw;
}

function checkAndPrepare(method: string, url: string | URL, options: RequestOptions): PreparedRequest {
  const plan = planRequest(url, method, options);
  const signal = checkSignal(SEND, options.signal);
  return {
    plan,
    policy: options.retry === undefined ? DEFAULT_POLICY : retryPolicy(options.retry),
    signal,
    throwHttpErrors: options.throwHttpErrors ?? true,
    hooks: options.hooks === undefined ? undefined : checkHooks(options.hooks),
    deadlineAt: plan.deadlineMs === Infinity ? Infinity : Date.now() + plan.deadlineMs,
  };
}

// What a call without options prepares is the same every time for the same method and
// URL (a PreparedRequest is never changed once made, but for its plan's fetch template):
// kept, so that `get(url)` checks the URL once, not on every call. Bounded like the URL
// cache above.
const preparedPlainCalls = new Map<string, Map<string, PreparedRequest>>();

/** Checks a call's arguments and prepares it; a call without options reuses what an earlier one prepared. */
export function prepareRequest(method: string, url: string | URL, options: RequestOptions): PreparedRequest {
  if (options !== NO_OPTIONS || typeof url !== "string") return checkAndPrepare(method, url, options);
  let byUrl = preparedPlainCalls.get(method);
  if (byUrl === undefined) preparedPlainCalls.set(method, byUrl = new Map());
  let prepared = byUrl.get(url);
  if (prepared === undefined) {
    prepared = checkAndPrepare(method, url, options);
    prepared.plan.repeated = true;
    if (byUrl.size >= 256) byUrl.clear();
    byUrl.set(url, prepared);
  }
  return prepared;
}
