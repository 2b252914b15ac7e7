/**
 * The proxy's limits on sessions: how long one may stay quiet, and how many may be open
 * at once (what counts as quiet is src/_idle.ts's).
 *
 * @module
 */

/**
 * The idle limit when none is given: 5 minutes. Long enough for interactive sessions
 * and connection pools that send a keep-alive now and then, short enough that clients
 * that connect and say nothing cannot hold backend connections for good.
 */
export const DEFAULT_IDLE_TIMEOUT_MS: number = 300_000;

/**
 * The highest `maxConnections`. Linux lets a process open at most 2^30 files (the ceiling
 * of `fs.nr_open`) and each session holds two sockets, so a larger limit could never be
 * reached: it is a typo, not a setting.
 */
export const MAX_PROXY_CONNECTIONS: number = 2 ** 29;
