import { test } from "uvu";
import * as assert from "uvu/assert";
import { get, retryDelay, retryPolicy } from "anynet/http";
import { withServe } from "../_helpers/http_servers.ts";

// A backoff of 10 s: any wait well under it came from the rate-limit headers.
const slowBackoff = retryPolicy({ jitter: false, backoffBase: 10_000 });
const base = { retries: 0, method: "GET", replayable: true, remaining: Infinity, error: undefined };
const limited = (headers: Record<string, string>, status = 429) => ({ status, headers: new Headers(headers) });
const delay = (headers: Record<string, string>, status?: number) =>
  retryDelay(slowBackoff, { ...base, response: limited(headers, status) });

test("retryDelay() waits for the IETF RateLimit field's reset when the quota is spent", () => {
  assert.is(delay({ ratelimit: '"default";r=0;t=3' }), 3000);
  assert.is(delay({ ratelimit: "limit=100, remaining=0, reset=4" }), 4000);
  assert.is(delay({ "ratelimit-reset": "2", "ratelimit-remaining": "0" }), 2000);
  assert.is(delay({ "ratelimit-reset": "2" }), 2000, "no remaining count: the reset counts");
  // Quota left: the reset is not the reason for the refusal, so the backoff applies.
  assert.is(delay({ ratelimit: '"default";r=5;t=3' }), 10_000);
  assert.is(delay({ "ratelimit-reset": "2", "ratelimit-remaining": "7" }), 10_000);
});

test("retryDelay() reads X-RateLimit-Reset as delta seconds or as a Unix time", () => {
  assert.is(delay({ "x-ratelimit-reset": "5", "x-ratelimit-remaining": "0" }), 5000);
  assert.is(delay({ "x-ratelimit-reset": "1.5" }), 1500);
  const inThreeSeconds = String(Math.floor(Date.now() / 1000) + 3);
  const fromEpoch = delay({ "x-ratelimit-reset": inThreeSeconds })!;
  assert.ok(fromEpoch > 1000 && fromEpoch <= 3000, String(fromEpoch));
  const inThreeSecondsMs = String(Date.now() + 3000);
  const fromEpochMs = delay({ "x-ratelimit-reset": inThreeSecondsMs })!;
  assert.ok(fromEpochMs > 1000 && fromEpochMs <= 3000, String(fromEpochMs));
  const past = String(Math.floor(Date.now() / 1000) - 60);
  assert.is(delay({ "x-ratelimit-reset": past }), 0, "a reset already past: retry at once");
});

test("retryDelay() prefers Retry-After, ignores malformed resets, caps them like Retry-After", () => {
  assert.is(delay({ "retry-after": "1", "ratelimit-reset": "9" }), 1000);
  assert.is(delay({ "ratelimit-reset": "soon" }), 10_000);
  assert.is(delay({ "x-ratelimit-reset": "-3" }), 10_000);
  assert.is(delay({ ratelimit: '"default";r=0' }), 10_000, "no reset in the field");
  // Longer than maxRetryAfter (60 s by default): raised, not waited for.
  assert.is(delay({ "ratelimit-reset": "120" }), undefined);
  assert.is(delay({ "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600) }), undefined);
  // A status that is not retried stays unretried whatever the headers say.
  assert.is(delay({ "ratelimit-reset": "1" }, 400), undefined);
});

test("get() waits for a RateLimit-Reset before retrying a 429", async () => {
  let hits = 0;
  await withServe(
    () => {
      hits++;
      if (hits === 1) return new Response("slow down", { status: 429, headers: { "ratelimit-reset": "0.15" } });
      return new Response("ok");
    },
    async (server) => {
      const delays: number[] = [];
      const started = Date.now();
      const response = await get(server.url, {
        retry: { limit: 1, backoffBase: 10_000, jitter: false },
        hooks: { beforeRetry: [({ delay }) => void delays.push(delay)] },
      });
      assert.is(await response.text(), "ok");
      assert.equal(delays, [150]);
      // Wide margins: the wait was made, and the 10 s backoff was not.
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 140 && elapsed < 5000, String(elapsed));
      assert.is(hits, 2);
    },
  );
});

test.run();
