/**
 * A ReadableStream's chunks as an async iterable, for runtimes and browsers where a
 * stream is not iterable yet (Safari's, for one). No runtime code, so pages use it too.
 *
 * @module
 */

/** Reads `stream` to its end, releasing the reader when the loop stops early. */
export async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
