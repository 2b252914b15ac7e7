/**
 * One request of one hop of an attempt: the first request, or the request to a redirect's
 * Location. It goes through the runtime's own transport (Node: node:http) or through
 * fetch with `redirect: "manual"`; either way redirects are followed by _redirect.ts,
 * where the rules on credentials are the same on every runtime. A hop's response is the
 * runtime's `Response` (fetch) or the transport's, and the few helpers below read either.
 *
 * @module
 */
import type { Attempt } from "./_attempt.ts";
import type { AttemptBody, RequestPlan } from "./_request_plan.ts";
import { isStream } from "./_request_plan.ts";
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
  try {
    const transport = plan.transport;
    if (transport !== undefined) {
      const call = transport.send({ url, method, headers, body, caCerts: plan.caCerts });
      attempt.bind(call);
      return call.response;
    }
    // Only the keys in use are set: every key of `init` costs the runtime's Request
    // constructor something.
    const init: RequestInit & { duplex?: "half" } = { redirect: "manual" };
    if (method !== "GET") init.method = method;
    if (headers !== undefined) init.headers = headers;
    if (body !== undefined) {
      init.body = body;
      if (isStream(body)) init.duplex = "half";
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
