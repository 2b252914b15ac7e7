/**
 * The WebAssembly capture engine: one instance of the decoder (and its memory) per
 * capture, with views over the input area and the packet table, and the statistics that
 * wasm/assembly/stats.ts accumulates while decoding.
 *
 * @module
 */
import type { CaptureEngine } from "./_capture_engine.ts";
import * as L from "./_layout.ts";
import { type DecoderExports, wasmModule } from "./_wasm.ts";

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
      // With statistics on, an area that outgrew its room has moved.
      this.inputPtr = this.wasm.inputPtr();
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
   * words); packets are then counted instead of kept (`rows()` is 0 and each decode call
   * goes through its whole input). Call before any input.
   * @throws {RangeError} When memory cannot grow for the flow table.
   */
  enableStats(maxFlows: number, seed: Uint32Array): void {
    if (this.wasm.enableStats(maxFlows, seed[0], seed[1]) === 0) {
      // The range of maxFlows is checked before; what is left is memory.grow failing. The
      // size as wasm/assembly/stats.ts lays it out at the start: the input area's room, the
      // sketches, the eviction scratch and the table's first slots.
      const bytes = L.STATS_INPUT_ROOM + (1 << L.HLL_BITS) + (L.CMS_ROWS << L.CMS_BITS) * 8 + maxFlows * 4 +
        Math.min(L.STATS_FIRST_SLOTS, maxFlows * 2) * L.FLOW_ENTRY;
      throw new RangeError(
        `Cannot compute capture statistics: WebAssembly memory cannot grow to hold the ` +
          `${
            Math.ceil(bytes / 1048576)
          } MiB that statistics with a flow table of up to ${maxFlows} flows need to start (a smaller maxFlows needs less)`,
      );
    }
    // The input area keeps its place, with room for a read before the statistics.
    this.inputPtr = this.wasm.inputPtr();
    this.viewSize = -1;
    this.refresh();
  }
  /** The statistics counters, the flow table's entries and the two sketches. */
  statsMemory(): {
    counters: BigInt64Array;
    flows: Uint8Array;
    flowCapacity: number;
    /** The most flows the table holds: `maxFlows`, or fewer once memory ran out as it grew. */
    flowBound: number;
    hll: Uint8Array;
    cms: BigUint64Array;
  } {
    const buffer = this.wasm.memory.buffer;
    return {
      counters: new BigInt64Array(buffer, this.wasm.statsPtr(), L.ST_COUNT),
      flows: new Uint8Array(buffer, this.wasm.flowPtr(), this.wasm.flowCapacity() * L.FLOW_ENTRY),
      flowCapacity: this.wasm.flowCapacity(),
      flowBound: this.wasm.flowBound(),
      hll: new Uint8Array(buffer, this.wasm.hllPtr(), 1 << L.HLL_BITS),
      cms: new BigUint64Array(buffer, this.wasm.cmsPtr(), L.CMS_ROWS << L.CMS_BITS),
    };
  }
}

function wasmAbort(_message: number, _file: number, line: number, column: number): never {
  throw new Error(`anynet WebAssembly aborted at ${line}:${column}`);
}
