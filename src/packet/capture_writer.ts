/**
 * Writes decoded packets back out as a capture file, each packet's bytes unchanged: the
 * output of `anynet pcap decode -w`. Works on rows of the packet table (frame bytes,
 * lengths, timestamp, link type, interface), so a filtered capture is written without
 * an object per packet. pcap files get nanosecond timestamps (no precision is lost,
 * whatever the input had); pcapng files get one interface per input interface and link
 * type, with nanosecond resolution.
 *
 * @module
 */
import {
  PCAP_HEADER_LEN,
  PCAP_MAGIC_NANO,
  PCAP_RECORD_HEADER_LEN,
  PCAPNG_BYTE_ORDER,
  PCAPNG_ENHANCED_PACKET,
  PCAPNG_IF_TSRESOL,
  PCAPNG_INTERFACE,
  PCAPNG_SECTION_HEADER,
} from "./_capture_formats.ts";
import * as L from "./_layout.ts";
import { concatBytes } from "../_bytes.ts";

/** The output's format; `auto` is the input's (pcapng when its packets carry an interface). */
export type CaptureFormat = "pcap" | "pcapng" | "auto";

/** Collects packets as capture file bytes; `take()` hands over what is ready. */
export class CaptureRowWriter {
  private format: CaptureFormat;
  private started = false;
  private link = -1;
  private readonly interfaces = new Map<string, number>();
  private pending: Uint8Array[] = [];
  /** Packets written. */
  count = 0;

  constructor(format: CaptureFormat) {
    this.format = format;
  }

  /**
   * Adds row `r` (the index of its first column) of table `t` over bytes `b`.
   * @throws {RangeError} When a pcap file would need a second link type.
   */
  add(t: Int32Array, b: Uint8Array, r: number): void {
    const link = t[r + L.C_LINK];
    if (!this.started) this.start(link, (t[r] & L.F_IFACE) !== 0);
    const data = t[r + L.C_DATA], caplen = t[r + L.C_CAPLEN] >>> 0, len = t[r + L.C_LEN] >>> 0;
    const timed = (t[r] & L.F_TS) !== 0;
    const secHi = timed ? t[r + L.C_SECHI] : 0, secLo = timed ? t[r + L.C_SECLO] >>> 0 : 0;
    const nsec = timed ? t[r + L.C_NSEC] : 0;
    if (this.format === "pcap") {
      if (link !== this.link) {
        throw new RangeError(
          `packets of link types ${this.link} and ${link} cannot share a pcap file: write a .pcapng file instead`,
        );
      }
      const out = new Uint8Array(PCAP_RECORD_HEADER_LEN + caplen);
      const v = new DataView(out.buffer);
      v.setUint32(0, secLo, true);
      v.setUint32(4, nsec, true);
      v.setUint32(8, caplen, true);
      v.setUint32(12, len, true);
      out.set(b.subarray(data, data + caplen), PCAP_RECORD_HEADER_LEN);
      this.pending.push(out);
    } else {
      const iface = this.interfaceFor(t[r + L.C_IFACE], link);
      const padded = (caplen + 3) & ~3;
      const out = new Uint8Array(32 + padded);
      const v = new DataView(out.buffer);
      const ts = (BigInt(secHi) * 4294967296n + BigInt(secLo)) * 1000000000n + BigInt(nsec);
      v.setUint32(0, PCAPNG_ENHANCED_PACKET, true);
      v.setUint32(4, out.length, true);
      v.setUint32(8, iface, true);
      v.setUint32(12, Number(BigInt.asUintN(64, ts) >> 32n), true);
      v.setUint32(16, Number(BigInt.asUintN(32, ts)), true);
      v.setUint32(20, caplen, true);
      v.setUint32(24, len, true);
      out.set(b.subarray(data, data + caplen), 28);
      v.setUint32(out.length - 4, out.length, true);
      this.pending.push(out);
    }
    this.count++;
  }

  /** The bytes ready so far (a header once, then records), emptied by the call. */
  take(): Uint8Array {
    const parts = this.pending;
    this.pending = [];
    return parts.length === 0 ? new Uint8Array(0) : concatBytes(parts);
  }

  /** The rest of the file: a bare header when no packet was added (Ethernet then). */
  finish(): Uint8Array {
    if (!this.started) this.start(1, false);
    return this.take();
  }

  private start(link: number, pcapng: boolean): void {
    this.started = true;
    this.link = link;
    if (this.format === "auto") this.format = pcapng ? "pcapng" : "pcap";
    if (this.format === "pcap") {
      const h = new Uint8Array(PCAP_HEADER_LEN);
      const v = new DataView(h.buffer);
      v.setUint32(0, PCAP_MAGIC_NANO, true);
      v.setUint16(4, 2, true);
      v.setUint16(6, 4, true);
      v.setUint32(16, L.MAX_PCAP_RECORD, true);
      v.setUint32(20, link, true);
      this.pending.push(h);
    } else {
      const h = new Uint8Array(28);
      const v = new DataView(h.buffer);
      v.setUint32(0, PCAPNG_SECTION_HEADER, true);
      v.setUint32(4, 28, true);
      v.setUint32(8, PCAPNG_BYTE_ORDER, true);
      v.setUint16(12, 1, true);
      v.setUint16(14, 0, true);
      // Section length unknown: -1.
      v.setInt32(16, -1, true);
      v.setInt32(20, -1, true);
      v.setUint32(24, 28, true);
      this.pending.push(h);
    }
  }

  /** The output interface for an input interface and link type, described on first use. */
  private interfaceFor(inputIface: number, link: number): number {
    const key = `${inputIface}/${link}`;
    let id = this.interfaces.get(key);
    if (id !== undefined) return id;
    id = this.interfaces.size;
    this.interfaces.set(key, id);
    // Link type, reserved, snaplen 0 (none), if_tsresol = 9 (nanoseconds), end of options.
    const h = new Uint8Array(32);
    const v = new DataView(h.buffer);
    v.setUint32(0, PCAPNG_INTERFACE, true);
    v.setUint32(4, 32, true);
    v.setUint16(8, link, true);
    v.setUint32(12, 0, true);
    v.setUint16(16, PCAPNG_IF_TSRESOL, true);
    v.setUint16(18, 1, true);
    h[20] = 9;
    v.setUint16(24, 0, true);
    v.setUint16(26, 0, true);
    v.setUint32(28, 32, true);
    this.pending.push(h);
    return id;
  }
}
