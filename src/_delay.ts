/**
 * The longest wait a timer can make, and the check every time limit goes through.
 *
 * `setTimeout` takes a signed 32-bit count of milliseconds on every runtime; a larger
 * delay does not wait longer, it fires almost at once (Node and Bun warn, then wait
 * 1 ms). So a limit of a billion seconds would end a request at once; limits are checked
 * against this bound instead, with a message that says so.
 *
 * @module
 */

/** The longest delay a timer can wait, in ms (2^31 - 1, about 24.8 days). */
export const MAX_DELAY_MS: number = 2 ** 31 - 1;

/** The same in whole seconds, for command-line flags given in seconds. */
export const MAX_DELAY_S: number = Math.floor(MAX_DELAY_MS / 1000);

/**
 * Checks a time limit: a positive number of milliseconds that a timer can wait. The
 * RangeError says "Cannot `action`: …", as every argument check does.
 */
export function checkDelayMs(action: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !(value > 0) || value > MAX_DELAY_MS) {
    throw new RangeError(
      `Cannot ${action}: '${name}' must be a positive number of milliseconds, at most ${MAX_DELAY_MS} ` +
        `(about 24.8 days): got ${String(value)}`,
    );
  }
  return value;
}
