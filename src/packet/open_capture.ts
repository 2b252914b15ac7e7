/**
 * Streams a pcap or pcapng capture through a decoder, batch by batch.
 *
 * @module
 */
import { checkEngine, createEngine, type Engine } from "./_engine.ts";
import { PacketBatch } from "./batch.ts";
import { checkIntegerRange } from "../_argument_checks.ts";
import { filterOption, keepMatching, type PacketFilter } from "./packet_filter.ts";
import { checkSource, DEFAULT_BATCH, DEFAULT_CHUNK, drive } from "./_drive.ts";

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
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
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
