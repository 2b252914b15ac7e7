/**
 * A latency histogram in the style of HdrHistogram: log-linear buckets over whole
 * nanoseconds, so a load run of any length keeps the same few tens of kilobytes however
 * many samples it records, and two histograms (of two connections, or two workers) merge
 * by adding their counts.
 *
 * Values below 2^8 ns are counted exactly; above, each power of two is cut into 128 equal
 * buckets, so a bucket is at most 1/128 of its lower edge wide. A percentile is reported as
 * the middle of its bucket (clamped to the smallest and largest values seen, which are kept
 * exactly), so it lies within {@linkcode HISTOGRAM_PRECISION} (1/256, about 0.4 %) of the
 * true sample, or within 1 ns.
 *
 * @module
 */

/** Bits of the value kept per bucket: 2^(PRECISION_BITS − 1) buckets per power of two. */
const PRECISION_BITS = 8;
const EXACT = 2 ** PRECISION_BITS; // values below are their own bucket
const HALF = EXACT / 2; // buckets per power of two above EXACT
/** Values above this many nanoseconds (about 73 minutes) share the last bucket. */
const HIGHEST_NS = 2 ** 42;
const BUCKETS = EXACT + (42 - PRECISION_BITS + 1) * HALF;

/** The largest error of a reported percentile, relative to the true sample (1/256). */
export const HISTOGRAM_PRECISION: number = 1 / EXACT;

/** The bucket of a whole number of nanoseconds. */
function bucketOf(ns: number): number {
  if (ns < EXACT) return ns;
  if (ns >= HIGHEST_NS) return BUCKETS - 1;
  // Math.log2 of a float may land one off near a power of two: settle it exactly.
  let exponent = Math.floor(Math.log2(ns));
  if (2 ** exponent > ns) exponent--;
  else if (2 ** (exponent + 1) <= ns) exponent++;
  const width = 2 ** (exponent - PRECISION_BITS + 1);
  const top = Math.floor(ns / width); // in [HALF, EXACT)
  return EXACT + (exponent - PRECISION_BITS) * HALF + (top - HALF);
}

/** The lowest value of a bucket and its width, in nanoseconds. */
function bucketRange(index: number): [low: number, width: number] {
  if (index < EXACT) return [index, 1];
  const octave = Math.floor((index - EXACT) / HALF);
  const width = 2 ** (octave + 1);
  const top = HALF + (index - EXACT) % HALF;
  return [top * width, width];
}

/** One bar of a histogram's coarse view: the samples up to `upToMs`, above the bar before. */
export interface HistogramBar {
  /** Upper bound of the bar in milliseconds. */
  upToMs: number;
  /** Samples in it. */
  count: number;
}

/** The figures a report shows of a histogram, in milliseconds (`null` without samples). */
export interface LatencySummary {
  min: number | null;
  mean: number | null;
  stdev: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  "p99.9": number | null;
  max: number | null;
}

/**
 * A histogram as plain data (structured-cloneable), so that a thread can send its samples
 * to another that merges them exactly.
 */
export interface HistogramSnapshot {
  /** The non-empty buckets as pairs: bucket index, count, bucket index, count … */
  buckets: number[];
  count: number;
  sum: number;
  sumOfSquares: number;
  /** The smallest sample, or `null` without samples. */
  min: number | null;
  max: number;
}

/** Samples in milliseconds, kept in log-linear buckets (see the module's comment). */
export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #sumOfSquares = 0;
  #min = Infinity;
  #max = 0;

  /** How many buckets any histogram has: its memory is this many 8-byte counts. */
  static readonly bucketCount: number = BUCKETS;

  /** Records one sample in milliseconds (a negative one counts as 0). */
  record(ms: number): void {
    const value = ms > 0 ? ms : 0;
    this.#counts[bucketOf(Math.round(value * 1e6))]!++;
    this.#count++;
    this.#sum += value;
    this.#sumOfSquares += value * value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  /** Adds another histogram's samples to this one. */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.#counts[i]! += other.#counts[i]!;
    this.#count += other.#count;
    this.#sum += other.#sum;
    this.#sumOfSquares += other.#sumOfSquares;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  /** This histogram's samples as plain data, for {@linkcode LatencyHistogram.fromSnapshot}. */
  snapshot(): HistogramSnapshot {
    const buckets: number[] = [];
    for (let i = 0; i < BUCKETS; i++) {
      if (this.#counts[i]! > 0) buckets.push(i, this.#counts[i]!);
    }
    return {
      buckets,
      count: this.#count,
      sum: this.#sum,
      sumOfSquares: this.#sumOfSquares,
      min: this.#count ? this.#min : null,
      max: this.#max,
    };
  }

  /** The histogram a {@linkcode LatencyHistogram.snapshot} was taken of. */
  static fromSnapshot(snapshot: HistogramSnapshot): LatencyHistogram {
    const histogram = new LatencyHistogram();
    const { buckets } = snapshot;
    for (let i = 0; i + 1 < buckets.length; i += 2) histogram.#counts[buckets[i]!] = buckets[i + 1]!;
    histogram.#count = snapshot.count;
    histogram.#sum = snapshot.sum;
    histogram.#sumOfSquares = snapshot.sumOfSquares;
    histogram.#min = snapshot.min ?? Infinity;
    histogram.#max = snapshot.max;
    return histogram;
  }

  /** Forgets every sample (the end of a warm-up). */
  reset(): void {
    this.#counts.fill(0);
    this.#count =
      this.#sum =
      this.#sumOfSquares =
      this.#max =
        0;
    this.#min = Infinity;
  }

  /** Samples recorded. */
  get count(): number {
    return this.#count;
  }

  /** The smallest sample, exact. */
  get min(): number | null {
    return this.#count ? this.#min : null;
  }

  /** The largest sample, exact. */
  get max(): number | null {
    return this.#count ? this.#max : null;
  }

  /** The mean, exact. */
  get mean(): number | null {
    return this.#count ? this.#sum / this.#count : null;
  }

  /** The population standard deviation, exact but for rounding. */
  get stdev(): number | null {
    if (!this.#count) return null;
    const mean = this.#sum / this.#count;
    return Math.sqrt(Math.max(0, this.#sumOfSquares / this.#count - mean * mean));
  }

  /**
   * The `p`th percentile (0–100) in milliseconds: the smallest sample that at least p % of
   * the samples do not exceed, within {@linkcode HISTOGRAM_PRECISION}; `null` without samples.
   */
  percentile(p: number): number | null {
    if (this.#count === 0) return null;
    if (p >= 100) return this.#max;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) {
        const [low, width] = bucketRange(i);
        const middle = width === 1 ? low : low + width / 2;
        return Math.min(Math.max(middle / 1e6, this.#min), this.#max);
      }
    }
    return this.#max;
  }

  /** Min, mean, standard deviation, p50, p90, p99, p99.9 and max. */
  summary(): LatencySummary {
    return {
      min: this.min,
      mean: this.mean,
      stdev: this.stdev,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      "p99.9": this.percentile(99.9),
      max: this.max,
    };
  }

  /**
   * A coarse view for a report: the samples in bars that double in width (up to 1 µs,
   * 2 µs, 4 µs …), only from the first non-empty bar to the last.
   */
  bars(): HistogramBar[] {
    const bars: HistogramBar[] = [];
    let limitNs = 1000;
    let count = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const [low] = bucketRange(i);
      // A bucket that straddles a bar's edge counts in the bar where it starts.
      while (low >= limitNs) {
        bars.push({ upToMs: limitNs / 1e6, count });
        count = 0;
        limitNs *= 2;
      }
      count += this.#counts[i]!;
    }
    bars.push({ upToMs: limitNs / 1e6, count });
    let first = 0, last = bars.length - 1;
    while (first < bars.length && bars[first]!.count === 0) first++;
    while (last >= first && bars[last]!.count === 0) last--;
    return bars.slice(first, last + 1);
  }
}
