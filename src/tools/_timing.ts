/** Small timing helpers shared by the tools. */
import { checkDelayMs } from "../_delay.ts";

/** Checks a duration in milliseconds: positive, and short enough for a timer (see src/_delay.ts). */
export function checkPositiveMs(action: string, name: string, value: unknown): number {
  return checkDelayMs(`Cannot ${action}: `, name, value);
}

/** Waits `ms` milliseconds, or less when `signal` aborts (it never rejects). */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
