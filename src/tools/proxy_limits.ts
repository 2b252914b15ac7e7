/**
 * The proxy's limits on sessions: how long one may stay quiet, and how many may be open
 * at once (what counts as quiet is src/_idle.ts's).
 *
 * @module
 */
import { MAX_DELAY_MS } from "../_delay.ts";

/**
 * The idle limit when none is given: 5 minutes. Long enough for interactive sessions
 * and connection pools that send a keep-alive now and then, short enough that clients
 * that connect and say nothing cannot hold backend connections for good.
 */
export const DEFAULT_IDLE_TIMEOUT_MS: number = 300_000;

/**
 * Checks `idleTimeout`: 0 turns the limit off, anything else is a number of milliseconds
 * a timer can wait.
 * @returns The limit in ms, or 0 for none.
 */
export function checkIdleTimeout(action: string, value: unknown): number {
  if (value === 0) return 0;
  if (typeof value !== "number" || !(value > 0) || value > MAX_DELAY_MS) {
    throw new RangeError(
      `Cannot ${action}: 'idleTimeout' must be 0 (no limit) or a positive number of milliseconds, at most ` +
        `${MAX_DELAY_MS} (about 24.8 days): got ${String(value)}`,
    );
  }
  return value;
}

/**
 * The highest `maxConnections`. Linux lets a process open at most 2^30 files (the ceiling
 * of `fs.nr_open`) and each session holds two sockets, so a larger limit could never be
 * reached: it is a typo, not a setting.
 */
export const MAX_PROXY_CONNECTIONS: number = 2 ** 29;

/**
 * Checks `maxConnections`: a whole number of sessions from 1 to {@linkcode MAX_PROXY_CONNECTIONS}.
 * @returns The limit, or `undefined` for none.
 */
export function checkMaxConnections(action: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_PROXY_CONNECTIONS) {
    throw new RangeError(
      `Cannot ${action}: 'maxConnections' must be an integer from 1 to ${MAX_PROXY_CONNECTIONS}: got ${String(value)}`,
    );
  }
  return value;
}
