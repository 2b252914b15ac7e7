/**
 * How `request()` follows redirects. Each runtime handles credentials on a redirect to
 * another origin differently, and none of them drops an API key sent in a header of its
 * own, so the client asks fetch for `redirect: "manual"` and follows them here, where the
 * rule is the same everywhere: which responses are followed, which method and body the
 * next request has (RFC 9110 §15.4), and which headers stay behind when the redirect
 * leaves the origin (scheme, host and port).
 *
 * To change what a redirect drops or rewrites, edit it here.
 *
 * @module
 */
import type { Attempt } from "./_attempt.ts";
import { dropHopBody, fetchHop, hopHeader, type HopResponse } from "./_fetch_hop.ts";
import type { AttemptBody, RequestPlan } from "./_request_plan.ts";
import { isStream } from "./_request_plan.ts";
import { badPortDetail, isBadPort, REDIRECT_STATUSES } from "../_fetch_spec.ts";
import { RedirectError } from "./errors.ts";
import { HttpResponse } from "./response.ts";

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

/** Headers that describe a body, dropped with it when a redirect turns the request into a GET. */
const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "transfer-encoding"];

/**
 * The headers dropped when a redirect leaves the origin, in lower case: the standard
 * list, the header `auth` set (`authName`), the caller's `extra` names, less the names
 * the caller chose to `keep`.
 */
export function sensitiveHeaderNames(
  authName: string | undefined,
  extra: readonly string[] | undefined,
  keep: readonly string[] | undefined,
): readonly string[] {
  if (extra === undefined && keep === undefined) {
    return authName === undefined || SENSITIVE_HEADERS.includes(authName)
      ? SENSITIVE_HEADERS
      : [...SENSITIVE_HEADERS, authName];
  }
  const names = new Set(SENSITIVE_HEADERS);
  if (authName !== undefined) names.add(authName);
  for (const name of extra ?? []) names.add(name);
  for (const name of keep ?? []) names.delete(name);
  return [...names];
}

/** Whether `raw` is a redirect to follow: a redirect status with a Location. */
export function isFollowableRedirect(raw: HopResponse): boolean {
  return REDIRECT_STATUSES.has(raw.status) && hopHeader(raw, "location") !== null;
}

/**
 * Follows redirects by hand from `raw` (a followable redirect that answered the attempt's
 * first hop), so that credentials never leave their origin, and resolves to the final
 * response.
 */
export async function followRedirects(
  plan: RequestPlan,
  attempt: Attempt,
  raw: HopResponse,
  headers: Headers | undefined,
  body: AttemptBody | undefined,
): Promise<HttpResponse> {
  let method = plan.method;
  let current = attempt.url;
  for (let redirects = 0;; redirects++) {
    if (redirects > 0) {
      try {
        raw = await fetchHop(plan, attempt, current, method, headers, body);
      } catch (error) {
        throw attempt.mapError(error, "send");
      }
      if (!isFollowableRedirect(raw)) return new HttpResponse(raw, attempt, redirects, plan.maxBodyBytes);
    }
    const status = raw.status;
    const location = hopHeader(raw, "location")!;
    await dropHopBody(raw);
    if (redirects >= plan.maxRedirects) {
      throw new RedirectError({
        method,
        url: current,
        detail: `too many redirects (more than 'maxRedirects' = ${plan.maxRedirects})`,
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
    if (isBadPort(next)) {
      throw new RedirectError({ method, url: current, detail: `redirect to ${badPortDetail(next)}` });
    }
    // RFC 9110 §15.4: 303 always becomes GET; 301/302 turn POST into GET as browsers do.
    if ((status === 303 && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
      if (headers !== undefined) {
        headers = new Headers(headers);
        for (const name of BODY_HEADERS) headers.delete(name);
      }
    } else if (body !== undefined && isStream(body)) {
      if (typeof plan.body !== "function") {
        throw new RedirectError({
          method,
          url: current,
          detail: `cannot resend a stream body for a ${status} redirect (give 'body' as a function)`,
        });
      }
      body = plan.body();
    }
    if (next.origin !== from.origin && headers !== undefined) {
      headers = new Headers(headers);
      for (const name of plan.sensitive) headers.delete(name);
    }
    current = next.href;
  }
}
