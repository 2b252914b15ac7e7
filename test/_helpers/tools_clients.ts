/**
 * Clients for the proxy's tests: an exchange that records exactly what came back, so a
 * test can tell a connection that broke (allowed when its backend dies) from one that
 * delivered wrong bytes (never allowed).
 *
 * @module
 */
import { connect, type Connection } from "anynet/net";
import { pattern } from "./net_bytes.ts";

/** How one client connection through the proxy went. */
export interface ExchangeOutcome {
  /** Connected, every echo came back exact, and the connection ended cleanly. */
  complete: boolean;
  /** Every byte that came back equals the byte sent at that position (true also for a broken connection). */
  exactPrefix: boolean;
  /** Bytes sent and bytes received. */
  sent: number;
  received: number;
  /** Why it broke, when it did. */
  error?: string;
  /** When the connection attempt started (Date.now()). */
  startedAt: number;
}

/** More bytes came back than were sent: as wrong as a changed byte. */
class ExtraBytesError extends Error {}

/** Reads until `want` bytes came or the stream ended; returns what came. */
async function readUpTo(conn: Connection, want: number): Promise<Uint8Array> {
  const out = new Uint8Array(want);
  let offset = 0;
  while (offset < want) {
    const chunk = await conn.read();
    if (!chunk) break;
    if (offset + chunk.byteLength > want) {
      throw new ExtraBytesError(`the echo brought ${offset + chunk.byteLength - want} bytes too many`);
    }
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.subarray(0, offset);
}

/**
 * Connects to `port`, sends `messages` messages of `size` bytes one after the other
 * (waiting `pauseMs` between them), checks each echo, half-closes and expects the end.
 */
export async function echoExchange(
  port: number,
  options: { messages: number; size: number; pauseMs: number; seed: number },
): Promise<ExchangeOutcome> {
  const startedAt = Date.now();
  const outcome: ExchangeOutcome = { complete: false, exactPrefix: true, sent: 0, received: 0, startedAt };
  let conn: Connection | undefined;
  try {
    conn = await connect({ hostname: "127.0.0.1", port, timeout: 5000 });
    for (let i = 0; i < options.messages; i++) {
      const message = pattern(options.size, options.seed * 1000 + i + 1);
      const writing = conn.write(message);
      // When the read fails first, the write's failure is the same story: don't let it go unhandled.
      writing.catch(() => {});
      const back = await readUpTo(conn, message.byteLength);
      await writing;
      outcome.sent += message.byteLength;
      outcome.received += back.byteLength;
      for (let j = 0; j < back.byteLength; j++) {
        if (back[j] !== message[j]) {
          outcome.exactPrefix = false;
          break;
        }
      }
      if (!outcome.exactPrefix) throw new Error(`message ${i} came back changed`);
      if (back.byteLength < message.byteLength) {
        throw new Error(`message ${i}: the stream ended after ${back.byteLength} bytes`);
      }
      if (options.pauseMs > 0) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
    await conn.closeWrite();
    const extra = await conn.read();
    if (extra !== null) throw new ExtraBytesError(`${extra.byteLength} unexpected bytes after the last echo`);
    outcome.complete = true;
  } catch (error) {
    if (error instanceof ExtraBytesError) outcome.exactPrefix = false;
    outcome.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } finally {
    conn?.close();
  }
  return outcome;
}
