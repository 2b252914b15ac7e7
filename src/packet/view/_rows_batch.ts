/**
 * The worker's side of the packet list: gathers the columns of decoded packets and hands
 * them over in few, large messages (a message per decode call would cost more than the
 * decoding when the network delivers small chunks), with a string table so that an
 * address or protocol name crosses once.
 *
 * @module
 */
import type { RowsMessage } from "./_messages.ts";
import type { PacketColumns } from "./_packet_columns.ts";

/** Packets per message at most. */
const MAX_ROWS = 65536;

/**
 * Writes `text` as UTF-8 into `out` from `at`; returns where it ended. By hand: the texts
 * are short and nearly all ASCII, and a call into the browser's TextEncoder per packet
 * cost more (about 10 µs in Chromium) than making the text.
 */
function writeUtf8(text: string, out: Uint8Array, at: number): number {
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[at++] = c;
      continue;
    }
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
    if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
    } else if (c < 0x10000) {
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
    } else {
      out[at++] = 0xf0 | (c >> 18);
      out[at++] = 0x80 | ((c >> 12) & 0x3f);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
    }
    out[at++] = 0x80 | (c & 0x3f);
  }
  return at;
}

/** Columns of packets not sent yet. */
export class RowsBatch {
  /** Index of the first packet not sent yet. */
  private start = 0;
  private count = 0;
  private sec = new Float64Array(MAX_ROWS);
  private nsec = new Uint32Array(MAX_ROWS);
  private length = new Uint32Array(MAX_ROWS);
  private source = new Uint32Array(MAX_ROWS);
  private destination = new Uint32Array(MAX_ROWS);
  private protocol = new Uint32Array(MAX_ROWS);
  /** The Info texts as UTF-8, written as they come so that no string outlives its packet. */
  private info = new Uint8Array(1 << 22);
  private infoUsed = 0;
  private infoEnds = new Uint32Array(MAX_ROWS);
  private fresh: string[] = [];
  private readonly ids = new Map<string, number>();

  /** Packets waiting. */
  get size(): number {
    return this.count;
  }

  /** Whether the batch is full (send it before adding more). */
  get full(): boolean {
    return this.count === MAX_ROWS;
  }

  private id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(text, id);
      this.fresh.push(text);
    }
    return id;
  }

  /** Adds the next packet. */
  add(sec: number, nsec: number, length: number, columns: PacketColumns): void {
    const i = this.count++;
    this.sec[i] = sec;
    this.nsec[i] = nsec;
    this.length[i] = length;
    this.source[i] = this.id(columns.source);
    this.destination[i] = this.id(columns.destination);
    this.protocol[i] = this.id(columns.protocol);
    // UTF-8 takes at most three bytes per UTF-16 unit (four per surrogate pair).
    const room = this.infoUsed + columns.info.length * 3;
    if (room > this.info.length) {
      const grown = new Uint8Array(Math.max(room, this.info.length * 2));
      grown.set(this.info.subarray(0, this.infoUsed));
      this.info = grown;
    }
    this.infoUsed = writeUtf8(columns.info, this.info, this.infoUsed);
    this.infoEnds[i] = this.infoUsed;
  }

  /** The waiting packets as a message (its buffers to transfer), and a fresh batch. */
  take(): { message: RowsMessage; transfer: ArrayBuffer[] } {
    const n = this.count;
    const infoEnds = this.infoEnds.slice(0, n);
    const info = this.info.slice(0, this.infoUsed);
    const message: RowsMessage = {
      type: "rows",
      start: this.start,
      count: n,
      sec: this.sec.slice(0, n),
      nsec: this.nsec.slice(0, n),
      length: this.length.slice(0, n),
      source: this.source.slice(0, n),
      destination: this.destination.slice(0, n),
      protocol: this.protocol.slice(0, n),
      strings: this.fresh,
      info,
      infoEnds,
    };
    this.start += n;
    this.count = 0;
    this.infoUsed = 0;
    this.fresh = [];
    const transfer = [message.sec, message.nsec, message.length, message.source, message.destination, message.protocol]
      .map((column) => column.buffer as ArrayBuffer);
    transfer.push(info.buffer, infoEnds.buffer);
    return { message, transfer };
  }
}
