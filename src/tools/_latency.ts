/**
 * A latency histogram in bounded memory: logarithmic buckets 1 % wide from 1 µs up, so a
 * load test of any length keeps a few kilobytes however many samples it records.
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = 2400; // 1.01^2400 µs ≈ 23 000 s: beyond any round trip

export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = 0;

  /** Records one sample in milliseconds. */
  record(ms: number): void {
    const us = ms * 1000;
    const index = us < 1 ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(us) / LOG_GROWTH));
    this.#counts[index]!++;
    this.#count++;
    this.#sum += ms;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
  }

  /** Adds another histogram's samples. */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.#counts[i]! += other.#counts[i]!;
    this.#count += other.#count;
    this.#sum += other.#sum;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  get count(): number {
    return this.#count;
  }

  get min(): number | null {
    return this.#count ? this.#min : null;
  }

  get max(): number | null {
    return this.#count ? this.#max : null;
  }

  get mean(): number | null {
    return this.#count ? this.#sum / this.#count : null;
  }

  /** The `p`th percentile (0–100) in milliseconds, within 1 %; `null` without samples. */
  percentile(p: number): number | null {
    if (this.#count === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) {
        // The bucket's upper edge, clamped to what was really seen.
        const upper = i === 0 ? 0.001 : GROWTH ** i / 1000;
        return Math.min(Math.max(upper, this.#min), this.#max);
      }
    }
    return this.#max;
  }
}
