/**
 * The two decoder engines behind one small interface: an input area the caller fills,
 * a decode call, and the table it writes.
 *
 * @module
 */
import * as L from "./_layout.ts";
import { TsCaptureDecoder } from "./_ts_capture.ts";
import { decodeFrameTs } from "./_ts_frame.ts";
import { type DecoderExports, wasmModule } from "./_wasm.ts";

/** Which decoder implementation to use. */
export type Engine = "wasm" | "ts";

/** A capture decoding state with its input area and table. */
export interface CaptureEngine {
  readonly capacity: number;
  /** Makes the input area hold at least `size` bytes (keeping its content). */
  ensureInput(size: number): void;
  /** The input area. Fresh after every `ensureInput`. */
  input(): Uint8Array;
  /** Decodes whole records of the input area `[start, end)`; returns where it stopped. */
  decode(start: number, end: number, final: boolean): number;
  rows(): number;
  status(): number;
  errorAt(): number;
  /** The table (`NCOLS` integers per row) and the bytes `C_DATA` indexes into. */
  table(): Int32Array;
  bytes(): Uint8Array;
}

/** Checks an engine name before any work. */
export function checkEngine(engine: unknown, action: string): Engine {
  if (engine === undefined) return "wasm";
  if (engine !== "wasm" && engine !== "ts") {
    throw new TypeError(`Cannot ${action}: unknown engine '${String(engine)}' (expected 'wasm' or 'ts')`);
  }
  return engine;
}

class TsEngine implements CaptureEngine {
  readonly capacity: number;
  private readonly decoder: TsCaptureDecoder;
  private buffer = new Uint8Array(0);
  constructor(capacity: number) {
    this.capacity = capacity;
    this.decoder = new TsCaptureDecoder(capacity);
  }
  ensureInput(size: number): void {
    if (size <= this.buffer.length) return;
    const next = new Uint8Array(Math.max(size, this.buffer.length * 2));
    next.set(this.buffer);
    this.buffer = next;
  }
  input(): Uint8Array {
    return this.buffer;
  }
  decode(start: number, end: number, final: boolean): number {
    return this.decoder.decode(this.buffer, start, end, final);
  }
  rows(): number {
    return this.decoder.rows;
  }
  status(): number {
    return this.decoder.status;
  }
  errorAt(): number {
    return this.decoder.errorAt;
  }
  table(): Int32Array {
    return this.decoder.table;
  }
  bytes(): Uint8Array {
    return this.buffer;
  }
}

/** The WebAssembly engine: one instance (and memory) per capture. */
export class WasmEngine implements CaptureEngine {
  readonly capacity: number;
  private readonly wasm: DecoderExports;
  private inputPtr: number;
  private inputSize = 0;
  private memoryBuffer: ArrayBufferLike | undefined;
  private viewSize = -1;
  private tableView: Int32Array = new Int32Array(0);
  private bytesView: Uint8Array = new Uint8Array(0);
  private inputView: Uint8Array = new Uint8Array(0);

  constructor(capacity: number) {
    this.capacity = capacity;
    this.wasm = new WebAssembly.Instance(wasmModule(), { env: { abort: wasmAbort } })
      .exports as unknown as DecoderExports;
    this.wasm.setup(capacity);
    this.inputPtr = this.wasm.inputPtr();
    this.refresh();
  }
  // Views over WebAssembly memory are detached when it grows: rebuild them then.
  private refresh(): void {
    const buffer = this.wasm.memory.buffer;
    if (buffer === this.memoryBuffer && this.viewSize === this.inputSize) return;
    this.memoryBuffer = buffer;
    this.viewSize = this.inputSize;
    this.tableView = new Int32Array(buffer, this.wasm.tablePtr(), L.NCOLS * this.capacity);
    this.bytesView = new Uint8Array(buffer);
    this.inputView = new Uint8Array(buffer, this.inputPtr, this.inputSize);
  }
  ensureInput(size: number): void {
    if (size > this.inputSize) {
      const reserved = this.wasm.reserveInput(size);
      // 0: memory.grow failed (the engine's limit or the 4 GiB of 32-bit WebAssembly).
      if (reserved === 0) {
        throw new RangeError(
          `Cannot decode capture: WebAssembly memory cannot grow to hold an input area of ${size} bytes`,
        );
      }
      this.inputSize = reserved;
    }
    this.refresh();
  }
  input(): Uint8Array {
    this.refresh();
    return this.inputView;
  }
  decode(start: number, end: number, final: boolean): number {
    return this.wasm.decode(start, end, final ? 1 : 0);
  }
  rows(): number {
    return this.wasm.rows();
  }
  status(): number {
    return this.wasm.status();
  }
  errorAt(): number {
    return this.wasm.errorAt();
  }
  table(): Int32Array {
    this.refresh();
    return this.tableView;
  }
  bytes(): Uint8Array {
    this.refresh();
    return this.bytesView;
  }
  /** Decodes the frame at the start of the input area into row 0. */
  frame(caplen: number, len: number, link: number): void {
    this.wasm.decodeFrame(caplen, len, link);
  }
  /**
   * Accumulates statistics in WebAssembly while decoding, for at most `maxFlows` flows at
   * a time (see wasm/assembly/stats.ts), the flow table keyed by `seed` (two 32-bit
   * words). Call before any input.
   * @throws {RangeError} When memory cannot grow for the flow table.
   */
  enableStats(maxFlows: number, seed: Uint32Array): void {
    if (this.wasm.enableStats(maxFlows, seed[0], seed[1]) === 0) {
      // The range of maxFlows is checked before; what is left is memory.grow failing. The
      // size as wasm/assembly/stats.ts lays it out: table, eviction scratch, sketches.
      let slots = 2;
      while (slots < maxFlows * 2) slots *= 2;
      const bytes = slots * L.FLOW_ENTRY + maxFlows * 4 + (1 << L.HLL_BITS) + (L.CMS_ROWS << L.CMS_BITS) * 8;
      throw new RangeError(
        `Cannot compute capture statistics: WebAssembly memory cannot grow to hold the ` +
          `${
            Math.ceil(bytes / 1048576)
          } MiB that a flow table of ${maxFlows} flows needs (a smaller maxFlows needs less)`,
      );
    }
    // The statistics took the place of the input area, which now starts after them.
    this.inputPtr = this.wasm.inputPtr();
    this.viewSize = -1;
    this.refresh();
  }
  /** The statistics counters, the flow table's entries and the two sketches. */
  statsMemory(): {
    counters: BigInt64Array;
    flows: Uint8Array;
    flowCapacity: number;
    hll: Uint8Array;
    cms: BigUint64Array;
  } {
    const buffer = this.wasm.memory.buffer;
    return {
      counters: new BigInt64Array(buffer, this.wasm.statsPtr(), L.ST_COUNT),
      flows: new Uint8Array(buffer, this.wasm.flowPtr(), this.wasm.flowCapacity() * L.FLOW_ENTRY),
      flowCapacity: this.wasm.flowCapacity(),
      hll: new Uint8Array(buffer, this.wasm.hllPtr(), 1 << L.HLL_BITS),
      cms: new BigUint64Array(buffer, this.wasm.cmsPtr(), L.CMS_ROWS << L.CMS_BITS),
    };
  }
}

function wasmAbort(_message: number, _file: number, line: number, column: number): never {
  throw new Error(`anynet WebAssembly aborted at ${line}:${column}`);
}

/** A new capture decoding state of the given engine. */
export function createEngine(engine: Engine, capacity: number): CaptureEngine {
  return engine === "ts" ? new TsEngine(capacity) : new WasmEngine(capacity);
}

let tsFrameTable: Int32Array | undefined;
let wasmFrame: WasmEngine | undefined;

/**
 * Decodes one frame into row 0 of a one-row table.
 * @returns The table, the bytes its offsets index into.
 */
export function decodeOneFrame(
  engine: Engine,
  frame: Uint8Array,
  len: number,
  link: number,
): { table: Int32Array; bytes: Uint8Array } {
  if (engine === "ts") {
    const t = tsFrameTable ??= new Int32Array(L.NCOLS);
    t.fill(0);
    t[L.C_CAPLEN] = frame.length;
    t[L.C_LEN] = len;
    t[L.C_LINK] = link;
    decodeFrameTs(frame, 0, frame.length, len, link, t, 0, 0);
    return { table: t, bytes: frame };
  }
  const w = wasmFrame ??= new WasmEngine(1);
  w.ensureInput(frame.length);
  w.input().set(frame);
  w.frame(frame.length, len, link);
  return { table: w.table(), bytes: w.bytes() };
}
