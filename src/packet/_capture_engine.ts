/**
 * What a capture decoder engine is: its name (`"wasm"` or `"ts"`), the check of that
 * name, and the small interface both engines implement (an input area the caller fills,
 * a decode call, and the table it writes). Kept apart from the engines so that a caller
 * that needs only one of them does not load the other.
 *
 * @module
 */

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
