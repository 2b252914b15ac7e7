/**
 * `rejects()`: uvu's assert has no asynchronous `throws`.
 *
 * @module
 */
import * as assert from "uvu/assert";

// deno-lint-ignore no-explicit-any
type ErrorCheck = (new (...args: never[]) => unknown) | ((error: any) => boolean);

/** Asserts that `fn()` rejects, with an instance of a class or an error that passes `check`; returns the error. */
export async function rejects(fn: () => Promise<unknown>, check?: ErrorCheck, message?: string): Promise<unknown> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  if (error === undefined) assert.unreachable(message ?? "expected a rejection, but the promise resolved");
  if (check) {
    const passes = /^[A-Z]/.test(check.name) && check.prototype
      ? error instanceof (check as new (...args: never[]) => unknown)
      : (check as (error: unknown) => boolean)(error);
    assert.ok(
      passes,
      message ?? `unexpected rejection: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
  }
  return error;
}
