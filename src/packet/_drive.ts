/**
 * Feeds a capture, from a file, bytes or a stream, through a decoder engine chunk by
 * chunk (gzip-compressed ones through the decompressor), and checks a source's kind. The
 * part of opening a capture that `captureStats` shares with `openCapture`, without the
 * batches, the filter or the TypeScript engine, so that counting loads no more than it runs.
 *
 * @module
 */
import { type FileReader, openFileReader } from "../runtime/files.ts";
import { detectRuntime } from "../runtime/detect.ts";
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

/** Room for a record carried from one read-ahead area into the next: the largest pcap record and its header. */
const CARRY_ROOM = L.MAX_PCAP_RECORD + 16;

/** How {@linkcode drive} goes. */
export interface DriveOptions {
  /** Called after each chunk with the bytes read so far. */
  onProgress?: (bytesRead: number) => void;
  /**
   * Reads a regular file ahead where the machine allows it (see drive's readAhead): worth
   * it where decoding is as quick as reading (counting); where each packet becomes output,
   * reading is a small part and the second core is better left to the output's reader.
   */
  readAhead?: boolean;
}

/** How reading a file ahead ended. */
type ReadAheadEnd =
  | { kind: "ended" }
  | { kind: "gzip"; head: Uint8Array }
  | { kind: "carry"; carry: number };

/**
 * Whether a regular file can be read ahead (see drive): only with a second core to read on
 * (a read handed to a thread on the same core only adds the hand-over), and not on Bun,
 * whose WebAssembly memory may move when it grows; the statistics' flow table grows
 * memory while a read into it is under way, which V8 (Node, Deno) does in place.
 */
function canReadAhead(): boolean {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return cores >= 2 && detectRuntime().name !== "bun";
}

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
  options: DriveOptions = {},
): AsyncGenerator<number> {
  const { onProgress, readAhead: ahead = false } = options;
  let bytesRead = 0;
  const counted = (n: number) => {
    bytesRead += n;
    onProgress?.(bytesRead);
  };
  let carry = 0;
  let fileOffset = 0;
  let packets = 0;
  // Decodes input [from, end); returns where the undecoded rest (a record cut by the end) starts.
  const drain = function* (end: number, final: boolean, from = 0): Generator<number, number> {
    let start = from;
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
  /**
   * Reads a regular file ahead: the next chunk is read on another thread (the runtime's
   * file pool) while this one is decoded, into the other of two areas, each after room for
   * the record a chunk ends in the middle of, which is copied there: [room][area 0][room][area 1].
   * Ends at the end of the file; or hands a record larger than the room (a pcapng block
   * can be 16 MiB) to the loop below, moved to the start of the input with what follows it.
   */
  const readAhead = async function* (reader: FileReader): AsyncGenerator<number, ReadAheadEnd> {
    const areaAt = (i: number) => CARRY_ROOM + i * (CARRY_ROOM + chunkSize);
    engine.ensureInput(areaAt(2));
    let start = areaAt(0);
    let n = reader.readSync(engine.input(), start, chunkSize);
    if (isGzip(engine.input().subarray(start, start + n))) {
      return { kind: "gzip", head: engine.input().slice(start, start + n) };
    }
    let end = start + n;
    let area = 0;
    fileOffset = -start;
    for (;;) {
      if (signal?.aborted) return { kind: "ended" };
      if (n === 0) {
        yield* drain(end, true, start);
        return { kind: "ended" };
      }
      counted(n);
      const next = 1 - area;
      const reading = reader.read(engine.input(), areaAt(next), chunkSize).then(
        (bytes) => ({ bytes }),
        (error: unknown) => ({ bytes: 0, error }),
      );
      let stop = start;
      let decoded = false;
      try {
        stop = yield* drain(end, false, start);
        decoded = true;
      } finally {
        // Decoding failed or the reader stopped early: the file is closed after this, and a
        // read still under way would then read a closed (or reused) descriptor.
        if (!decoded) await reading;
      }
      const read = await reading;
      if ("error" in read) throw read.error;
      n = read.bytes;
      const carried = end - stop;
      if (carried > CARRY_ROOM) {
        const rest = engine.input().slice(areaAt(next), areaAt(next) + n);
        engine.input().copyWithin(0, stop, end);
        fileOffset += stop;
        engine.ensureInput(carried + n);
        engine.input().set(rest, carried);
        counted(n);
        return { kind: "carry", carry: carried + n };
      }
      const moved = areaAt(next) - carried;
      engine.input().copyWithin(moved, stop, end);
      fileOffset += stop - moved;
      start = moved;
      end = areaAt(next) + n;
      area = next;
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
      let first = true;
      if (ahead && reader.regular && canReadAhead()) {
        const ahead = yield* readAhead(reader);
        if (ahead.kind === "gzip") gzipHead = ahead.head;
        else if (ahead.kind === "ended") return;
        else {
          // A record larger than the room kept for one: on as below, the rest of the way.
          carry = ahead.carry;
          first = false;
        }
      }
      for (; gzipHead === undefined; first = false) {
        if (signal?.aborted) return;
        // The first read takes at least the two bytes that tell a gzip file, and they are
        // looked at where they were read: a pipe or /dev/stdin cannot be read twice.
        const length = first ? Math.max(chunkSize, 2) : chunkSize;
        engine.ensureInput(carry + length);
        // A regular file not read ahead is read synchronously (handing each read to a thread
        // on the same core costs more than the read), with a turn of the event loop every
        // BLOCKING_RUN reads, so that timers and an abort (Ctrl-C) still run meanwhile.
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
        counted(n);
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
