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
  // Node and Deno count a timer from the event loop's cached time, which a busy loop (this
  // file's loading, a loaded machine) leaves old: a timer set right after loading may end
  // that much early by the wall clock (52 ms early was seen on Deno in CI). One turn of the
  // loop first refreshes that time, so the wait is measured from where the timer counts.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const { how, ms } = await outcome(sleep(60, { onAbort: "reject" }));
  assert.is(how, "resolved");
  // A few milliseconds of rounding remain (timers run on whole milliseconds); late is always possible.
  assert.ok(ms >= 50, `waited only ${ms} ms`);
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
