import { test } from "uvu";
import * as assert from "uvu/assert";
import { importPrivate } from "./_helpers/private_module.ts";

const loading = importPrivate<typeof import("../src/_sleep.ts")>("_sleep");

/** How a promise ends, and after how many ms. */
async function outcome(promise: Promise<void>): Promise<{ how: string; ms: number }> {
  const started = performance.now();
  try {
    await promise;
    return { how: "resolved", ms: performance.now() - started };
  } catch (error) {
    return { how: `rejected: ${(error as Error).message}`, ms: performance.now() - started };
  }
}

test("sleep() waits the time asked for", async () => {
  const { sleep } = await loading;
  // A wall-clock bound cannot be kept here: Node and Deno count a timer from the event
  // loop's cached time, which a busy or descheduled process leaves old, so a 60 ms timer
  // ended 22 and 52 ms early by the wall clock in CI. What sleep() owes is a timer of the
  // time asked for: it must not end before a plain 60 ms timer set just before it (timers
  // of the same delay fire in the order they were set, on every runtime).
  let plainFired = false;
  const plain = setTimeout(() => (plainFired = true), 60);
  const { how } = await outcome(sleep(60, { onAbort: "reject" }));
  clearTimeout(plain);
  assert.is(how, "resolved");
  assert.ok(plainFired, "sleep(60) ended before a 60 ms timer set just before it");
});

test("sleep() with onAbort 'reject' rejects with the signal's reason, at once", async () => {
  const { sleep } = await loading;
  const controller = new AbortController();
  const waiting = outcome(sleep(10_000, { signal: controller.signal, onAbort: "reject" }));
  setTimeout(() => controller.abort(new Error("cancelled")), 20);
  const { how, ms } = await waiting;
  assert.is(how, "rejected: cancelled");
  assert.ok(ms < 5000, `took ${ms} ms`);
  const already = await outcome(sleep(10_000, { signal: controller.signal, onAbort: "reject" }));
  assert.is(already.how, "rejected: cancelled");
});

test("sleep() with onAbort 'resolve' ends early without an error", async () => {
  const { sleep } = await loading;
  const controller = new AbortController();
  const waiting = outcome(sleep(10_000, { signal: controller.signal, onAbort: "resolve" }));
  setTimeout(() => controller.abort(new Error("cancelled")), 20);
  const { how, ms } = await waiting;
  assert.is(how, "resolved");
  assert.ok(ms < 5000, `took ${ms} ms`);
  const already = await outcome(sleep(10_000, { signal: controller.signal, onAbort: "resolve" }));
  assert.is(already.how, "resolved");
  assert.ok(already.ms < 5000, `took ${already.ms} ms`);
});

test("sleep() of 0 ms or less ends at once, in either mode", async () => {
  const { sleep } = await loading;
  for (const onAbort of ["reject", "resolve"] as const) {
    assert.is((await outcome(sleep(0, { onAbort }))).how, "resolved");
    assert.is((await outcome(sleep(-5, { onAbort }))).how, "resolved");
  }
});

test.run();
