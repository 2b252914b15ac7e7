import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  HttpError,
  isBodyTooLargeError,
  isHttpError,
  isNetworkError,
  isRedirectError,
  isTimeoutError,
  NetworkError,
  TimeoutError,
} from "anynet/http";

test("the guards recognise errors by name, so they work across realms and package copies", () => {
  // An error from another realm is not an instance of this realm's class: simulate one.
  const foreign = Object.assign(new Error("x"), { name: "HttpError", status: 502 });
  assert.not.instance(foreign, HttpError);
  assert.ok(isHttpError(foreign));
  assert.ok(isTimeoutError(Object.assign(new Error("x"), { name: "TimeoutError", kind: "deadline" })));
  assert.ok(isNetworkError(Object.assign(new Error("x"), { name: "NetworkError", reason: "dns" })));
  assert.ok(isRedirectError(Object.assign(new Error("x"), { name: "RedirectError" })));
  assert.ok(isBodyTooLargeError(Object.assign(new Error("x"), { name: "BodyTooLargeError" })));
});

test("the guards reject look-alikes and non-errors", () => {
  // The DOM's own TimeoutError (AbortSignal.timeout) has no 'kind': not ours.
  assert.not.ok(isTimeoutError(new DOMException("timed out", "TimeoutError")));
  assert.not.ok(isHttpError({ name: "HttpError" }));
  for (const value of [undefined, null, "HttpError", 42, new Error("plain")]) {
    assert.not.ok(isHttpError(value) || isTimeoutError(value) || isNetworkError(value) || isRedirectError(value));
  }
});

test("errors carry their cause and a message that names method and URL", () => {
  const cause = new Error("ECONNRESET");
  const network = new NetworkError({ reason: "reset", detail: "connection reset", method: "GET", url: "http://h/p" }, {
    cause,
  });
  assert.is(network.cause, cause);
  assert.is(network.message, "GET http://h/p failed: connection reset");
  const timeout = new TimeoutError({ kind: "timeout", ms: 1500, method: "PUT", url: "http://h/p" });
  assert.is(timeout.message, "PUT http://h/p timed out after 1500 ms (per-attempt 'timeout')");
  const http = new HttpError({
    status: 418,
    statusText: "I'm a teapot",
    method: "GET",
    url: "http://h/",
    headers: new Headers(),
    bodyPreview: "short\\nand stout",
  });
  assert.match(http.message, /^GET http:\/\/h\/ failed: HTTP 418 I'm a teapot: short/);
});

test.run();
