/**
 * The packet list as the page keeps it: one growable typed array per column and a string
 * table for addresses and protocol names, the Info texts as UTF-8 in one byte arena. A
 * million packets cost a few tens of bytes each and no object per packet; a row's text is
 * made only when the table draws it.
 *
 * @module
 */
import type { RowsMessage } from "./_messages.ts";
import { timeText } from "./_packet_columns.ts";

/** One drawn row of the list. */
export interface PacketRow {
  number: number;
  time: string;
  source: string;
  destination: string;
  protocol: string;
  length: number;
  info: string;
}

type Column = Float64Array | Uint32Array | Uint8Array;

function grown<T extends Column>(column: T, size: number): T {
  if (size <= column.length) return column;
  const next = new (column.constructor as new (n: number) => T)(Math.max(size, column.length * 2));
  next.set(column as ArrayLike<number>);
  return next;
}

/** The packets received so far, by index (the frame number minus one). */
export class PacketStore {
  count = 0;
  private sec = new Float64Array(4096);
  private nsec = new Uint32Array(4096);
  private length = new Uint32Array(4096);
  private source = new Uint32Array(4096);
  private destination = new Uint32Array(4096);
  private protocol = new Uint32Array(4096);
  private infoEnd = new Float64Array(4096);
  private info = new Uint8Array(1 << 16);
  private infoBytes = 0;
  private readonly strings: string[] = [];
  private readonly decoder = new TextDecoder();

  /** Appends a message's rows (they arrive in order). */
  append(m: RowsMessage): void {
    const size = this.count + m.count;
    this.sec = grown(this.sec, size);
    this.nsec = grown(this.nsec, size);
    this.length = grown(this.length, size);
    this.source = grown(this.source, size);
    this.destination = grown(this.destination, size);
    this.protocol = grown(this.protocol, size);
    this.infoEnd = grown(this.infoEnd, size);
    this.info = grown(this.info, this.infoBytes + m.info.length);
    this.sec.set(m.sec, this.count);
    this.nsec.set(m.nsec, this.count);
    this.length.set(m.length, this.count);
    this.source.set(m.source, this.count);
    this.destination.set(m.destination, this.count);
    this.protocol.set(m.protocol, this.count);
    this.info.set(m.info, this.infoBytes);
    for (let i = 0; i < m.count; i++) this.infoEnd[this.count + i] = this.infoBytes + m.infoEnds[i];
    for (const text of m.strings) this.strings.push(text);
    this.infoBytes += m.info.length;
    this.count = size;
  }

  /** Packet `index` as the table draws it. */
  row(index: number): PacketRow {
    const infoStart = index === 0 ? 0 : this.infoEnd[index - 1];
    return {
      number: index + 1,
      time: timeText(this.sec[index], this.nsec[index]),
      source: this.strings[this.source[index]],
      destination: this.strings[this.destination[index]],
      protocol: this.strings[this.protocol[index]],
      length: this.length[index],
      info: this.decoder.decode(this.info.subarray(infoStart, this.infoEnd[index])),
    };
  }

  /** Bytes the columns take (what they hold, not their spare capacity). */
  bytesUsed(): number {
    return this.count * (8 + 4 * 5 + 8) + this.infoBytes;
  }
}
