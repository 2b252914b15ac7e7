/**
 * Feeds capture bytes, as they arrive, through a WebAssembly decoder in the browser: each
 * chunk is decoded as soon as it comes (so the first packets show while the rest
 * downloads), a record split across chunks is carried over, and every decode call's rows
 * go to a callback together with where in the capture each row's bytes start. The
 * browser-side counterpart of ../_drive.ts, which reads files through the runtime and so
 * cannot run in a page.
 *
 * @module
 */
import * as L from "../_layout.ts";
import { CaptureError } from "../capture_error.ts";
import { WasmEngine } from "../_wasm_engine.ts";

/** Rows per decode call. */
const BATCH = 4096;

/**
 * Called with each decode call's rows: the table, the bytes `C_DATA` indexes into, the
 * row count, and what to add to a row's `C_DATA` to get its offset in the capture.
 */
export type RowsCallback = (table: Int32Array, bytes: Uint8Array, rows: number, toCapture: number) => void;

/**
 * Decodes the capture whose (uncompressed) bytes `chunks` yields.
 * @param final Whether the chunks are the whole capture: when not, a record cut off at
 *   the end is left alone instead of reported as damage.
 * @param keepGoing Asked between chunks; false stops early.
 * @throws {CaptureError} On damage at the file level, after the rows before it.
 */
export async function feedCapture(
  chunks: AsyncIterable<Uint8Array>,
  onRows: RowsCallback,
  final = true,
  keepGoing: () => boolean = () => true,
): Promise<void> {
  const engine = new WasmEngine(BATCH);
  let carry = 0;
  let captureOffset = 0;
  let packets = 0;
  const decodeInput = (end: number, last: boolean): number => {
    let start = 0;
    for (;;) {
      const stop = engine.decode(start, end, last);
      const rows = engine.rows();
      if (rows > 0) {
        packets += rows;
        // C_DATA counts from the start of WebAssembly memory; the input area starts at
        // the input view's offset and holds the capture from captureOffset.
        onRows(engine.table(), engine.bytes(), rows, captureOffset - engine.input().byteOffset);
      }
      if (engine.status() !== 0) {
        throw new CaptureError(L.FILE_ERRORS[engine.status()], captureOffset + engine.errorAt(), packets);
      }
      if (rows < engine.capacity || stop === end) return stop;
      start = stop;
    }
  };
  for await (const chunk of chunks) {
    if (!keepGoing()) return;
    engine.ensureInput(carry + chunk.length);
    engine.input().set(chunk, carry);
    const end = carry + chunk.length;
    const stop = decodeInput(end, false);
    engine.input().copyWithin(0, stop, end);
    captureOffset += stop;
    carry = end - stop;
  }
  if (final) decodeInput(carry, true);
}
