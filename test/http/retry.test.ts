import { test } from "uvu";
import * as assert from "uvu/assert";
import { backoffDelay, HttpError, NetworkError, retryDelay, retryPolicy, TimeoutError } from "anynet/http";

const fixed = retryPolicy({ jitter: false });
const response = (status: number, retryAfter?: string) => ({
  status,
  headers: new Headers(retryAfter === undefined ? {} : { "retry-after": retryAfter }),
});
const base = { retries: 0, method: "GET", replayable: true, remaining: Infinity, error: undefined };
const network = (reason: "refused" | "tls") =>
  new NetworkError({ reason, detail: reason, method: "GET", url: "http://x/" });

test("backoffDelay() doubles from 300 ms and caps at 30 s; full jitter stays within the step", () => {
  assert.equal([0, 1, 2, 3, 6, 7, 20].map((n) => backoffDelay(fixed, n)), [300, 600, 1200, 2400, 19200, 30000, 30000]);
  const jittered = retryPolicy(undefined);
  assert.is(backoffDelay(jittered, 2, () => 0), 0);
  assert.is(backoffDelay(jittered, 2, () => 0.5), 600);
  assert.is(backoffDelay(jittered, 2, () => 0.999999), 1200);
});

test("retryPolicy() defaults: 2 retries, idempotent methods, 408/429/500/502/503/504", () => {
  const policy = retryPolicy(undefined);
  assert.is(policy.limit, 2);
  assert.equal([...policy.methods].sort(), ["DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"]);
  assert.equal([...policy.statusCodes], [408, 429, 500, 502, 503, 504]);
  assert.is(retryPolicy(5).limit, 5);
  assert.throws(() => retryPolicy({ limit: -1 }), /'retry.limit' must be an integer of at least 0: got -1/);
  // Wrong shapes are named, not left to fail later (a string of codes became a set of digits).
  assert.throws(() => retryPolicy({ methods: "GET" as never }), /'retry.methods' must be an array of method names/);
  assert.throws(() => retryPolicy({ statusCodes: "503" as never }), /'retry.statusCodes' must be an array of HTTP/);
  assert.throws(() => retryPolicy({ statusCodes: [503, 1000] }), /'retry.statusCodes' .*: got 503,1000/);
  assert.throws(() => retryPolicy({ retries: 3 } as never), /unknown option 'retry.retries' \(there are limit, /);
  assert.throws(
    () => retryPolicy({ limt: 3 } as never),
    /unknown option 'retry.limt' \(did you mean 'retry.limit'\?\)/,
  );
  assert.equal([...retryPolicy({ methods: ["post"] }).methods], ["POST"]);
});

test("retryDelay() walks the ladder: limit, method, replayable body, status", () => {
  assert.is(retryDelay(fixed, { ...base, response: response(503) }), 300);
  assert.is(retryDelay(fixed, { ...base, retries: 1, response: response(503) }), 600);
  assert.is(retryDelay(fixed, { ...base, retries: 2, response: response(503) }), undefined);
  assert.is(retryDelay(fixed, { ...base, method: "POST", response: response(503) }), undefined);
  assert.is(retryDelay(fixed, { ...base, method: "PATCH", response: response(503) }), undefined);
  assert.is(retryDelay(fixed, { ...base, replayable: false, response: response(503) }), undefined);
  for (const status of [400, 401, 404, 501]) {
    assert.is(retryDelay(fixed, { ...base, response: response(status) }), undefined, String(status));
  }
  for (const status of [408, 429, 500, 502, 504]) {
    assert.is(retryDelay(fixed, { ...base, response: response(status) }), 300, String(status));
  }
});

test("retryDelay() honours Retry-After seconds and dates, ignores malformed ones, respects caps", () => {
  assert.is(retryDelay(fixed, { ...base, response: response(429, "7") }), 7000);
  const date = new Date(Date.now() + 4000).toUTCString();
  const fromDate = retryDelay(fixed, { ...base, response: response(503, date) })!;
  assert.ok(fromDate > 2000 && fromDate <= 4000, String(fromDate));
  assert.is(retryDelay(fixed, { ...base, response: response(503, new Date(Date.now() - 60_000).toUTCString()) }), 0);
  for (const bad of ["soon", "-5", "1.5", ""]) {
    assert.is(retryDelay(fixed, { ...base, response: response(503, bad) }), 300, bad);
  }
  assert.is(retryDelay(fixed, { ...base, response: response(503, "120") }), undefined); // over maxRetryAfter (60 s)
  // No cap asked for, but a wait of 30 days is more than a timer can make: not waited for.
  const uncapped = retryPolicy({ jitter: false, maxRetryAfter: Infinity });
  assert.is(retryDelay(uncapped, { ...base, response: response(503, "120") }), 120_000);
  assert.is(retryDelay(uncapped, { ...base, response: response(503, String(30 * 86_400)) }), undefined);
  assert.is(retryDelay(fixed, { ...base, remaining: 5000, response: response(503, "6") }), undefined); // past the deadline
  assert.is(retryDelay(fixed, { ...base, remaining: 200, response: response(503) }), undefined); // backoff past the deadline
});

test("retryDelay() retries network errors but not TLS failures; timeouts only when asked", () => {
  assert.is(retryDelay(fixed, { ...base, error: network("refused") }), 300);
  assert.is(retryDelay(fixed, { ...base, error: network("tls") }), undefined);
  const timeout = new TimeoutError({ kind: "timeout", ms: 10, method: "GET", url: "http://x/" });
  const deadline = new TimeoutError({ kind: "deadline", ms: 10, method: "GET", url: "http://x/" });
  assert.is(retryDelay(fixed, { ...base, error: timeout }), undefined);
  assert.is(retryDelay(retryPolicy({ jitter: false, retryOnTimeout: true }), { ...base, error: timeout }), 300);
  assert.is(retryDelay(retryPolicy({ jitter: false, retryOnTimeout: true }), { ...base, error: deadline }), undefined);
  assert.is(retryDelay(fixed, { ...base, error: new Error("something else") }), undefined);
  const http = new HttpError({
    status: 503,
    statusText: "",
    method: "GET",
    url: "http://x/",
    headers: new Headers(),
    bodyPreview: "",
  });
  assert.is(retryDelay(fixed, { ...base, error: http }), undefined); // a status is judged by its response, not the error
});

test.run();
