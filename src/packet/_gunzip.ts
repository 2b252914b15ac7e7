/**
 * Transparent gzip: a capture whose first bytes are gzip's magic (1f 8b, RFC 1952 §2.3.1)
 * is decompressed as it streams, with the DecompressionStream that Node, Deno and Bun
 * all provide, so a `.pcap.gz` of any size is read in constant memory.
 *
 * @module
 */
import type { FileReader } from "../runtime/files.ts";

const READ_SIZE = 1 << 20;

/** Whether `bytes` start with gzip's magic. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The rest of an open file as chunks, after `head` (its first bytes, already read); the
 * reader is closed when the chunks end or the consumer stops. `onRead` hears the bytes
 * read so far, `head` included, after each chunk.
 */
export async function* readerChunks(
  reader: FileReader,
  head: Uint8Array,
  onRead?: (bytesRead: number) => void,
): AsyncGenerator<Uint8Array> {
  let total = head.length;
  try {
    onRead?.(total);
    yield head;
    for (;;) {
      const buffer = new Uint8Array(READ_SIZE);
      const n = await reader.read(buffer, 0, READ_SIZE);
      if (n === 0) return;
      total += n;
      onRead?.(total);
      yield buffer.subarray(0, n);
    }
  } finally {
    await reader.close();
  }
}

/**
 * The chunks as they are, or decompressed when they start with gzip's magic.
 * @throws {Error} During iteration, when the gzip data is damaged or cut short.
 */
export async function* gunzipIfCompressed(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  // Enough of the start to see the magic (a stream may deliver it a byte at a time).
  const head: Uint8Array[] = [];
  let headLength = 0;
  let ended = false;
  while (headLength < 2) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    headLength += next.value.length;
  }
  const first = new Uint8Array(Math.min(headLength, 2));
  let o = 0;
  for (const chunk of head) {
    for (let i = 0; i < chunk.length && o < first.length; i++) first[o++] = chunk[i];
  }
  if (!isGzip(first)) {
    yield* head;
    if (!ended) yield* { [Symbol.asyncIterator]: () => iterator };
    return;
  }
  const compressed = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of head) controller.enqueue(chunk);
      if (ended) controller.close();
    },
    async pull(controller) {
      if (ended) return;
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  const reader = compressed.pipeThrough(
    // The DOM typing takes any BufferSource in; a Uint8Array is one.
    new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>,
  ).getReader();
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        // Node says nothing for data cut short; the others name the fault.
        const detail = (error as Error).message || "it ends early or is not gzip";
        throw new Error(`gzip data is damaged: ${detail}`, { cause: error });
      }
      if (result.done) return;
      yield result.value;
    }
  } finally {
    reader.releaseLock();
  }
}
