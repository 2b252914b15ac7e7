/**
 * Feeds a capture, from a file, bytes or a stream, through a decoder engine chunk by
 * chunk (gzip-compressed ones through the decompressor), and checks a source's kind. The
 * part of opening a capture that `captureStats` shares with `openCapture`, without the
 * batches, the filter or the TypeScript engine, so that counting loads no more than it runs.
 *
 * @module
 */
import { openFileReader } from "../runtime/files.ts";
import { refuse, typeOfValue } from "../_argument_checks.ts";
import { nextTurn } from "../_next_turn.ts";
import * as L from "./_layout.ts";
import type { CaptureEngine } from "./_capture_engine.ts";
import { CaptureError } from "./capture_error.ts";
import { gunzipIfCompressed, isGzip, readerChunks } from "./_gunzip.ts";
import { streamChunks } from "./_stream_chunks.ts";
import type { CaptureSource } from "./open_capture.ts";

/** Synchronous reads of a regular file between two turns of the event loop. */
const BLOCKING_RUN = 16;

/** Default chunk and batch sizes. */
export const DEFAULT_CHUNK: number = 4194304;
export const DEFAULT_BATCH: number = 4096;

async function* chunksOf(source: Exclude<CaptureSource, string>, chunkSize: number): AsyncGenerator<Uint8Array> {
  if (source instanceof ArrayBuffer) source = new Uint8Array(source);
  if (source instanceof Uint8Array) {
    for (let o = 0; o < source.length; o += chunkSize) yield source.subarray(o, o + chunkSize);
    return;
  }
  if (typeof (source as ReadableStream<Uint8Array>).getReader === "function") {
    yield* streamChunks(source as ReadableStream<Uint8Array>);
    return;
  }
  yield* source as AsyncIterable<Uint8Array>;
}

/** Checks a capture source's kind before any I/O. */
export function checkSource(source: unknown): void {
  const ok = typeof source === "string" || source instanceof Uint8Array || source instanceof ArrayBuffer ||
    (source !== null && typeof source === "object" &&
      (typeof (source as ReadableStream).getReader === "function" || Symbol.asyncIterator in source ||
        Symbol.iterator in source));
  if (!ok) {
    refuse(
      "open capture",
      "the source must be bytes, a ReadableStream, an iterable of chunks or a file path: " +
        `got ${typeOfValue(source)}`,
    );
  }
}

/**
 * Feeds a capture through an engine chunk by chunk, carrying a record split across
 * chunks over to the next; yields the row count after each decode call that produced
 * rows (the rows are valid until the next step).
 * @throws {CaptureError} On file-level damage, after the rows before it.
 */
export async function* drive(
  engine: CaptureEngine,
  source: CaptureSource,
  chunkSize: number,
  signal: AbortSignal | undefined,
  onProgress?: (bytesRead: number) => void,
): AsyncGenerator<number> {
  let bytesRead = 0;
  let carry = 0;
  let fileOffset = 0;
  let packets = 0;
  const drain = function* (end: number, final: boolean): Generator<number, number> {
    let start = 0;
    for (;;) {
      const stop = engine.decode(start, end, final);
      const rows = engine.rows();
      if (rows > 0) {
        packets += rows;
        yield rows;
      }
      if (engine.status() !== 0) {
        throw new CaptureError(L.FILE_ERRORS[engine.status()], fileOffset + engine.errorAt(), packets);
      }
      if (rows < engine.capacity || stop === end) return stop;
      start = stop;
    }
  };
  let compressedFile = false;
  let reads = 0;
  if (typeof source === "string") {
    // A file is read straight into the engine's input buffer: no copy through a chunk.
    const reader = await openFileReader(source);
    // Set when the first bytes are gzip's magic: the reader then goes on as a stream.
    let gzipHead: Uint8Array | undefined;
    try {
      for (let first = true;; first = false) {
        if (signal?.aborted) return;
        // The first read takes at least the two bytes that tell a gzip file, and they are
        // looked at where they were read: a pipe or /dev/stdin cannot be read twice.
        const length = first ? Math.max(chunkSize, 2) : chunkSize;
        engine.ensureInput(carry + length);
        // A regular file is read synchronously (handing each read to a thread and back
        // costs more than the read), with a turn of the event loop every BLOCKING_RUN
        // reads, so that timers and an abort (Ctrl-C) still run while a large file is decoded.
        const blocking = reader.regular;
        if (blocking && ++reads % BLOCKING_RUN === 0) await nextTurn();
        let n = blocking
          ? reader.readSync(engine.input(), carry, length)
          : await reader.read(engine.input(), carry, length);
        if (first) {
          while (n === 1) {
            const more = await reader.read(engine.input(), 1, length - 1);
            if (more === 0) break;
            n += more;
          }
          if (isGzip(engine.input().subarray(0, n))) {
            gzipHead = engine.input().slice(0, n);
            break;
          }
        }
        if (n === 0) break;
        bytesRead += n;
        onProgress?.(bytesRead);
        const end = carry + n;
        const stop = yield* drain(end, false);
        engine.input().copyWithin(0, stop, end);
        fileOffset += stop;
        carry = end - stop;
      }
    } finally {
      if (gzipHead === undefined) await reader.close();
    }
    if (gzipHead === undefined) {
      if (signal?.aborted) return;
      yield* drain(carry, true);
      return;
    }
    // A gzip-compressed file streams through the decompressor like any other stream; its
    // progress is counted in the file's (compressed) bytes.
    compressedFile = true;
    source = readerChunks(reader, gzipHead, onProgress);
  }
  for await (const chunk of gunzipIfCompressed(chunksOf(source, chunkSize))) {
    if (signal?.aborted) return;
    bytesRead += chunk.length;
    if (!compressedFile) onProgress?.(bytesRead);
    for (let o = 0; o < chunk.length; o += chunkSize) {
      const piece = chunk.subarray(o, o + chunkSize);
      engine.ensureInput(carry + piece.length);
      engine.input().set(piece, carry);
      const end = carry + piece.length;
      const stop = yield* drain(end, false);
      engine.input().copyWithin(0, stop, end);
      fileOffset += stop;
      carry = end - stop;
      if (signal?.aborted) return;
    }
  }
  yield* drain(carry, true);
}
