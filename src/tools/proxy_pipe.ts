/**
 * Joins two connections: each direction is a read → write loop, so a chunk is read from
 * one side only once the other side took the previous one (no unbounded buffering; the
 * adapters stop reading from the kernel while nobody reads, so TCP backpressure reaches
 * the sender). An end of stream is passed on as a half-close; a failure on either side
 * resets the other, so a broken stream is never mistaken for a complete one.
 *
 * @module
 */
import type { Connection } from "../net/mod.ts";

/** What went through a joined pair of connections. */
export interface PipeResult {
  /** Bytes copied from the client to the backend. */
  bytesUp: number;
  /** Bytes copied from the backend to the client. */
  bytesDown: number;
  /** The first failure (a reset, a write to a closed peer), or `undefined` when both sides ended cleanly. */
  error?: unknown;
}

/** Copies `client` ⇄ `backend` until both directions ended or one failed; closes both. */
export async function pipeConnections(client: Connection, backend: Connection): Promise<PipeResult> {
  const result: PipeResult = { bytesUp: 0, bytesDown: 0 };
  let failed = false;
  const fail = (error: unknown) => {
    if (failed) return;
    failed = true;
    result.error = error;
    client.reset();
    backend.reset();
  };
  const copy = async (from: Connection, to: Connection, count: (n: number) => void) => {
    try {
      for (let chunk = await from.read(); chunk; chunk = await from.read()) {
        await to.write(chunk);
        count(chunk.byteLength);
      }
      // read() also gives null once this side was closed by a failure of the other direction.
      if (!failed) await to.closeWrite();
    } catch (error) {
      fail(error);
    }
  };
  await Promise.all([
    copy(client, backend, (n) => (result.bytesUp += n)),
    copy(backend, client, (n) => (result.bytesDown += n)),
  ]);
  client.close();
  backend.close();
  return result;
}
