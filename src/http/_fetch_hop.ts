/**
 * One fetch of one hop of an attempt: the first request, or the request to a redirect's
 * Location. It always asks for `redirect: "manual"`, because redirects are followed by
 * _redirect.ts, where the rules on credentials are the same on every runtime.
 *
 * @module
 */
import type { Attempt } from "./_attempt.ts";
import type { AttemptBody, RequestPlan } from "./_request_plan.ts";
import { isStream } from "./_request_plan.ts";
import { adapter } from "../runtime/mod.ts";

/** One fetch of one hop; a synchronous throw (an odd fetch, a CA-aware fetch's setup) becomes a rejection. */
export function fetchHop(
  plan: RequestPlan,
  attempt: Attempt,
  url: string,
  method: string,
  headers: Headers | undefined,
  body: AttemptBody | undefined,
): Promise<Response> {
  attempt.url = url;
  // Only the keys in use are set: every key of `init` costs the runtime's Request
  // constructor something.
  const init: RequestInit & { duplex?: "half" } = { redirect: "manual" };
  if (method !== "GET") init.method = method;
  if (headers !== undefined) init.headers = headers;
  if (body !== undefined) {
    init.body = body;
    if (isStream(body)) init.duplex = "half";
  }
  try {
    if (plan.caCerts) {
      // The CA-aware fetch takes no abort handle: it always gets the timer's signal.
      const signal = attempt.timerSignal;
      if (signal !== undefined) init.signal = signal;
      return adapter.http.fetchWithCa(url, init, plan.caCerts);
    }
    if (attempt.signal !== undefined) init.signal = attempt.signal;
    attempt.attachTo(init);
    return attempt.guard(fetch(url, init));
  } catch (error) {
    return Promise.reject(error);
  }
}
