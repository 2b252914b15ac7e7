/**
 * The longest wait a timer can make.
 *
 * `setTimeout` takes a signed 32-bit count of milliseconds on every runtime; a larger
 * delay does not wait longer, it fires almost at once (Node and Bun warn, then wait
 * 1 ms). So a limit of a billion seconds would end a request at once; `checkDelayMs()` in
 * _argument_checks.ts holds every time limit to this bound instead, with a message that says so.
 *
 * @module
 */

/** The longest delay a timer can wait, in ms (2^31 - 1, about 24.8 days). */
export const MAX_DELAY_MS: number = 2 ** 31 - 1;

/** The same in whole seconds, for command-line flags given in seconds. */
export const MAX_DELAY_S: number = Math.floor(MAX_DELAY_MS / 1000);
