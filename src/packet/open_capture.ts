/**
 * Streams a pcap or pcapng capture through a decoder, batch by batch.
 *
 * @module
 */
import { openFileReader } from "../runtime/files.ts";
import * as L from "./_layout.ts";
import { type CaptureEngine, checkEngine, createEngine, type Engine } from "./_engine.ts";
import { PacketBatch } from "./batch.ts";
import { CaptureError } from "./capture_error.ts";
import { checkIntegerRange, refuse, typeOfValue } from "../_argument_checks.ts";
import { filterOption, keepMatching, type PacketFilter } from "./packet_filter.ts";
import { gunzipIfCompressed, isGzip, readerChunks } from "./_gunzip.ts";

/** Where capture bytes come from: the bytes, a stream or iterable of chunks, or a file path. */
export type CaptureSource =
  | Uint8Array
  | ArrayBuffer
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>
  | string;

/** Options for {@linkcode openCapture}. */
export interface OpenCaptureOptions {
  /** The decoder implementation. @default {"wasm"} */
  engine?: Engine;
  /** Most packets in one batch (the table stays in cache when small). @default {4096} */
  batchSize?: number;
  /** Bytes fed to the decoder at a time. @default {4194304} */
  chunkSize?: number;
  /** Stops the iteration early (no error) when aborted. */
  signal?: AbortSignal;
  /**
   * Only the packets that match this display filter (tshark's spelling, such as
   * `tcp.port == 443`), compiled before any packet is read; frame numbers stay those of
   * the whole capture, and batches with no match are skipped.
   */
  filter?: string | PacketFilter;
}

const CHUNK = 4194304;
/** Default chunk and batch sizes. */
export const DEFAULT_CHUNK: number = CHUNK;
export const DEFAULT_BATCH: number = 4096;

async function* chunksOf(source: Exclude<CaptureSource, string>, chunkSize: number): AsyncGenerator<Uint8Array> {
  if (source instanceof ArrayBuffer) source = new Uint8Array(source);
  if (source instanceof Uint8Array) {
    for (let o = 0; o < source.length; o += chunkSize) yield source.subarray(o, o + chunkSize);
    return;
  }
  if (typeof (source as ReadableStream<Uint8Array>).getReader === "function") {
    const reader = (source as ReadableStream<Uint8Array>).getReader();
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

function checkPositiveInt(value: unknown, name: string, max: number): void {
  if (value !== undefined) checkIntegerRange("open capture", name, value, 1, max);
}

/**
 * Decodes a pcap or pcapng capture, yielding batches of packets; a gzip-compressed one
 * (`.pcap.gz`, told by its first bytes) is decompressed as it streams. The capture is read
 * a chunk at a time, so a file of any size is decoded in constant memory; each batch is
 * valid until the next one is asked for.
 *
 * @param source The capture bytes, a stream or iterable of chunks, or a file path.
 * @param options Engine, batch and chunk size, abort signal.
 * @returns An async iterable of batches.
 * @throws {TypeError} On a source or engine of the wrong kind.
 * @throws {RangeError} On a bad batch or chunk size.
 * @throws {FilterError} On a filter that cannot be read (before any I/O).
 * @throws {CaptureError} (during iteration) When the file is damaged at the file level,
 *   after every packet before the damage was yielded.
 * @example Count TCP packets
 * ```ts
 * import { openCapture } from "anynet/packet";
 * let tcp = 0;
 * for await (const batch of openCapture("capture.pcap")) {
 *   for (const packet of batch) if (packet.tcp) tcp++;
 * }
 * ```
 */
export function openCapture(source: CaptureSource, options: OpenCaptureOptions = {}): AsyncIterable<PacketBatch> {
  checkSource(source);
  const engineName = checkEngine(options.engine, "open capture");
  checkPositiveInt(options.batchSize, "batchSize", 1 << 20);
  checkPositiveInt(options.chunkSize, "chunkSize", 1 << 28);
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const chunkSize = options.chunkSize ?? CHUNK;
  const filter = filterOption(options.filter);
  return {
    async *[Symbol.asyncIterator](): AsyncGenerator<PacketBatch> {
      const engine = createEngine(engineName, batchSize);
      for await (let rows of drive(engine, source, chunkSize, options.signal)) {
        if (filter) {
          rows = keepMatching(filter._test, engine.table(), engine.bytes(), rows);
          if (rows === 0) continue;
        }
        yield new PacketBatch(engine.table(), engine.capacity, engine.bytes(), rows);
      }
    },
  };
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
        let n = await reader.read(engine.input(), carry, length);
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
