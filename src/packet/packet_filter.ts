/**
 * Display filters in tshark's spelling (`tcp.port == 443 and not ip.addr == 10.0.0.0/8`),
 * compiled once and evaluated on the decoder's rows: the public face of ./filter/ (lexer,
 * parser, type checker, compiler, field table).
 *
 * @module
 */
import { refuse, typeOfValue } from "../_argument_checks.ts";
import { checkFilter } from "./filter/check.ts";
import { compileRowTest, type RowTest } from "./filter/compile.ts";
import { FilterError } from "./filter/filter_error.ts";
import { parseFilter } from "./filter/parser.ts";
import type { PacketBatch } from "./batch.ts";
import * as L from "./_layout.ts";

export { FilterError };

/**
 * A compiled display filter. Build one with {@linkcode compileFilter} and pass it (or
 * the expression) to `openCapture(source, { filter })`.
 */
export class PacketFilter {
  /** The expression it was compiled from. */
  readonly expression: string;
  /** @internal Tests one row of the packet table. */
  readonly _test: RowTest;

  /** @internal */
  constructor(expression: string, test: RowTest) {
    this.expression = expression;
    this._test = test;
  }

  /**
   * Whether packet `index` of a batch matches.
   * @param batch A batch from `openCapture()`.
   * @param index From 0 to `batch.length - 1`.
   * @returns True when the packet passes the filter.
   */
  matches(batch: PacketBatch, index: number): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= batch.length) {
      throw new RangeError(`Cannot test packet: index must be an integer from 0 to ${batch.length - 1}: got ${index}`);
    }
    return this._test(batch._table, batch._bytes, index * L.NCOLS);
  }
}

/**
 * Compiles a display filter: read, type-checked and turned into a test of decoded rows,
 * before any packet is read.
 *
 * @param expression A filter in tshark's spelling (see docs/packets.md for the fields).
 * @returns The compiled filter.
 * @throws {FilterError} When the expression cannot be read; `column` says where.
 * @throws {TypeError} When `expression` is not a string.
 * @example
 * ```ts
 * import { compileFilter, openCapture } from "anynet/packet";
 * const web = compileFilter("tcp.port in {80, 443} and not ip.addr == 10.0.0.0/8");
 * for await (const batch of openCapture("capture.pcap", { filter: web })) console.log(batch.length);
 * ```
 */
export function compileFilter(expression: string): PacketFilter {
  if (typeof expression !== "string") {
    refuse("compile filter", `the expression must be a string: got ${typeOfValue(expression)}`);
  }
  return new PacketFilter(expression, compileRowTest(checkFilter(parseFilter(expression), expression)));
}

/**
 * Keeps the rows of `t[0, rows)` that pass `test`, moved to the front in order; returns
 * how many. The table is the decoder's scratch space until its next decode call.
 */
export function keepMatching(test: RowTest, t: Int32Array, b: Uint8Array, rows: number): number {
  let kept = 0;
  for (let i = 0; i < rows; i++) {
    const r = i * L.NCOLS;
    if (!test(t, b, r)) continue;
    if (kept !== i) t.copyWithin(kept * L.NCOLS, r, r + L.NCOLS);
    kept++;
  }
  return kept;
}

/**
 * A `filter` option as the capture functions take it: nothing, a compiled filter as it is,
 * or an expression compiled now (so a mistake is thrown by the call that was given it).
 * @throws {FilterError} When the expression cannot be read.
 */
export function filterOption(option: string | PacketFilter | undefined): PacketFilter | undefined {
  return option === undefined || option instanceof PacketFilter ? option : compileFilter(option);
}
