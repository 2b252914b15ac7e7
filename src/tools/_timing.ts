/** Small timing helpers shared by the tools. */

/** Checks a duration in milliseconds: a positive finite number. */
export function checkPositiveMs(action: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`Cannot ${action}: '${name}' must be a positive number of milliseconds: got ${String(value)}`);
  }
  return value;
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
