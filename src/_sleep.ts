/**
 * The one timed wait: a retry's pause between attempts, a tool's pause between rounds.
 * Every wait can be cut short by an AbortSignal; what the abort means differs, so each
 * caller says it:
 *
 * - `"reject"`: the wait is part of work the caller cancels (a request's retry): it
 *   rejects with the signal's reason, as the request itself does.
 * - `"resolve"`: the wait is a pause in a loop that checks its own stop condition (pings,
 *   load rounds, health checks): it just ends early, and the loop sees that it is stopping.
 *
 * @module
 */

/** Options of {@linkcode sleep}. */
export interface SleepOptions {
  /** Cuts the wait short when aborted. */
  signal?: AbortSignal | undefined;
  /** What an abort does: reject with the signal's reason, or end the wait quietly. */
  onAbort: "reject" | "resolve";
}

/**
 * Waits `ms` milliseconds; a wait of 0 or less ends at once. An abort (already there or
 * during the wait) ends it as `options.onAbort` says.
 */
export function sleep(ms: number, options: SleepOptions): Promise<void> {
  const { signal, onAbort } = options;
  if (signal?.aborted) return onAbort === "reject" ? Promise.reject(signal.reason) : Promise.resolve();
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const aborted = () => {
      clearTimeout(timer);
      if (onAbort === "reject") reject(signal!.reason);
      else resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", aborted);
      resolve();
    }, ms);
    signal?.addEventListener("abort", aborted, { once: true });
  });
}
