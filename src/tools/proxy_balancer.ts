/**
 * Which backend a new connection goes to: the order in which the proxy tries them.
 *
 * @module
 */

/** How the proxy spreads connections over its backends. */
export type ProxyStrategy = "round-robin" | "least-connections";

/** What the balancer needs to know of a backend. */
export interface BalancedBackend {
  /** Passed the last health check (or the last connection attempt). */
  healthy: boolean;
  /** Connections open through it now. */
  active: number;
}

/**
 * Orders the backends for one new connection: healthy ones first, in the strategy's
 * order, then the unhealthy ones (a backend may have recovered since its last check,
 * and trying it beats turning the client away).
 */
export class Balancer<T extends BalancedBackend> {
  readonly #backends: readonly T[];
  readonly #strategy: ProxyStrategy;
  #next = 0;

  constructor(backends: readonly T[], strategy: ProxyStrategy) {
    this.#backends = backends;
    this.#strategy = strategy;
  }

  /** The backends to try, best first. */
  order(): T[] {
    const n = this.#backends.length;
    const start = this.#next;
    // Rotating the start also breaks ties between equally loaded backends fairly.
    const rotated = Array.from({ length: n }, (_, i) => this.#backends[(start + i) % n]!);
    const healthy = rotated.filter((b) => b.healthy);
    const unhealthy = rotated.filter((b) => !b.healthy);
    if (this.#strategy === "least-connections") healthy.sort((a, b) => a.active - b.active);
    const first = healthy[0] ?? unhealthy[0];
    // Round robin moves past the backend just chosen, so a skipped dead backend does not
    // make its successor take two turns in a row.
    this.#next = first === undefined ? start : (this.#backends.indexOf(first) + 1) % n;
    return [...healthy, ...unhealthy];
  }
}
