/**
 * Which backend a new connection goes to: the order in which the proxy tries them.
 *
 * Round robin is nginx's smooth weighted round robin: on each pick every backend in
 * service adds its weight to a running score, the highest score wins and gives back the
 * sum of the weights. Over any run of picks each backend gets its share of the weights,
 * and the picks interleave (weights 3 and 1 give a a b a, a a b a …, not a a a b), so a
 * heavy backend is never handed a burst. Least connections takes the backend with the
 * fewest open connections per unit of weight; among equally loaded ones, the one the
 * same rotation favours (the rotation advances on every pick, so ties go in turn).
 *
 * @module
 */

/** How the proxy spreads connections over its backends. */
export type ProxyStrategy = "round-robin" | "least-connections";

/** What the balancer needs to know of a backend. */
export interface BalancedBackend {
  /** Its weight now (its configured weight, less while slowly starting); 0 when out of service. */
  readonly currentWeight: number;
  /** Connections open through it now. */
  readonly active: number;
}

/**
 * Orders the backends for one new connection: the one picked first, then the others in
 * service (best first), then those out of service (tried only when all else failed: one
 * may have recovered since its last check, and trying it beats turning the client away).
 */
export class Balancer<T extends BalancedBackend> {
  readonly #backends: readonly T[];
  readonly #strategy: ProxyStrategy;
  /** The running scores of the smooth rotation, by index. */
  readonly #scores: number[];
  /** Which backends were in the rotation at the last pick (their indexes, joined). */
  #members = "";

  constructor(backends: readonly T[], strategy: ProxyStrategy) {
    this.#backends = backends;
    this.#strategy = strategy;
    this.#scores = backends.map(() => 0);
  }

  /** The backends to try, best first. */
  order(): T[] {
    const weights = this.#backends.map((b) => b.currentWeight);
    const inRotation = this.#backends.map((_, i) => i).filter((i) => weights[i]! > 0);
    // A backend that left or came back starts the rotation afresh: scores left over from
    // before would hand one backend several turns in a row (a returning one too few).
    const members = inRotation.join(",");
    if (members !== this.#members) {
      this.#members = members;
      this.#scores.fill(0);
    }
    let candidates = inRotation;
    if (this.#strategy === "least-connections" && candidates.length > 0) {
      const load = (i: number) => this.#backends[i]!.active / weights[i]!;
      const least = Math.min(...candidates.map(load));
      candidates = candidates.filter((i) => load(i) === least);
    }
    const picked = this.#pick(inRotation, candidates, weights);
    const inService = this.#backends.map((_, i) => i).filter((i) => weights[i]! > 0 && i !== picked);
    // The rest in the order the rotation would pick them next.
    inService.sort((a, b) => this.#scores[b]! + weights[b]! - (this.#scores[a]! + weights[a]!));
    const out = this.#backends.map((_, i) => i).filter((i) => weights[i]! <= 0);
    return [...(picked === undefined ? [] : [picked]), ...inService, ...out].map((i) => this.#backends[i]!);
  }

  /**
   * One step of the smooth weighted rotation over `inRotation`, won by the highest score
   * among `candidates` (all of them for round robin).
   */
  #pick(inRotation: number[], candidates: number[], weights: number[]): number | undefined {
    let total = 0;
    for (const i of inRotation) {
      this.#scores[i] = this.#scores[i]! + weights[i]!;
      total += weights[i]!;
    }
    let best: number | undefined;
    for (const i of candidates) if (best === undefined || this.#scores[i]! > this.#scores[best]!) best = i;
    if (best !== undefined) this.#scores[best] = this.#scores[best]! - total;
    return best;
  }
}
