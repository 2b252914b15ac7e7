/**
 * Decodes a single frame (no capture file around it).
 *
 * @module
 */
import { checkEngine, decodeOneFrame, type Engine } from "./_engine.ts";
import { recordFromRow } from "./_record_from_row.ts";
import type { PacketRecord } from "./packet_record.ts";
import { checkIntegerRange, refuse, typeOfValue } from "../_argument_checks.ts";

/** The action every argument error here names: "Cannot decode frame: …". */
const DECODE = "decode frame";

/** Options for {@linkcode decodeFrame}. */
export interface DecodeFrameOptions {
  /** The decoder implementation. @default {"wasm"} */
  engine?: Engine;
  /** The frame's original length on the wire. @default {bytes.length} */
  len?: number;
}

/**
 * Decodes one frame of a given link type into a record.
 *
 * @param bytes The frame, starting with its link-layer header.
 * @param linktype The LINKTYPE_ number (1 Ethernet, 113 SLL, 276 SLL2, 0 NULL, 108 LOOP,
 *   101/12/14 raw IP, 228 IPv4, 229 IPv6).
 * @param options Engine and original length.
 * @returns The decoded packet (without frame number or timestamp).
 * @throws {TypeError} When `bytes` is not a Uint8Array or the engine is unknown.
 * @throws {RangeError} When `linktype` or `len` is out of range.
 * @example An ARP request
 * ```ts
 * import { decodeFrame } from "anynet/packet";
 * const frame = new Uint8Array(42);
 * frame.set([0x08, 0x06], 12);
 * frame.set([0, 1, 8, 0, 6, 4, 0, 1], 14);
 * console.assert(decodeFrame(frame, 1).arp?.op === 1);
 * ```
 */
export function decodeFrame(bytes: Uint8Array, linktype: number, options: DecodeFrameOptions = {}): PacketRecord {
  if (!(bytes instanceof Uint8Array)) {
    refuse(DECODE, `'bytes' must be a Uint8Array: got ${typeOfValue(bytes)}`);
  }
  checkIntegerRange(DECODE, "linktype", linktype, 0, 0x03ffffff);
  const engine = checkEngine(options.engine, DECODE);
  const len = checkIntegerRange(DECODE, "len", options.len ?? bytes.length, 0, 0xffffffff);
  const { table, bytes: b } = decodeOneFrame(engine, bytes, len, linktype);
  return recordFromRow(table, 0, b, false);
}
