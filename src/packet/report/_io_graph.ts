/**
 * The I/O graph's counts: packets and bytes per interval, and packets per protocol, in a
 * bounded number of intervals whatever the capture's length.
 *
 * The interval is not known before the last packet, so counting starts at a millisecond
 * and, whenever the capture spans more than `MAX_INTERVALS` of them, moves to the next
 * step of `STEPS` (each a whole multiple of the one before), merging the counts kept so
 * far. Timestamps that go backwards (merged captures) land in earlier intervals.
 *
 * @module
 */

/** Interval lengths in seconds, each a whole multiple of the previous; past the last, doubled. */
const STEPS = [0.001, 0.002, 0.01, 0.02, 0.1, 0.2, 1, 2, 10, 20, 60, 120, 600, 1200, 3600, 7200, 86400];

/** Most intervals a graph keeps. */
export const MAX_INTERVALS = 250;

/** The I/O graph of a capture, as {@linkcode IoGraphCounter.result} gives it. */
export interface IoGraph {
  /** Seconds per interval. */
  interval: number;
  /** The first packet's time, seconds since the epoch; intervals count from it. */
  start: number;
  /** Packets per interval, from `start`. */
  packets: number[];
  /** Bytes (original lengths) per interval. */
  bytes: number[];
  /** Packets per interval for each protocol seen, the busiest first. */
  protocols: { protocol: string; packets: number[] }[];
}

/** Counts packets into intervals; `labels` are the protocols a packet is counted under. */
export class IoGraphCounter {
  private readonly labels: readonly string[];
  /** Per interval index (from the first packet): packets, bytes, then packets per label. */
  private readonly cells = new Map<number, Float64Array>();
  private step = 0;
  private interval = STEPS[0];
  private originSec = NaN;
  private originNsec = 0;
  private low = 0;
  private high = 0;

  constructor(labels: readonly string[]) {
    this.labels = labels;
  }

  /** Counts a packet of `bytes` at `sec.nsec` under label number `label`. */
  add(sec: number, nsec: number, bytes: number, label: number): void {
    if (Number.isNaN(this.originSec)) {
      this.originSec = sec;
      this.originNsec = nsec;
    }
    const offset = sec - this.originSec + (nsec - this.originNsec) / 1e9;
    let index = Math.floor(offset / this.interval);
    if (index < this.low || index > this.high) {
      this.low = Math.min(this.low, index);
      this.high = Math.max(this.high, index);
      while (this.high - this.low + 1 > MAX_INTERVALS) this.coarsen();
      index = Math.floor(offset / this.interval);
    }
    let cell = this.cells.get(index);
    if (!cell) {
      cell = new Float64Array(2 + this.labels.length);
      this.cells.set(index, cell);
    }
    cell[0]++;
    cell[1] += bytes;
    cell[2 + label]++;
  }

  /** Moves to the next interval length, merging the intervals counted so far. */
  private coarsen(): void {
    const next = this.step + 1 < STEPS.length ? STEPS[this.step + 1] : this.interval * 2;
    const ratio = Math.round(next / this.interval);
    this.step++;
    this.interval = next;
    this.low = Math.floor(this.low / ratio);
    this.high = Math.floor(this.high / ratio);
    const old = [...this.cells];
    this.cells.clear();
    for (const [index, cell] of old) {
      const to = Math.floor(index / ratio);
      const into = this.cells.get(to);
      if (!into) this.cells.set(to, cell);
      else for (let i = 0; i < cell.length; i++) into[i] += cell[i];
    }
  }

  /** The graph: dense arrays over every interval from the earliest to the latest. */
  result(): IoGraph {
    if (Number.isNaN(this.originSec)) {
      return { interval: this.interval, start: 0, packets: [], bytes: [], protocols: [] };
    }
    const n = this.high - this.low + 1;
    const column = (i: number) => {
      const out: number[] = new Array(n).fill(0);
      for (const [index, cell] of this.cells) out[index - this.low] = cell[i];
      return out;
    };
    const protocols = this.labels.map((protocol, i) => ({ protocol, packets: column(2 + i) }))
      .map((p) => ({ ...p, total: p.packets.reduce((a, b) => a + b, 0) }))
      .filter((p) => p.total > 0)
      .sort((a, b) => b.total - a.total)
      .map(({ protocol, packets }) => ({ protocol, packets }));
    return {
      interval: this.interval,
      start: this.originSec + this.originNsec / 1e9 + this.low * this.interval,
      packets: column(0),
      bytes: column(1),
      protocols,
    };
  }
}
