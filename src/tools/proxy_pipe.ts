/**
 * Joins two connections with `pump` in each direction: a chunk is read from one side
 * only once the other side took the previous one (no unbounded buffering; the adapters
 * stop reading from the kernel while nobody reads, so TCP backpressure reaches the
 * sender), and an end of stream is passed on as a half-close. A failure on either side
 * resets the other, so that a broken stream is never mistaken for a complete one where
 * the runtime can send a reset (Node, Bun); Deno's `reset()` is a close, which its peer
 * sees as a clean end.
 *
 * @module
 */
import { type Connection, pump } from "../net/mod.ts";

/** What went through a joined pair of connections. */
export interface PipeResult {
  /** Bytes copied from the client to the backend. */
  bytesUp: number;
  /** Bytes copied from the backend to the client. */
  bytesDown: number;
  /** The first failure (a reset, a write to a closed peer), or `undefined` when both sides ended cleanly. */
  error?: unknown;
}

/**
 * Copies `client` ⇄ `backend` until both directions ended or one failed; closes both.
 * `onChunk` is called after each chunk passed on, either way (the idle limit's measure
 * of activity).
 */
export async function pipeConnections(
  client: Connection,
  backend: Connection,
  onChunk?: () => void,
): Promise<PipeResult> {
  const result: PipeResult = { bytesUp: 0, bytesDown: 0 };
  let failed = false;
  const fail = (error: unknown) => {
    if (failed) return;
    failed = true;
    result.error = error;
    client.reset();
    backend.reset();
  };
  // After a failure the other direction's read gives null (its connection was reset
  // here) and pump's closeWrite on a closed connection does nothing.
  await Promise.all([
    pump(client, backend, {
      onChunk: (n) => {
        result.bytesUp += n;
        onChunk?.();
      },
    }).catch(fail),
    pump(backend, client, {
      onChunk: (n) => {
        result.bytesDown += n;
        onChunk?.();
      },
    }).catch(fail),
  ]);
  client.close();
  backend.close();
  return result;
}
