/**
 * The TypeScript reference decoder, file level: pcap and pcapng records in a buffer,
 * decoded into rows of the packet table. wasm/assembly/capture.ts is the same state
 * machine in AssemblyScript.
 *
 * `decode(b, start, end, final)` consumes whole records from `b[start, end)` until the
 * table is full or a record runs past `end`, and returns where it stopped; the caller
 * carries the rest over into the next call.
 *
 * @module
 */
import * as F from "./_capture_formats.ts";
import * as L from "./_layout.ts";
import { decodeFrameTs } from "./_ts_frame.ts";

const FORMAT_NONE = 0;
const FORMAT_PCAP = 1;
const FORMAT_PCAPNG = 2;

/** Timestamp units of a pcapng interface. */
interface Iface {
  link: number;
  snaplen: number;
  /** Decimal exponent (10^-n) when `binary` is false, else binary (2^-n). */
  res: number;
  binary: boolean;
  offset: bigint;
}

/** One decoding state per capture (the TypeScript engine). */
export class TsCaptureDecoder {
  /** The table: `NCOLS * capacity` 32-bit integers. */
  readonly table: Int32Array;
  readonly capacity: number;
  /** Rows written by the last call. */
  rows = 0;
  /** A file-level error code (`L.S_*`) once one happened, else 0. */
  status = 0;
  /** Offset of the file-level error, relative to the buffer passed in. */
  errorAt = 0;
  private format = FORMAT_NONE;
  private le = false;
  private nanos = false;
  private link = 0;
  private n = 0;
  private ifaces: Iface[] = [];

  constructor(capacity: number) {
    this.capacity = capacity;
    this.table = new Int32Array(L.NCOLS * capacity);
  }

  private u16(b: Uint8Array, o: number): number {
    return this.le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
  }
  private u32(b: Uint8Array, o: number): number {
    return (this.le
      ? b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)
      : (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  private stop(code: number, at: number): number {
    this.status = code;
    this.errorAt = at;
    return at;
  }

  /**
   * Decodes whole records of `b[start, end)`.
   * @returns The offset after the last record consumed.
   */
  decode(b: Uint8Array, start: number, end: number, final: boolean): number {
    this.rows = 0;
    if (this.status !== 0) return start;
    let o = start;
    if (this.format === FORMAT_NONE) {
      if (end - o < 4) return final ? this.stop(L.S_NOT_CAPTURE, o) : o;
      const m = ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
      if (m === F.PCAPNG_SECTION_HEADER) {
        this.format = FORMAT_PCAPNG;
      } else {
        if (m === F.PCAP_MAGIC_MICRO || m === F.PCAP_MAGIC_NANO) this.le = false;
        else if (m === F.PCAP_MAGIC_MICRO_SWAPPED || m === F.PCAP_MAGIC_NANO_SWAPPED) this.le = true;
        else return this.stop(L.S_NOT_CAPTURE, o);
        if (end - o < F.PCAP_HEADER_LEN) return final ? this.stop(L.S_CUT_RECORD, o) : o;
        this.nanos = m === F.PCAP_MAGIC_NANO || m === F.PCAP_MAGIC_NANO_SWAPPED;
        this.link = this.u32(b, o + 20) & F.PCAP_LINKTYPE_MASK;
        this.format = FORMAT_PCAP;
        o += F.PCAP_HEADER_LEN;
      }
    }
    return this.format === FORMAT_PCAP ? this.pcap(b, o, end, final) : this.pcapng(b, o, end, final);
  }

  private row(
    b: Uint8Array,
    data: number,
    caplen: number,
    len: number,
    sec: number,
    nsec: number,
    link: number,
    iface: number,
    flags: number,
  ): void {
    this.rowHiLo(b, data, caplen, len, Math.floor(sec / 4294967296), sec >>> 0, nsec, link, iface, flags);
  }

  private rowHiLo(
    b: Uint8Array,
    data: number,
    caplen: number,
    len: number,
    secHi: number,
    secLo: number,
    nsec: number,
    link: number,
    iface: number,
    flags: number,
  ): void {
    const t = this.table, base = this.rows++ * L.NCOLS;
    t[base + L.C_N] = ++this.n;
    t[base + L.C_DATA] = data;
    t[base + L.C_CAPLEN] = caplen;
    t[base + L.C_LEN] = len;
    t[base + L.C_SECHI] = secHi;
    t[base + L.C_SECLO] = secLo;
    t[base + L.C_NSEC] = nsec;
    t[base + L.C_LINK] = link;
    t[base + L.C_IFACE] = iface;
    decodeFrameTs(b, data, caplen, len, link, t, base / L.NCOLS, flags);
  }

  private pcap(b: Uint8Array, o: number, end: number, final: boolean): number {
    while (this.rows < this.capacity) {
      if (o === end) return o;
      if (end - o < 16) return final ? this.stop(L.S_CUT_RECORD, o) : o;
      const caplen = this.u32(b, o + 8);
      if (caplen > L.MAX_PCAP_RECORD) return this.stop(L.S_TOO_LARGE, o);
      if (end - o - 16 < caplen) return final ? this.stop(L.S_CUT_RECORD, o) : o;
      const s = this.u32(b, o);
      const frac = this.u32(b, o + 4);
      const div = this.nanos ? 1000000000 : 1000000;
      const sec = s + Math.floor(frac / div);
      const nsec = (frac % div) * (this.nanos ? 1 : 1000);
      this.row(b, o + 16, caplen, this.u32(b, o + 12), sec, nsec, this.link, -1, L.F_TS);
      o += 16 + caplen;
    }
    return o;
  }

  private pcapng(b: Uint8Array, o: number, end: number, final: boolean): number {
    while (this.rows < this.capacity) {
      if (o === end) return o;
      if (end - o < 12) return final ? this.stop(L.S_CUT_RECORD, o) : o;
      const type = ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
      if (type === F.PCAPNG_SECTION_HEADER) {
        const bom = ((b[o + 8] << 24) | (b[o + 9] << 16) | (b[o + 10] << 8) | b[o + 11]) >>> 0;
        if (bom === F.PCAPNG_BYTE_ORDER) this.le = false;
        else if (bom === F.PCAPNG_BYTE_ORDER_SWAPPED) this.le = true;
        else return this.stop(L.S_BAD_BOM, o);
        this.ifaces = [];
      }
      const blen = this.u32(b, o + 4);
      if (blen < 12 || blen % 4 !== 0 || blen > L.MAX_BLOCK) return this.stop(L.S_BAD_BLOCK_LEN, o);
      if (end - o < blen) return final ? this.stop(L.S_CUT_RECORD, o) : o;
      if (this.u32(b, o + blen - 4) !== blen) return this.stop(L.S_TRAILER_MISMATCH, o);
      const btype = this.u32(b, o);
      const body = o + 8;
      const bodyLen = blen - 12;
      if (btype === F.PCAPNG_INTERFACE) {
        if (bodyLen < 8) return this.stop(L.S_SHORT_BLOCK, o);
        if (this.ifaces.length === L.MAX_IFACES) return this.stop(L.S_TOO_MANY_IFACES, o);
        this.ifaces.push(this.idb(b, body, bodyLen));
      } else if (btype === F.PCAPNG_ENHANCED_PACKET || btype === F.PCAPNG_PACKET) {
        if (bodyLen < 20) return this.stop(L.S_SHORT_BLOCK, o);
        const id = btype === F.PCAPNG_ENHANCED_PACKET ? this.u32(b, body) : this.u16(b, body);
        if (id >= this.ifaces.length) return this.stop(L.S_BAD_IFACE, o);
        const caplen = this.u32(b, body + 12);
        if (caplen > bodyLen - 20) return this.stop(L.S_SHORT_BLOCK, o);
        const f = this.ifaces[id];
        this.packet(b, body + 20, caplen, this.u32(b, body + 16), this.u32(b, body + 4), this.u32(b, body + 8), f, id);
      } else if (btype === F.PCAPNG_SIMPLE_PACKET) {
        if (bodyLen < 4) return this.stop(L.S_SHORT_BLOCK, o);
        if (this.ifaces.length === 0) return this.stop(L.S_BAD_IFACE, o);
        const f = this.ifaces[0];
        const len = this.u32(b, body);
        let caplen = bodyLen - 4;
        if (len < caplen) caplen = len;
        if (f.snaplen !== 0 && f.snaplen < caplen) caplen = f.snaplen;
        this.row(b, body + 4, caplen, len, 0, 0, f.link, 0, L.F_IFACE);
      }
      o += blen;
    }
    return o;
  }

  private idb(b: Uint8Array, body: number, bodyLen: number): Iface {
    const f: Iface = { link: this.u16(b, body), snaplen: this.u32(b, body + 4), res: 6, binary: false, offset: 0n };
    let q = body + 8;
    const end = body + bodyLen;
    // Options are code, length, value padded to 4 bytes; a malformed one ends the list.
    while (q + 4 <= end) {
      const code = this.u16(b, q);
      const len = this.u16(b, q + 2);
      if (code === F.PCAPNG_OPT_END || q + 4 + len > end) break;
      if (code === F.PCAPNG_IF_TSRESOL && len === 1) {
        f.binary = (b[q + 4] & 0x80) !== 0;
        f.res = b[q + 4] & 0x7f;
      } else if (code === F.PCAPNG_IF_TSOFFSET && len === 8) {
        const hi = this.u32(b, q + (this.le ? 8 : 4));
        const lo = this.u32(b, q + (this.le ? 4 : 8));
        f.offset = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
      }
      q += 4 + ((len + 3) & ~3);
    }
    return f;
  }

  private packet(
    b: Uint8Array,
    data: number,
    caplen: number,
    len: number,
    hi: number,
    lo: number,
    f: Iface,
    id: number,
  ): void {
    // The common units (10^-6 and 10^-9, no offset) in exact double arithmetic; others in
    // 64-bit integers, as the WebAssembly decoder does them.
    if (!f.binary && (f.res === 6 || f.res === 9) && f.offset === 0n) {
      const div = f.res === 6 ? 1000000 : 1000000000;
      const qh = Math.floor(hi / div);
      const x = (hi % div) * 65536 + (lo >>> 16);
      const y = (x % div) * 65536 + (lo & 0xffff);
      const sec = qh * 4294967296 + Math.floor(x / div) * 65536 + Math.floor(y / div);
      const nsec = (y % div) * (f.res === 6 ? 1000 : 1);
      this.row(b, data, caplen, len, sec, nsec, f.link, id, L.F_TS | L.F_IFACE);
      return;
    }
    const ts = (BigInt(hi) << 32n) | BigInt(lo);
    let sec: bigint, nsec: bigint;
    if (f.binary) {
      const r = f.res > 63 ? 63 : f.res;
      sec = ts >> BigInt(r);
      let frac = ts & ((1n << BigInt(r)) - 1n);
      let shift = r;
      if (shift > 34) {
        frac >>= BigInt(shift - 34);
        shift = 34;
      }
      nsec = (frac * 1000000000n) >> BigInt(shift);
    } else {
      if (f.res > 19) {
        this.row(b, data, caplen, len, 0, 0, f.link, id, L.F_IFACE);
        return;
      }
      const div = 10n ** BigInt(f.res);
      sec = ts / div;
      const frac = ts % div;
      nsec = f.res <= 9 ? frac * 10n ** BigInt(9 - f.res) : frac / 10n ** BigInt(f.res - 9);
    }
    sec = BigInt.asIntN(64, sec + f.offset);
    const shi = Number(BigInt.asIntN(32, sec >> 32n));
    const slo = Number(BigInt.asUintN(32, sec));
    this.rowHiLo(b, data, caplen, len, shi, slo, Number(nsec), f.link, id, L.F_TS | L.F_IFACE);
  }
}
