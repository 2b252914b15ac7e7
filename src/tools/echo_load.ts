/**
 * An echo load generator: connections send messages, read the whole echo back and check
 * every byte. Closed load by default (each connection sends its next message when the
 * last echo is complete); with `rate`, messages are due at a fixed rate and each one's
 * latency counts from when it was due (see _load_schedule.ts).
 *
 * @module
 */
import {
  checkDelayMs,
  checkFunction,
  checkHostname,
  checkIntegerRange,
  checkOptionsObject,
  checkPort,
  checkSignal,
} from "../_argument_checks.ts";
import { connect, type Connection, formatAddr, NetError, TimedOutError } from "../net/mod.ts";
import { type HistogramBar, LatencyHistogram, type LatencySummary } from "./_histogram.ts";
import { emptySlot, type LoadSlot, sweepLateAnswers } from "./_late_answers.ts";
import { checkRate, LoadSchedule, startProgress } from "./_load_schedule.ts";
import { sleep } from "../_sleep.ts";

/** Options of {@linkcode echoLoad}. */
export interface EchoLoadOptions {
  /** The echo server's host. @default "127.0.0.1" */
  hostname?: string;
  /** The echo server's port. */
  port: number;
  /** Connections kept busy at once, each sending a message and awaiting its echo in turn. @default 10 */
  connections?: number;
  /** Milliseconds to measure (after the warm-up); round trips under way at the end are finished, not cut. @default 5000 */
  duration?: number;
  /** Stop after this many measured messages instead of after `duration`. */
  messages?: number;
  /** Messages per second, due at fixed intervals (open load); unset: each connection sends when its last echo came. */
  rate?: number;
  /** Milliseconds of load before measuring starts, to warm the server and open connections. @default 0 */
  warmup?: number;
  /** Bytes in each message, 1 to 16 MiB. @default 64 */
  size?: number;
  /** Milliseconds a connect or a round trip may take before it counts as a failure. @default 5000 */
  timeout?: number;
  /** Called about every `progressInterval` ms while measuring with the time so far, the round trips and their current rate, for a live line. */
  onProgress?: (progress: { elapsedMs: number; roundTrips: number; currentRate: number }) => void;
  /** @default 250 */
  progressInterval?: number;
  /** Stops early, like the end of `duration`. */
  signal?: AbortSignal;
}

/** What a load run measured. */
export interface EchoLoadResult {
  /** `HOST:PORT` loaded. */
  target: string;
  /** Connections asked for (kept busy at once). */
  connections: number;
  /** Message size in bytes. */
  size: number;
  /** The asked-for rate of messages per second, or `null` for closed load. */
  rate: number | null;
  /** Milliseconds measured (the warm-up excluded), up to the last echo. */
  durationMs: number;
  /** Round trips whose echo came back complete and exact. */
  roundTrips: number;
  /** Exact round trips per second. */
  roundTripsPerSecond: number;
  /** Bytes sent, counting every message written whole (also those whose echo then failed). */
  bytesSent: number;
  /** Bytes echoed back exactly. */
  bytesEchoed: number;
  /** Exactly echoed megabytes (10^6 bytes) per second, one way. */
  megabytesPerSecond: number;
  /** Latency of the exact round trips in milliseconds (`null` without any), within 0.4 %; with `rate`, from when each was due. */
  latency: LatencySummary;
  /** The latency histogram in bars that double in width. */
  histogram: HistogramBar[];
  /** Round trips whose echo differed from what was sent (wrong, reordered or extra bytes), warm-up included. */
  mismatches: number;
  /** Measured connects and round trips that failed: refused, reset, timed out, closed early. */
  failures: number;
  /** Connections opened over the run (a connection is replaced after a failure or mismatch). */
  connectionsOpened: number;
  /** The first failure's message, for a report. */
  firstFailure?: string;
}

const MAX_SIZE = 16 * 1024 * 1024;

class RoundTripFailure extends Error {}

/** Reads exactly `expected.length` bytes (or fails) and compares them as they come. */
async function readEcho(conn: Connection, expected: Uint8Array): Promise<boolean> {
  let offset = 0;
  let same = true;
  while (offset < expected.byteLength) {
    const chunk = await conn.read();
    if (!chunk) {
      throw new RoundTripFailure(`the server closed the connection after ${offset} of ${expected.byteLength} bytes`);
    }
    const take = Math.min(chunk.byteLength, expected.byteLength - offset);
    for (let i = 0; i < take; i++) {
      if (chunk[i] !== expected[offset + i]) {
        same = false;
        break;
      }
    }
    // More than was sent: the server added bytes.
    if (chunk.byteLength > take) same = false;
    offset += chunk.byteLength;
  }
  return same;
}

/**
 * Loads an echo server: `connections` connections each send a `size`-byte message, wait
 * for the whole echo and check every byte, and go again, for `duration` milliseconds (or
 * `messages` of them). With `rate`, messages are due at that rate instead and latency
 * counts from each one's due time. Each message differs from the last, so lost, duplicated
 * or reordered bytes show as mismatches. A connection that fails or mismatches is replaced
 * by a new one.
 *
 * @param options The server and the load; see {@linkcode EchoLoadOptions}.
 * @returns Counts, rates and latency percentiles.
 * @throws {TypeError | RangeError} For bad options, before any I/O.
 * @example One second against a local server
 * ```ts
 * import { serveEcho } from "anynet/echo";
 * import { echoLoad } from "anynet/tools";
 * // `await using`: native on Deno, Bun, Node 24+; on Node 22 call close() in finally, or compile with tsc.
 * await using server = await serveEcho({ port: 0 });
 * const result = await echoLoad({ port: server.addr.port, connections: 4, duration: 1000 });
 * console.log(`${result.roundTripsPerSecond.toFixed(0)} round trips/s, p99 ${result.latency.p99} ms`);
 * console.assert(result.mismatches === 0);
 * ```
 */
export async function echoLoad(options: EchoLoadOptions): Promise<EchoLoadResult> {
  const action = "run echo load";
  checkOptionsObject(action, options, [
    "hostname",
    "port",
    "connections",
    "duration",
    "messages",
    "rate",
    "warmup",
    "size",
    "timeout",
    "onProgress",
    "progressInterval",
    "signal",
  ]);
  const hostname = checkHostname(action, options.hostname ?? "127.0.0.1");
  const port = checkPort(action, options.port, 1);
  const connections = checkIntegerRange(action, "connections", options.connections ?? 10, 1, 100000);
  const size = checkIntegerRange(action, "size", options.size ?? 64, 1, MAX_SIZE);
  const duration = checkDelayMs(action, "duration", options.duration ?? 5000);
  const limit = options.messages === undefined
    ? Infinity
    : checkIntegerRange(action, "messages", options.messages, 1, Number.MAX_SAFE_INTEGER);
  const rate = checkRate(action, options.rate, "messages");
  const warmup = options.warmup === undefined || options.warmup === 0
    ? 0
    : checkDelayMs(action, "warmup", options.warmup);
  const timeout = checkDelayMs(action, "timeout", options.timeout ?? 5000);
  const signal = checkSignal(action, options.signal);
  const onProgress = options.onProgress === undefined
    ? undefined
    : checkFunction(action, "onProgress", options.onProgress);
  const progressInterval = checkDelayMs(action, "progressInterval", options.progressInterval ?? 250);

  // Messages are windows into one random-looking buffer at a different offset each
  // time: cheap to make, and no two consecutive messages (nor two connections') agree.
  const SHIFTS = 251;
  const source = new Uint8Array(size + SHIFTS);
  let x = 0x9e3779b9;
  for (let i = 0; i < source.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    source[i] = x & 0xff;
  }

  const latency = new LatencyHistogram();
  let roundTrips = 0, bytesSent = 0, mismatches = 0, failures = 0, opened = 0;
  let firstFailure: string | undefined;
  const schedule = new LoadSchedule({ duration, limit, rate, warmup, signal });
  const fail = (error: unknown, measured: boolean) => {
    if (!measured) return;
    failures++;
    firstFailure ??= error instanceof Error ? error.message.split("\n")[0] : String(error);
  };
  const target = formatAddr({ hostname, port });
  const slots = Array.from({ length: connections }, emptySlot);
  const stopSweeping = sweepLateAnswers(slots, timeout);

  async function worker(slot: LoadSlot, id: number): Promise<void> {
    let seq = id;
    let ticket = schedule.next();
    while (ticket) {
      await schedule.untilDue(ticket);
      if (schedule.stopping) break;
      const { measured } = ticket;
      if (!slot.conn) {
        try {
          slot.conn = await connect({ hostname, port, timeout });
          opened++;
          slot.conn.setNoDelay(true);
        } catch (error) {
          if (!(error instanceof NetError)) throw error;
          fail(error, measured);
          // A refusing server answers at once: do not spin (open load waits for the next due time).
          if (rate === undefined) await sleep(50, { signal, onAbort: "resolve" });
          ticket = schedule.next();
          continue;
        }
      }
      const conn = slot.conn;
      try {
        const offset = (seq++ * 7) % SHIFTS;
        const message = source.subarray(offset, offset + size);
        const sentAt = performance.now();
        slot.sentAt = sentAt;
        const writing = conn.write(message);
        if (measured) writing.then(() => (bytesSent += size), () => {});
        const [, same] = await Promise.all([writing, readEcho(conn, message)]);
        const end = performance.now();
        slot.sentAt = 0;
        if (same) {
          if (measured) {
            latency.record(end - schedule.latencyFrom(ticket, sentAt));
            roundTrips++;
          }
        } else {
          // Wrong bytes are wrong whenever they come, warm-up or not; the stream is out of step now.
          mismatches++;
          conn.close();
          slot.conn = undefined;
        }
      } catch (error) {
        // The sweep closed the connection: whatever the read then said, the echo was late.
        fail(
          slot.timedOut ? new TimedOutError(`round trip to ${target}: no complete echo within ${timeout} ms`) : error,
          measured,
        );
        slot.sentAt = 0;
        slot.timedOut = false;
        conn.close();
        slot.conn = undefined;
      }
      ticket = schedule.next();
    }
    slot.conn?.close();
    slot.conn = undefined;
  }

  const stopProgress = onProgress === undefined ? undefined : startProgress(
    schedule.measureFrom,
    progressInterval,
    () => roundTrips,
    (tick) => onProgress({ elapsedMs: tick.elapsedMs, roundTrips: tick.count, currentRate: tick.currentRate }),
  );
  try {
    await Promise.all(slots.map(worker));
  } finally {
    stopProgress?.();
    stopSweeping();
    schedule.close();
  }
  const durationMs = Math.max(0.001, performance.now() - schedule.measureFrom);
  const seconds = durationMs / 1000;
  return {
    target,
    connections,
    size,
    rate: rate ?? null,
    durationMs,
    roundTrips,
    roundTripsPerSecond: roundTrips / seconds,
    bytesSent,
    bytesEchoed: roundTrips * size,
    megabytesPerSecond: (roundTrips * size) / 1e6 / seconds,
    latency: latency.summary(),
    histogram: latency.bars(),
    mismatches,
    failures,
    connectionsOpened: opened,
    ...(firstFailure === undefined ? {} : { firstFailure }),
  };
}
