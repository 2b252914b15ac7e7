/**
 * A batch of decoded packets: a view of the packet table one decode call wrote.
 *
 * @module
 */
import * as L from "./_layout.ts";
import { recordFromRow } from "./_record_from_row.ts";
import type { PacketRecord } from "./packet_record.ts";

/**
 * Packets decoded from one chunk of a capture. The batch is a view of the decoder's
 * table and input buffer: it is valid until the iteration moves on to the next batch.
 * Take what you need (`get(i)` builds a plain object) before that.
 */
export class PacketBatch {
  /** Number of packets. */
  readonly length: number;
  /** @internal The table (`NCOLS` 32-bit integers per row). */
  readonly _table: Int32Array;
  /** @internal Rows the table can hold. */
  readonly _capacity: number;
  /** @internal The bytes that the table's data offsets index into. */
  readonly _bytes: Uint8Array;

  /** @internal */
  constructor(table: Int32Array, capacity: number, bytes: Uint8Array, length: number) {
    this._table = table;
    this._capacity = capacity;
    this._bytes = bytes;
    this.length = length;
  }

  /**
   * The packet at `index` as an object.
   * @param index From 0 to `length - 1`.
   * @returns The decoded packet.
   * @throws {RangeError} When `index` is outside the batch.
   * @example
   * ```ts
   * import { openCapture } from "anynet/packet";
   * for await (const batch of openCapture("capture.pcap")) console.log(batch.get(0).len);
   * ```
   */
  get(index: number): PacketRecord {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`Cannot get packet: index must be an integer from 0 to ${this.length - 1}: got ${index}`);
    }
    return recordFromRow(this._table, index, this._bytes, true);
  }

  /**
   * The frame number of packet `index` (from 1 over the whole capture), read straight
   * from the table without building an object.
   * @param index From 0 to `length - 1`.
   * @returns The frame number.
   */
  frameNumber(index: number): number {
    return this._table[index * L.NCOLS + L.C_N];
  }

  /** Every packet of the batch as objects, in order. */
  *[Symbol.iterator](): IterableIterator<PacketRecord> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }
}
