import { CopyLoop } from "./_copy_loop.ts";
import type { Connection } from "./connection.ts";

/** Options of {@linkcode pump}. */
export interface PumpOptions {
  /** Half-close `to` once `from` has ended, passing the end of stream along. @default true */
  closeWrite?: boolean;
  /** Called after each chunk has been written to `to`, with its size in bytes (progress, idle checks). */
  onChunk?: (bytes: number) => void;
}

/**
 * Copies bytes from one connection to another until `from` ends: the building block of
 * proxies (`pump(a, b)` and `pump(b, a)` at once) and of an echo (`pump(conn, conn)`).
 * Each chunk is written before the next is read, so a slow `to` slows the reading of
 * `from` (backpressure) and memory stays bounded. On Deno it reads into one reused
 * buffer; on Node and Bun it passes the runtime's own chunks on without copying.
 *
 * @param from Where the bytes come from.
 * @param to Where they go.
 * @param options See {@linkcode PumpOptions}.
 * @returns How many bytes were copied.
 * @throws {NetError} A failure of either connection (`ConnectionResetError` …).
 * @example A one-connection TCP proxy
 * ```ts
 * import { connect, listen, pump } from "anynet/net";
 * // `await using`: native on Deno, Bun, Node 24+; on Node 22 call close() in finally, or compile with tsc.
 * await using listener = await listen({ port: 0 });
 * for await (const client of listener) {
 *   const upstream = await connect({ hostname: "127.0.0.1", port: 65432 });
 *   await Promise.all([pump(client, upstream), pump(upstream, client)]);
 *   client.close();
 *   upstream.close();
 *   break;
 * }
 * ```
 */
export async function pump(from: Connection, to: Connection, options: PumpOptions = {}): Promise<number> {
  const copy = new CopyLoop(from, to, { onWritten: options.onChunk });
  await copy.done;
  if (options.closeWrite !== false) await to.closeWrite();
  return copy.copied;
}
