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
import { LatencyHistogram, type LatencySummary } from "./_histogram.ts";
import { sleep } from "../_sleep.ts";

/** Options of {@linkcode echoLoad}. */
export interface EchoLoadOptions {
  /** The echo server's host. @default "127.0.0.1" */
  hostname?: string;
  /** The echo server's port. */
  port: number;
  /** Connections kept busy at once, each sending a message and awaiting its echo in turn. @default 10 */
  connections?: number;
  /** Milliseconds to run; round trips under way at the end are finished, not cut. @default 5000 */
  duration?: number;
  /** Bytes in each message, 1 to 16 MiB. @default 64 */
  size?: number;
  /** Milliseconds a connect or a round trip may take before it counts as a failure. @default 5000 */
  timeout?: number;
  /** Called about every `progressInterval` ms with the seconds so far, the round trips and their current rate, for a live line. */
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
  /** Milliseconds the run really took. */
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
  /** Latency of the exact round trips, in milliseconds (`null` without any), within 0.4 %. */
  latency: LatencySummary;
  /** Round trips whose echo differed from what was sent (wrong, reordered or extra bytes). */
  mismatches: number;
  /** Connects and round trips that failed: refused, reset, timed out, closed early. */
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

function withTimeout<T>(promise: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new TimedOutError(`${what}: no complete echo within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Loads an echo server: `connections` connections each send a `size`-byte message, wait
 * for the whole echo and check every byte, and go again, for `duration` milliseconds.
 * Each message differs from the last, so lost, duplicated or reordered bytes show as
 * mismatches. A connection that fails or mismatches is replaced by a new one.
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
  const started = performance.now();
  const deadline = started + duration;
  const stopped = () => signal?.aborted === true || performance.now() >= deadline;
  const fail = (error: unknown) => {
    failures++;
    firstFailure ??= error instanceof Error ? error.message.split("\n")[0] : String(error);
  };

  async function worker(id: number): Promise<void> {
    let seq = id;
    while (!stopped()) {
      let conn: Connection;
      try {
        conn = await connect({ hostname, port, timeout });
        opened++;
        conn.setNoDelay(true);
      } catch (error) {
        if (error instanceof NetError) fail(error);
        else throw error;
        // A refusing server answers at once: do not spin.
        await sleep(Math.min(50, Math.max(0, deadline - performance.now())), { signal, onAbort: "resolve" });
        continue;
      }
      try {
        while (!stopped()) {
          const offset = (seq++ * 7) % SHIFTS;
          const message = source.subarray(offset, offset + size);
          const t0 = performance.now();
          const writing = conn.write(message);
          writing.then(() => (bytesSent += size), () => {});
          const same = await withTimeout(
            Promise.all([writing, readEcho(conn, message)]).then(([, same]) => same),
            timeout,
            `round trip to ${formatAddr({ hostname, port })}`,
            () => conn.close(),
          );
          if (!same) {
            mismatches++;
            break;
          }
          latency.record(performance.now() - t0);
          roundTrips++;
        }
      } catch (error) {
        fail(error);
      } finally {
        conn.close();
      }
    }
  }

  let last = { at: started, roundTrips: 0 };
  const progress = onProgress === undefined ? undefined : setInterval(() => {
    const now = performance.now();
    onProgress({
      elapsedMs: now - started,
      roundTrips,
      currentRate: ((roundTrips - last.roundTrips) * 1000) / Math.max(1, now - last.at),
    });
    last = { at: now, roundTrips };
  }, progressInterval);
  try {
    await Promise.all(Array.from({ length: connections }, (_, i) => worker(i)));
  } finally {
    if (progress !== undefined) clearInterval(progress);
  }
  const durationMs = performance.now() - started;
  const seconds = durationMs / 1000;
  return {
    target: formatAddr({ hostname, port }),
    connections,
    size,
    durationMs,
    roundTrips,
    roundTripsPerSecond: roundTrips / seconds,
    bytesSent,
    bytesEchoed: roundTrips * size,
    megabytesPerSecond: (roundTrips * size) / 1e6 / seconds,
    latency: latency.summary(),
    mismatches,
    failures,
    connectionsOpened: opened,
    ...(firstFailure === undefined ? {} : { firstFailure }),
  };
}
