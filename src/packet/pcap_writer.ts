/**
 * Writes pcap files (the classic libpcap format), for captures a program builds itself:
 * reconstructed traffic, test fixtures, examples.
 *
 * @module
 */
import { checkIntegerRange, checkOptionsObject, refuse, typeOfValue } from "../_argument_checks.ts";

import {
  PCAP_HEADER_LEN as HEADER_LEN,
  PCAP_MAGIC_MICRO,
  PCAP_MAGIC_NANO,
  PCAP_RECORD_HEADER_LEN as RECORD_HEADER_LEN,
} from "./_capture_formats.ts";
// The largest record the decoders (and libpcap, Wireshark) accept is the largest snaplen.
import { MAX_PCAP_RECORD as MAX_SNAPLEN } from "./_layout.ts";

/** Options of {@linkcode PcapWriter} and {@linkcode writePcap}. */
export interface WritePcapOptions {
  /** The LINKTYPE_ of every packet (1 Ethernet, 101 raw IP, 113 Linux SLL …). @default {1} */
  linkType?: number;
  /** Packets longer than this are cut to it (the original length is kept in the record). @default {262144} */
  snaplen?: number;
  /** Write nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds. @default {false} */
  nanoseconds?: boolean;
}

/** One packet of {@linkcode writePcap}. */
export interface PcapRecord {
  /** The frame, starting with its link-layer header. */
  data: Uint8Array;
  /** When it was seen, in milliseconds since the Unix epoch (fractions kept to the file's precision). @default {0} */
  time?: number;
  /** Its length on the wire when `data` holds only part of it. @default {data.length} */
  originalLength?: number;
}

/** The action every argument error here names: "Cannot write pcap: …". */
const WRITE = "write pcap";

function checkInteger(name: string, value: unknown, min: number, max: number): number {
  return checkIntegerRange(WRITE, name, value, min, max);
}

/**
 * Builds a pcap file in memory, packet by packet, little-endian as most capture tools
 * write it. The result opens in {@linkcode openCapture}, tcpdump and Wireshark.
 *
 * @example Two packets, then the file
 * ```ts
 * import { openCapture, PcapWriter } from "anynet/packet";
 * const writer = new PcapWriter({ linkType: 1 });
 * writer.add(new Uint8Array(60), Date.now());
 * writer.add(new Uint8Array(60), Date.now() + 1.5);
 * let count = 0;
 * for await (const batch of openCapture(writer.bytes())) count += batch.length;
 * console.assert(count === 2);
 * ```
 */
export class PcapWriter {
  readonly #linkType: number;
  readonly #snaplen: number;
  readonly #nanoseconds: boolean;
  readonly #records: Uint8Array[] = [];
  #size = HEADER_LEN;

  /**
   * @param options Link type, snapshot length and timestamp precision.
   * @throws {RangeError} For a link type or snaplen out of range.
   */
  constructor(options: WritePcapOptions = {}) {
    checkOptionsObject(WRITE, options);
    this.#linkType = checkInteger("linkType", options.linkType ?? 1, 0, 0xffff);
    this.#snaplen = checkInteger("snaplen", options.snaplen ?? MAX_SNAPLEN, 1, MAX_SNAPLEN);
    this.#nanoseconds = options.nanoseconds ?? false;
  }

  /** Packets added so far. */
  get packetCount(): number {
    return this.#records.length;
  }

  /**
   * Adds a packet.
   *
   * @param data The frame, starting with its link-layer header; cut to the snaplen.
   * @param time When it was seen, in milliseconds since the Unix epoch. @default 0
   * @param originalLength Its length on the wire. @default data.length
   * @returns This writer, for chaining.
   * @throws {TypeError} When `data` is not a Uint8Array.
   * @throws {RangeError} For a negative or non-finite time, or an original length below the data's.
   */
  add(data: Uint8Array, time = 0, originalLength: number = data?.length): this {
    if (!(data instanceof Uint8Array)) {
      refuse(WRITE, `a packet must be a Uint8Array: got ${typeOfValue(data)}`);
    }
    if (typeof time !== "number" || !Number.isFinite(time) || time < 0 || time >= 2 ** 32 * 1000) {
      refuse(WRITE, `'time' must be milliseconds from 0 to 2^32 seconds: got ${String(time)}`, RangeError);
    }
    checkInteger("originalLength", originalLength, data.length, 0xffffffff);
    const caplen = Math.min(data.length, this.#snaplen);
    // Split into whole seconds and the fraction in integers, so that rounding the
    // fraction up to a full second carries into the seconds instead of overflowing.
    const units = this.#nanoseconds ? 1e9 : 1e6;
    const total = Math.round((time / 1000) * units);
    const sec = Math.floor(total / units);
    const frac = total - sec * units;
    const record = new Uint8Array(RECORD_HEADER_LEN + caplen);
    const view = new DataView(record.buffer);
    view.setUint32(0, sec, true);
    view.setUint32(4, frac, true);
    view.setUint32(8, caplen, true);
    view.setUint32(12, originalLength, true);
    record.set(data.subarray(0, caplen), RECORD_HEADER_LEN);
    this.#records.push(record);
    this.#size += record.length;
    return this;
  }

  /**
   * The whole file: the global header and every packet added so far.
   *
   * @returns The pcap file's bytes (a new array on every call).
   */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#size);
    const view = new DataView(out.buffer);
    view.setUint32(0, this.#nanoseconds ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, true);
    view.setUint16(4, 2, true); // version 2.4
    view.setUint16(6, 4, true);
    // bytes 8-15: thiszone and sigfigs, always 0
    view.setUint32(16, this.#snaplen, true);
    view.setUint32(20, this.#linkType, true);
    let offset = HEADER_LEN;
    for (const record of this.#records) {
      out.set(record, offset);
      offset += record.length;
    }
    return out;
  }
}

/**
 * Writes packets into a pcap file in memory.
 *
 * @param records The packets, in order, each with its time.
 * @param options Link type, snapshot length and timestamp precision.
 * @returns The pcap file's bytes.
 * @throws {TypeError | RangeError} For a packet that is not bytes, a bad time or option.
 * @example A capture of one UDP datagram
 * ```ts
 * import { buildUdpFrame, captureStats, writePcap } from "anynet/packet";
 * const frame = buildUdpFrame({
 *   src: { hostname: "127.0.0.1", port: 40000 },
 *   dst: { hostname: "127.0.0.1", port: 65432 },
 *   payload: new TextEncoder().encode("hello"),
 * });
 * const stats = await captureStats(writePcap([{ data: frame, time: Date.now() }]));
 * console.assert(stats.protocols.udp === 1);
 * ```
 */
export function writePcap(records: Iterable<PcapRecord>, options: WritePcapOptions = {}): Uint8Array {
  const writer = new PcapWriter(options);
  if (records === null || typeof records !== "object" || !(Symbol.iterator in records)) {
    refuse(WRITE, `'records' must be an iterable of packets: got ${typeOfValue(records)}`);
  }
  for (const record of records) {
    if (record === null || typeof record !== "object") {
      refuse(WRITE, `a record must be an object with 'data': got ${typeOfValue(record)}`);
    }
    writer.add(record.data, record.time ?? 0, record.originalLength ?? record.data?.length);
  }
  return writer.bytes();
}
