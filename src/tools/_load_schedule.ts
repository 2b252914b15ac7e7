/**
 * When the load generators (http_load.ts, echo_load.ts) send, and which of what they send
 * is measured. Every connection takes a ticket before each request or message; the
 * ticket says when it is due and whether it counts.
 *
 * Closed load (no rate): a ticket is due at once, so each connection goes again as soon
 * as its last answer came, and latency counts from the send. Open load (`rate`): ticket
 * n is due at start + n / rate whatever the peer does, and latency counts from the due
 * time: a peer that stalls shows its stall in every request that queued behind it, not
 * only in the one it held (the coordinated-omission correction of wrk2 and oha).
 *
 * The warm-up's tickets are not measured; `limit` caps the measured ones; the run ends at
 * `duration` after the warm-up (unless `limit` is set) or when `stop()` is called.
 *
 * @module
 */
import { refuse } from "../_argument_checks.ts";
import { sleep } from "../_sleep.ts";

/** The highest rate a load generator takes, per second. */
export const MAX_RATE = 10_000_000;

/**
 * Checks an optional `rate` option: a number of sends per second above 0.
 *
 * @throws {RangeError} Naming the action and the value.
 */
export function checkRate(action: string, rate: unknown, unit: string): number | undefined {
  if (rate === undefined) return undefined;
  if (!(typeof rate === "number" && Number.isFinite(rate) && rate > 0 && rate <= MAX_RATE)) {
    refuse(
      action,
      `'rate' must be a number of ${unit} per second above 0 and at most ${MAX_RATE}: got ${rate}`,
      RangeError,
    );
  }
  return rate;
}

/** What a connection may send next. */
export interface LoadTicket {
  /** When it is due (`performance.now()` time). */
  due: number;
  /** Whether it is measured (not part of the warm-up). */
  measured: boolean;
}

/** What {@linkcode LoadSchedule} needs, checked by the caller. */
export interface LoadScheduleOptions {
  /** Milliseconds to measure after the warm-up; ignored with `limit`. */
  duration: number;
  /** Measured sends at most (Infinity: no limit, the run ends after `duration`). */
  limit: number;
  /** Sends per second (open load), or undefined for closed load. */
  rate: number | undefined;
  /** Milliseconds of unmeasured load first. */
  warmup: number;
  /** Stops the schedule: no ticket after it aborts. */
  signal: AbortSignal | undefined;
}

/** The tickets of one load run (see the module's comment). */
export class LoadSchedule {
  /** When the run started. */
  readonly started: number;
  /** When measuring starts (the end of the warm-up). */
  readonly measureFrom: number;
  readonly #deadline: number;
  readonly #interval: number;
  readonly #open: boolean;
  readonly #limit: number;
  readonly #signal: AbortSignal | undefined;
  #issued = 0;
  #measuredIssued = 0;
  #stopping = false;
  readonly #stop = () => {
    this.#stopping = true;
  };

  constructor(options: LoadScheduleOptions) {
    this.started = performance.now();
    this.measureFrom = this.started + options.warmup;
    this.#deadline = options.limit === Infinity ? this.measureFrom + options.duration : Infinity;
    this.#open = options.rate !== undefined;
    this.#interval = options.rate === undefined ? 0 : 1000 / options.rate;
    this.#limit = options.limit;
    this.#signal = options.signal;
    this.#signal?.addEventListener("abort", this.#stop, { once: true });
    if (this.#signal?.aborted) this.#stopping = true;
  }

  /** Whether the run is over (stopped, or no ticket is left). */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** The next ticket, or undefined when the run is over. */
  next(): LoadTicket | undefined {
    if (this.#stopping) return undefined;
    const now = performance.now();
    const due = this.#open ? this.started + this.#issued * this.#interval : now;
    if (due >= this.#deadline) return undefined;
    const measured = due >= this.measureFrom;
    if (measured) {
      if (this.#measuredIssued >= this.#limit) return undefined;
      this.#measuredIssued++;
    }
    this.#issued++;
    return { due, measured };
  }

  /** Waits until `ticket` is due (at once in closed load); cut short when the run stops. */
  async untilDue(ticket: LoadTicket): Promise<void> {
    // A timer can fire early by performance.now() (Node counts it from the event loop's
    // cached time): wait again for what is left, so that nothing goes before it is due.
    let wait = ticket.due - performance.now();
    while (wait > 0 && !this.#stopping) {
      await sleep(wait, { signal: this.#signal, onAbort: "resolve" });
      wait = ticket.due - performance.now();
    }
  }

  /** Where a latency counts from: the due time in open load, else when it was sent. */
  latencyFrom(ticket: LoadTicket, sentAt: number): number {
    return this.#open ? ticket.due : sentAt;
  }

  /** Ends the schedule: stops listening to the signal. */
  close(): void {
    this.#signal?.removeEventListener("abort", this.#stop);
  }
}

/** What a live progress line shows. */
export interface LoadTick {
  /** Milliseconds measured so far. */
  elapsedMs: number;
  /** Answers so far. */
  count: number;
  /** Answers per second over the last interval. */
  currentRate: number;
}

/**
 * Calls `report` every `interval` ms once measuring has started, with the count so far
 * and its rate over the last interval. Returns the function that stops it.
 */
export function startProgress(
  measureFrom: number,
  interval: number,
  count: () => number,
  report: (tick: LoadTick) => void,
): () => void {
  let last = { at: measureFrom, count: 0 };
  const timer = setInterval(() => {
    const now = performance.now();
    if (now < measureFrom) return;
    const span = now - last.at;
    const current = count();
    report({
      elapsedMs: now - measureFrom,
      count: current,
      currentRate: span > 0 ? ((current - last.count) * 1000) / span : 0,
    });
    last = { at: now, count: current };
  }, interval);
  return () => clearInterval(timer);
}
