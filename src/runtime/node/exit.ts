/**
 * How a Node process ends: through its event loop, with `process.exit()` only as a late
 * fallback.
 *
 * Node 24 can hang for good in process.exit() when a background compile is waiting for a
 * garbage collection as it is called (its platform shutdown joins the compile thread,
 * which waits for the main thread): `anynet demo` hung in 5 of 12 runs. So Node leaves
 * through its event loop, which lets that collection run; process.exit() stays only for
 * a handle a command left open, after a moment's grace.
 *
 * @module
 */
import { globalProcess } from "../_shared/global_process.ts";

/** How long Node's event loop may take to end by itself after the command finished. */
const EXIT_GRACE_MS = 1000;

/** Sets the exit code and lets the event loop end the process (at most a second later). */
export function nodeExit(code: number): void {
  const process = globalProcess();
  process.exitCode = code;
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
}
