/**
 * The two decoder engines behind one small interface (_capture_engine.ts): the
 * TypeScript reference here, the WebAssembly one in _wasm_engine.ts, and the choice
 * between them.
 *
 * @module
 */
import * as L from "./_layout.ts";
import type { CaptureEngine, Engine } from "./_capture_engine.ts";
import { TsCaptureDecoder } from "./_ts_capture.ts";
import { decodeFrameTs } from "./_ts_frame.ts";
import { WasmEngine } from "./_wasm_engine.ts";

export { type CaptureEngine, checkEngine, type Engine } from "./_capture_engine.ts";
export { WasmEngine } from "./_wasm_engine.ts";

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
