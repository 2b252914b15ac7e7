/**
 * Whether a backend of the proxy is in service, from two kinds of evidence: client
 * connections (passive: `maxFails` failed attempts in a row take it out) and health
 * checks (active, with HAProxy's meaning of `fall` and `rise`: that many failed checks in
 * a row take it out, that many successful ones in a row bring it back). A backend that
 * comes back starts slowly: its weight ramps from a small share to the full weight over
 * `slowStart` milliseconds, so that a cold server is not handed its full share at once.
 *
 * @module
 */

/** A backend's state as the stats report it. */
export type BackendState = "up" | "down" | "slow-start";

/** When a backend goes out of service and comes back. */
export interface HealthRules {
  /** Failed client connection attempts in a row that take a backend out. */
  maxFails: number;
  /** Failed health checks in a row that take a backend out. */
  fall: number;
  /** Successful health checks in a row that bring a backend back. */
  rise: number;
  /** Milliseconds over which a backend that came back ramps up to its full weight; 0: at once. */
  slowStart: number;
}

/**
 * The share of its weight a backend has at the very start of a slow start: small, but
 * not zero, so that it gets a first connection that tells whether it really works.
 */
export const SLOW_START_FIRST_SHARE = 0.05;

/** What changed with one piece of evidence: the backend went down (and why), came back, or neither. */
export type HealthChange = { type: "down"; reason: string } | { type: "up" } | undefined;

/** The in-service state of one backend. */
export class BackendHealth {
  readonly #rules: HealthRules;
  #down = false;
  #failedConnects = 0;
  #failedChecks = 0;
  #passedChecks = 0;
  /** When it last came back (Date.now()), while a slow start may be under way. */
  #backSince: number | undefined;

  constructor(rules: HealthRules) {
    this.#rules = rules;
  }

  /** Whether it takes connections (up or slowly starting). */
  get inService(): boolean {
    return !this.#down;
  }

  /** The state at `now`. */
  state(now: number): BackendState {
    if (this.#down) return "down";
    return this.#share(now) < 1 ? "slow-start" : "up";
  }

  /** The share of its weight it has at `now`: 1, less while slowly starting, 0 when down. */
  weightShare(now: number): number {
    return this.#down ? 0 : this.#share(now);
  }

  #share(now: number): number {
    if (this.#backSince === undefined) return 1;
    const share = (now - this.#backSince) / this.#rules.slowStart;
    if (share >= 1) {
      this.#backSince = undefined;
      return 1;
    }
    return Math.max(SLOW_START_FIRST_SHARE, share);
  }

  /** A client connection reached it. */
  connected(now: number): HealthChange {
    this.#failedConnects = 0;
    // A backend out of service is tried only when every other one failed: a connection
    // that works counts as a passed check (it still needs `rise` of them to come back).
    return this.#down ? this.checkPassed(now) : undefined;
  }

  /** A client connection attempt failed (refused, timed out). */
  connectFailed(reason: string): HealthChange {
    this.#failedConnects++;
    this.#passedChecks = 0;
    if (this.#down || this.#failedConnects < this.#rules.maxFails) return undefined;
    const n = this.#failedConnects;
    return this.#goDown(n === 1 ? reason : `${n} connections in a row failed (the last: ${reason})`);
  }

  /** A health check reached it. */
  checkPassed(now: number): HealthChange {
    this.#failedChecks = 0;
    if (!this.#down) return undefined;
    if (++this.#passedChecks < this.#rules.rise) return undefined;
    this.#down = false;
    this.#passedChecks = 0;
    this.#failedConnects = 0;
    this.#backSince = this.#rules.slowStart > 0 ? now : undefined;
    return { type: "up" };
  }

  /** A health check failed. */
  checkFailed(reason: string): HealthChange {
    this.#passedChecks = 0;
    this.#failedChecks++;
    if (this.#down || this.#failedChecks < this.#rules.fall) return undefined;
    const n = this.#failedChecks;
    return this.#goDown(n === 1 ? reason : `${n} health checks in a row failed (the last: ${reason})`);
  }

  #goDown(reason: string): HealthChange {
    this.#down = true;
    this.#backSince = undefined;
    this.#failedChecks = 0;
    this.#failedConnects = 0;
    return { type: "down", reason };
  }
}
