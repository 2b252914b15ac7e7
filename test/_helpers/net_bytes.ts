/**
 * Helpers for network tests: deterministic payloads and reading a connection to its end
 * while writing to it (a large echo deadlocks if the client writes everything first).
 *
 * @module
 */
import type { Connection, Listener } from "anynet/net";

/** `size` bytes of a pattern that shows reordering or loss (not just zeroes). */
export function pattern(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** Reads until the peer closes; returns all bytes in one array. */
export async function readAll(conn: Connection): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let chunk = await conn.read(); chunk; chunk = await conn.read()) {
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/** Writes `data` in chunks of `chunkSize`, then half-closes, while `readAll` runs; returns what came back. */
export async function roundTrip(
  conn: Connection,
  data: Uint8Array,
  chunkSize: number = 64 * 1024,
): Promise<Uint8Array> {
  const reading = readAll(conn);
  for (let offset = 0; offset < data.byteLength; offset += chunkSize) {
    await conn.write(data.subarray(offset, Math.min(offset + chunkSize, data.byteLength)));
  }
  await conn.closeWrite();
  return await reading;
}

/** Whether two byte arrays are equal (a fast check before a readable assertion message). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Where two byte arrays first differ, for an assertion message. */
export function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return `first difference at byte ${i} (lengths ${a.byteLength}, ${b.byteLength})`;
  }
  return `lengths ${a.byteLength} and ${b.byteLength}`;
}

/** What {@linkcode echoEveryConnection} saw while it served a listener. */
export interface EchoedConnections {
  /** Every connection the listener yielded, in order. */
  readonly yielded: Connection[];
  /** What each failed connection threw (the test decides what is expected). */
  readonly failures: unknown[];
  /** Settles when the listener's iteration ends. */
  readonly running: Promise<void>;
  /** What ended the iteration, if it threw. */
  iterationError(): unknown;
}

/**
 * Echoes every connection `listener` yields until its peer half-closes, then half-closes
 * back; a connection that fails is recorded and closed, never thrown.
 */
export function echoEveryConnection(listener: Listener): EchoedConnections {
  const yielded: Connection[] = [];
  const failures: unknown[] = [];
  let iterationError: unknown;
  const running = (async () => {
    try {
      for await (const conn of listener) {
        yielded.push(conn);
        (async () => {
          try {
            for (let chunk = await conn.read(); chunk; chunk = await conn.read()) await conn.write(chunk);
            await conn.closeWrite();
          } catch (error) {
            failures.push(error);
          } finally {
            conn.close();
          }
        })();
      }
    } catch (error) {
      iterationError = error;
    }
  })();
  return { yielded, failures, running, iterationError: () => iterationError };
}
