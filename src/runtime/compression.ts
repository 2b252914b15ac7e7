/**
 * On-the-fly compression of a response body: gzip through the web's `CompressionStream`,
 * which Node, Deno and Bun all have, and Brotli through `node:zlib`, which all three
 * provide but no web API does yet.
 *
 * @module
 */
import { constants, createBrotliCompress } from "node:zlib";

/** A content coding anynet can apply as it sends. */
export type ContentCoding = "br" | "gzip";

/**
 * Brotli's quality for compressing as the bytes are sent: 11 (the default) is meant for
 * files compressed once ahead of time and costs tens of times more CPU; 5 still beats
 * gzip's size at a similar speed.
 */
const BROTLI_STREAM_QUALITY = 5;

/**
 * `body` compressed with `coding`, as a stream that reads `body` only as fast as its own
 * reader takes the output.
 */
export function compressStream(body: ReadableStream<Uint8Array>, coding: ContentCoding): ReadableStream<Uint8Array> {
  if (coding === "gzip") {
    return body.pipeThrough(new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>);
  }
  return body.pipeThrough(brotliTransform());
}

/** A TransformStream over a `node:zlib` Brotli compressor. */
function brotliTransform(): TransformStream<Uint8Array, Uint8Array> {
  const brotli = createBrotliCompress({
    params: {
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_STREAM_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    },
  });
  let failure: Error | undefined;
  brotli.on("error", (error: Error) => (failure = error));
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      brotli.on(
        "data",
        (chunk: Uint8Array) => controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
      );
    },
    transform(chunk) {
      if (failure) throw failure;
      // write()'s callback comes once the compressor has taken the chunk: the source is
      // read no faster than zlib works.
      return new Promise<void>((resolve, reject) =>
        brotli.write(chunk, (error) => (error ? reject(error) : resolve()))
      );
    },
    flush() {
      return new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        brotli.once("end", resolve);
        brotli.once("error", reject);
        brotli.end();
        // 'end' fires only once the output is read: 'data' above reads it.
      });
    },
  });
}
