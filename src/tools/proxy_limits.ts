/**
 * The proxy's limits on sessions: how long one may stay quiet, and how many may be open
 * at once.
 *
 * A session is active while chunks pass in either direction. The pipe bumps a counter
 * per chunk and a sweep compares it between rounds, so a busy session costs one
 * increment per chunk rather than a timer reset.
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
 * How often to look for idle sessions: a quarter of the limit, between 20 ms and 1 s. A
 * quiet session is closed at most that long after its limit has passed.
 */
export function idleSweepInterval(timeoutMs: number): number {
  return Math.max(20, Math.min(1000, timeoutMs / 4));
}

/** The activity of one session, as the idle sweep sees it. */
export class Activity {
  /** Chunks passed on so far, either way: bumped by the pipe. */
  chunks = 0;
  #seen = 0;
  #quietSince: number;

  constructor(now: number) {
    this.#quietSince = now;
  }

  /** Whether nothing has moved for `timeoutMs` up to `now`; a look that finds progress restarts the count. */
  quietFor(timeoutMs: number, now: number): boolean {
    if (this.chunks !== this.#seen) {
      this.#seen = this.chunks;
      this.#quietSince = now;
      return false;
    }
    return now - this.#quietSince >= timeoutMs;
  }
}

/**
 * The highest `maxConnections`. Linux lets a process open at most 2^30 files (the ceiling
 * of `fs.nr_open`) and each session holds two sockets, so a larger limit could never be
 * reached: it is a typo, not a setting.
 */
export const MAX_PROXY_CONNECTIONS: number = 2 ** 29;
