/**
 * How large a reused read buffer is: it starts small, because ten thousand idle
 * connections must stay cheap, and doubles while reads fill it, up to a size where larger
 * reads no longer pay. Used by the portable copy loop (src/net/_copy_loop.ts) and by the
 * Deno adapter's own reads.
 *
 * @module
 */

/** The first size of a read buffer. */
export const MIN_READ_BUFFER: number = 4 * 1024;
/** The size a read buffer stops growing at. */
export const MAX_READ_BUFFER: number = 64 * 1024;

/** The buffer for the next read: twice as large when the last read filled `buffer` (up to the maximum), else `buffer` itself. */
export function nextReadBuffer(buffer: Uint8Array, filled: number): Uint8Array {
  return filled === buffer.byteLength && filled < MAX_READ_BUFFER ? new Uint8Array(filled * 2) : buffer;
}
