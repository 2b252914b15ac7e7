/**
 * How `request()` sends a prepared call: one attempt after another, each followed through
 * its redirects, judged, and retried after a wait while the retry policy (retry.ts) and
 * the deadline allow. Every call takes this one path, the first attempt included, so
 * that hooks, retries and error mapping have one order.
 *
 * To change what happens between attempts (hooks, waits, which error ends the call),
 * edit it here; to change what is retried and how long to wait, edit retry.ts.
 *
 * @module
 */
import { Attempt } from "./_attempt.ts";
import { fetchHop } from "./_fetch_hop.ts";
import { followRedirects, isFollowableRedirect } from "./_redirect.ts";
import { bodyForAttempt, type PreparedRequest } from "./_request_plan.ts";
import { sleep } from "../_sleep.ts";
import { TimeoutError } from "./errors.ts";
import type { BeforeRequestContext } from "./request.ts";
import { HttpResponse } from "./response.ts";
import { retryDelay } from "./retry.ts";

/** Sends attempts until one gives a response to return or a failure ends the call. */
export async function sendWithRetries(prepared: PreparedRequest): Promise<HttpResponse> {
  const { plan, policy, signal, throwHttpErrors, hooks, deadlineAt } = prepared;
  for (let attemptNo = 0;; attemptNo++) {
    signal?.throwIfAborted();
    let href = plan.href;
    let headers = plan.headers;
    if (hooks?.beforeRequest?.length) {
      // Hooks get copies to edit; without hooks the plan's own headers are used as they
      // are (followRedirects() copies them before it changes them).
      const context: BeforeRequestContext = {
        url: new URL(href),
        method: plan.method,
        headers: new Headers(headers),
        attempt: attemptNo,
      };
      for (const hook of hooks.beforeRequest) await hook(context);
      href = context.url.href;
      headers = context.headers;
    }
    // A body factory that throws (or returns no body) is the caller's error, not a
    // failed attempt: it leaves the loop as it is, unretried.
    const body = bodyForAttempt(plan);
    const attempt = new Attempt(
      plan.method,
      href,
      signal,
      plan.timeoutMs,
      deadlineAt,
      plan.deadlineMs,
      plan.transport !== undefined,
    );
    let response: HttpResponse | undefined;
    let failed = false;
    let failure: unknown;
    try {
      // The attempt's final response, its redirects followed. A failure is left as fetch
      // raised it: it is mapped below, once the attempt is finished.
      const raw = await fetchHop(plan, attempt, href, plan.method, headers, body);
      response = isFollowableRedirect(raw)
        ? await followRedirects(plan, attempt, raw, headers, body)
        : new HttpResponse(raw, attempt, 0, plan.maxBodyBytes, raw.status);
    } catch (caught) {
      failed = true;
      failure = caught;
    }
    let error: unknown;
    let delay: number | undefined;
    try {
      if (failed) throw failure;
      if (hooks?.afterResponse) { for (const hook of hooks.afterResponse) await hook(response!, attemptNo); }
      if (response!.status < 400) return response!;
      delay = retryDelay(policy, {
        retries: attemptNo,
        method: plan.method,
        replayable: plan.replayable,
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
        method: plan.method,
        replayable: plan.replayable,
        error,
        remaining: deadlineAt - Date.now(),
      };
      delay = retryDelay(policy, failureInfo);
      if (delay === undefined) {
        // A failure the policy would retry, stopped only because no wait fits before the
        // deadline: the deadline is the limit that fired, so say that (with the cause).
        if (deadlineAt !== Infinity && retryDelay(policy, { ...failureInfo, remaining: Infinity }) !== undefined) {
          throw new TimeoutError({ kind: "deadline", ms: plan.deadlineMs, method: plan.method, url: attempt.url }, {
            cause: error,
          });
        }
        throw error;
      }
    }
    for (const hook of hooks?.beforeRetry ?? []) {
      await hook({
        method: plan.method,
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
