/**
 * One request of one hop of an attempt: the first request, or the request to a redirect's
 * Location. It goes through the runtime's own transport (Node: node:http) or through
 * fetch with `redirect: "manual"`; either way redirects are followed by _redirect.ts,
 * where the rules on credentials are the same on every runtime. A hop's response is the
 * runtime's `Response` (fetch) or the transport's, and the few helpers below read either.
 * Each hop's proxy is chosen for its own URL (_proxy_route.ts), so a redirect to a host
 * on `NO_PROXY` goes direct; a failure that is the proxy's is said of the proxy
 * (_proxy_failure.ts).
 *
 * @module
 */
import type { Attempt } from "./_attempt.ts";
import type { AttemptBody, RequestPlan } from "./_request_plan.ts";
import { isStream } from "./_request_plan.ts";
import type { ProxyEndpoint } from "./_proxy_choice.ts";
import { proxyFailure, proxyRefusal } from "./_proxy_failure.ts";
import { type HopRoute, routeFor } from "./_proxy_route.ts";
import { Transfer } from "./_progress.ts";
import { countedFetchBody, uploadListener } from "./_progress_upload.ts";
import { USER_AGENT } from "../_user_agent.ts";
import { adapter, type TransportResponse } from "../runtime/mod.ts";

/** What one hop answered: fetch's `Response`, or the runtime transport's response. */
export type HopResponse = Response | TransportResponse;

/** Whether `hop` came from the runtime's transport (a Response has no `toResponse`). */
export function isTransportResponse(hop: HopResponse): hop is TransportResponse {
  return typeof (hop as Partial<TransportResponse>).toResponse === "function";
}

/** One response header of either kind of hop. */
export function hopHeader(hop: HopResponse, name: string): string | null {
  return isTransportResponse(hop) ? hop.header(name) : hop.headers.get(name);
}

/** Drops a hop's body unread (closing its connection when the body has not ended). */
export async function dropHopBody(hop: HopResponse): Promise<void> {
  if (isTransportResponse(hop)) hop.cancel();
  else await hop.body?.cancel().catch(() => {});
}

/** The headers of a request that has none of the caller's: anynet's User-Agent, which fetch would replace with its runtime's. */
const USER_AGENT_ONLY: [string, string][] = [["user-agent", USER_AGENT]];

/** `headers` with anynet's User-Agent unless they name one (request() has added it to the caller's headers). */
function withUserAgent(headers: Headers | undefined): RequestInit["headers"] {
  if (headers === undefined) return USER_AGENT_ONLY;
  if (headers.has("user-agent")) return headers;
  // Headers a beforeRequest hook made afresh.
  const copy = new Headers(headers);
  copy.set("user-agent", USER_AGENT);
  return copy;
}

/** One request of one hop; a synchronous throw (an odd fetch, a transport's setup) becomes a rejection. */
export function fetchHop(
  plan: RequestPlan,
  attempt: Attempt,
  url: string,
  method: string,
  headers: Headers | undefined,
  body: AttemptBody | undefined,
): Promise<HopResponse> {
  attempt.url = url;
  attempt.transfer?.over();
  const transfer = new Transfer(attempt, plan.progress, body !== undefined);
  attempt.transfer = transfer;
  try {
    const route = routeFor(plan.proxy, url);
    const proxy = typeof route === "object" ? route : undefined;
    const transport = plan.transport;
    if (transport !== undefined) {
      const request = { url, method, headers, body, caCerts: plan.caCerts, proxy };
      const call = transport.send(
        transfer.upload === undefined ? request : { ...request, onBodySent: uploadListener(transfer.upload) },
      );
      attempt.bind(call);
      return proxy === undefined ? call.response : throughProxy(call.response, proxy, method, url);
    }
    // A copy without a signal of its own would take the template's: such attempts go the usual way.
    const signal = attempt.signal;
    if (plan.repeated && route === undefined && body === undefined && signal !== undefined) {
      const template = templateFor(plan, url, method, headers);
      if (template !== undefined) return viaTemplate(attempt, template, signal);
    }
    if (transfer.upload !== undefined && body !== undefined) {
      return countedFetchBody(body, headers, transfer.upload).then((counted) =>
        viaFetch(plan, attempt, url, fetchInit(method, counted.headers, counted.body), route, proxy)
      );
    }
    return viaFetch(plan, attempt, url, fetchInit(method, headers, body), route, proxy);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** What fetch is given for one hop. */
function fetchInit(method: string, headers: Headers | undefined, body: AttemptBody | undefined): RequestInit {
  // Only the keys in use are set: every key of `init` costs the runtime's Request
  // constructor something.
  const init: RequestInit & { duplex?: "half" } = { redirect: "manual" };
  if (method !== "GET") init.method = method;
  init.headers = withUserAgent(headers);
  if (body !== undefined) {
    init.body = body;
    if (isStream(body)) init.duplex = "half";
  }
  return init;
}

/**
 * The plan's first hop as a `Request` that fetch copies, made at its first use; undefined
 * for another hop (a redirect, a URL or headers a hook changed) or a plan that needs more
 * than fetch's defaults (extra CAs). Copying a Request spares the runtime parsing the URL
 * and checking the headers again on every call (on Deno about 1.5 µs of CPU and some
 * garbage per call, of about 45 µs for a loopback request).
 */
function templateFor(
  plan: RequestPlan,
  url: string,
  method: string,
  headers: Headers | undefined,
): Request | undefined {
  if (
    !adapter.http.fetchCopiesRequests || url !== plan.href || method !== plan.method || headers !== plan.headers ||
    plan.caCerts
  ) {
    return undefined;
  }
  return plan.fetchTemplate ??= new Request(url, fetchInit(method, headers, undefined));
}

/** One request of one hop through the runtime's fetch: a copy of `template` with the attempt's signal. */
function viaTemplate(attempt: Attempt, template: Request, signal: AbortSignal): Promise<Response> {
  const init: RequestInit = { signal };
  attempt.attachTo(init);
  return attempt.guard(fetch(template, init));
}

/** One request of one hop through the runtime's fetch, on the route chosen for its URL (`proxy`: the route when it is a proxy). */
function viaFetch(
  plan: RequestPlan,
  attempt: Attempt,
  url: string,
  init: RequestInit,
  route: HopRoute,
  proxy: ProxyEndpoint | undefined,
): Promise<Response> {
  try {
    const method = init.method ?? "GET";
    const fetchRouted = adapter.http.fetchRouted;
    if (route !== undefined && fetchRouted !== undefined) {
      // Like the CA-aware fetch, it takes the timer's signal rather than an abort handle.
      const signal = attempt.timerSignal;
      if (signal !== undefined) init.signal = signal;
      const pending = fetchRouted(url, init, plan.caCerts, proxy);
      return proxy === undefined ? pending : throughProxy(pending, proxy, method, url);
    }
    if (proxy !== undefined) {
      throw new TypeError(`Cannot send the request: this runtime's fetch cannot go through a proxy (${proxy.origin})`);
    }
    if (plan.caCerts) {
      // The CA-aware fetch takes no abort handle: it always gets the timer's signal.
      const signal = attempt.timerSignal;
      if (signal !== undefined) init.signal = signal;
      return adapter.http.fetchWithCa!(url, init, plan.caCerts);
    }
    if (attempt.signal !== undefined) init.signal = attempt.signal;
    attempt.attachTo(init);
    return attempt.guard(fetch(url, init));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * A hop through `proxy` as the caller should see it: a failure that is the proxy's said of
 * the proxy, and a 407 (which only a proxy sends) a NetworkError rather than a response.
 */
async function throughProxy<T extends HopResponse>(
  pending: Promise<T>,
  proxy: ProxyEndpoint,
  method: string,
  url: string,
): Promise<T> {
  let hop: T;
  try {
    hop = await pending;
  } catch (error) {
    throw await proxyFailure(error, proxy, { method, url });
  }
  if (hop.status !== 407) return hop;
  await dropHopBody(hop);
  throw proxyRefusal(proxy, 407, hop.statusText, { method, url });
}
