/**
 * The idle limit of a connection (the echo server's `idleTimeout`, the proxy's): what
 * counts as quiet, and how often servers look.
 *
 * A connection is active while chunks pass in either direction. The data path bumps a
 * counter per chunk and a sweep compares it between rounds, so a busy connection costs
 * one increment per chunk rather than a timer reset.
 *
 * @module
 */

/**
 * How often to look for idle connections: a quarter of the limit, between 20 ms and 1 s.
 * A quiet connection is closed at most that long after its limit has passed.
 */
export function idleSweepInterval(timeoutMs: number): number {
  return Math.max(20, Math.min(1000, timeoutMs / 4));
}

/** The activity of one connection (or session), as the idle sweep sees it. */
export class Activity {
  /** Chunks passed on so far, either way: bumped by the data path. */
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
