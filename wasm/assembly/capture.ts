/**
 * File-level decoder: the AssemblyScript twin of src/packet/_ts_capture.ts. pcap and
 * pcapng records in the input area, decoded into rows of the packet table.
 *
 * Memory: [static data][interface table][packet table][input area → grows at the end].
 * With statistics on: [packet table][input area's room, STATS_INPUT_ROOM][statistics,
 * see stats.ts, the flow table growing at their end]; an input larger than the room moves
 * the area past the flow table's largest extent.
 */
import {
  C_CAPLEN, C_DATA, C_IFACE, C_LEN, C_LINK, C_N, C_NSEC, C_SECHI, C_SECLO, F_IFACE, F_TS, MAX_BLOCK, MAX_IFACES,
  MAX_PCAP_RECORD, NCOLS, S_BAD_BLOCK_LEN, S_BAD_BOM, S_BAD_IFACE, S_CUT_RECORD, S_NOT_CAPTURE, S_SHORT_BLOCK,
  S_TOO_LARGE, S_TOO_MANY_IFACES, S_TRAILER_MISMATCH, STATS_INPUT_ROOM,
} from "./layout";
import * as F from "./capture_formats";
import { decodeFrameAt, setVerifyChecksums } from "./frame";
import { holdUpTo } from "./grow";
import { accumulate, statsEnd, statsInit } from "./stats";

const FORMAT_NONE = 0;
const FORMAT_PCAP = 1;
const FORMAT_PCAPNG = 2;
// Interface record: link i32, snaplen u32, res i32, binary i32, offset i64.
const IFACE_SIZE: i32 = 24;

let ifaceBase: usize = 0;
let tableBase: usize = 0;
let inputBase: usize = 0;
let capacity: i32 = 0;
let rowCount: i32 = 0;
let statusCode: i32 = 0;
let errorOffset: i32 = 0;
let format: i32 = FORMAT_NONE;
let le: bool = false;
let nanos: bool = false;
let pcapLink: i32 = 0;
let frameNo: i32 = 0;
let ifaceCount: i32 = 0;
let inputSize: usize = 0;
// How large the input area may grow where it is: with statistics on, up to its room.
let inputRoom: u64 = <u64>0xffffffff;
let statsOn: bool = false;
// Off with statistics on: each packet is counted as soon as it is decoded, so no row is
// kept; every packet goes to row 0, which stays in cache, and decode() runs to the end of
// its input in one call (a table of thousands of rows written and read back once each was
// larger than the CPU's cache, and each batch was one more call from the host).
let keepRows: bool = true;

/** Lays out memory for a table of `cap` rows. Call once, before anything else. */
export function setup(cap: i32): void {
  ifaceBase = (__heap_base + 15) & ~(<usize>15);
  tableBase = ifaceBase + <usize>(MAX_IFACES * IFACE_SIZE);
  capacity = cap;
  inputBase = (tableBase + (<usize>(NCOLS * cap) << 2) + 15) & ~(<usize>15);
  const needed = (inputBase + 65535) >> 16;
  const have = <usize>memory.size();
  if (needed > have) memory.grow(<i32>(needed - have));
  inputSize = 0;
  inputRoom = <u64>0xffffffff;
  statsOn = false;
  keepRows = true;
  setVerifyChecksums(true);
  format = FORMAT_NONE;
  statusCode = 0;
  frameNo = 0;
  ifaceCount = 0;
}

export function tablePtr(): usize { return tableBase; }

/**
 * Turns on statistics for at most `maxFlows` flows at a time, the flow table's hash keyed
 * by the 64-bit seed `seedHi:seedLo`: each packet is decoded and added to the counts
 * (stats.ts) instead of being kept as a row (rows() is then 0), and the statistics'
 * memory goes after the input area's room, before any input is reserved.
 * Returns 1, or 0 when the input area is already in use, `maxFlows` is out of range or
 * memory cannot grow for the statistics.
 */
export function enableStats(maxFlows: i32, seedLo: u32, seedHi: u32): i32 {
  if (statsOn || inputSize != 0) return 0;
  const end = statsInit(inputBase + <usize>STATS_INPUT_ROOM, maxFlows, (<u64>seedHi << 32) | <u64>seedLo);
  if (end == 0) return 0;
  inputRoom = <u64>STATS_INPUT_ROOM;
  statsOn = true;
  keepRows = false;
  setVerifyChecksums(false);
  return 1;
}

/**
 * Makes the input area at least `size` bytes (keeping its content); returns its size, or
 * 0 when memory cannot grow that far (the area is left as it was). With statistics on,
 * an area that outgrows its room moves past the flow table's largest extent (inputPtr()
 * then changes).
 */
export function reserveInput(size: usize): usize {
  if (size <= inputSize) return inputSize;
  const rounded = (<u64>size + 65535) & ~(<u64>65535);
  const base: u64 = rounded > inputRoom ? <u64>statsEnd() : <u64>inputBase;
  const end = base + rounded;
  if (end > <u64>0xffff0000 || !holdUpTo(end)) return 0;
  if (base != <u64>inputBase) {
    memory.copy(<usize>base, inputBase, inputSize);
    inputBase = <usize>base;
    inputRoom = <u64>0xffffffff;
  }
  inputSize = <usize>rounded;
  return inputSize;
}
export function inputPtr(): usize { return inputBase; }
export function rows(): i32 { return rowCount; }
export function status(): i32 { return statusCode; }
export function errorAt(): i32 { return errorOffset; }

@inline function be32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}
@inline function rd16(p: usize): i32 {
  const v = load<u16>(p);
  return <i32>(le ? v : bswap<u16>(v));
}
@inline function rd32(p: usize): u32 {
  const v = load<u32>(p);
  return le ? v : bswap<u32>(v);
}

function stop(code: i32, at: i32): i32 {
  statusCode = code;
  errorOffset = at;
  return at;
}

/** Decodes the frame at the start of the input area into row 0 (for decodeFrame()). */
export function decodeFrame(caplen: i32, len: u32, link: i32): void {
  memory.fill(tableBase, 0, <usize>(NCOLS << 2));
  store<i32>(col(C_DATA, 0), <i32>inputBase);
  store<i32>(col(C_CAPLEN, 0), caplen);
  store<i32>(col(C_LEN, 0), <i32>len);
  store<i32>(col(C_LINK, 0), link);
  decodeFrameAt(inputBase, caplen, len, link, tableBase, 0, 0);
}

/** Decodes whole records of input `[start, end)`; returns the offset where it stopped. */
export function decode(start: i32, end: i32, final: i32): i32 {
  rowCount = 0;
  if (statusCode != 0) return start;
  let o = start;
  const b = inputBase;
  if (format == FORMAT_NONE) {
    if (end - o < 4) return final ? stop(S_NOT_CAPTURE, o) : o;
    const m = be32(b + <usize>o);
    if (m == F.PCAPNG_SECTION_HEADER) {
      format = FORMAT_PCAPNG;
    } else {
      if (m == F.PCAP_MAGIC_MICRO || m == F.PCAP_MAGIC_NANO) le = false;
      else if (m == F.PCAP_MAGIC_MICRO_SWAPPED || m == F.PCAP_MAGIC_NANO_SWAPPED) le = true;
      else return stop(S_NOT_CAPTURE, o);
      if (end - o < F.PCAP_HEADER_LEN) return final ? stop(S_CUT_RECORD, o) : o;
      nanos = m == F.PCAP_MAGIC_NANO || m == F.PCAP_MAGIC_NANO_SWAPPED;
      pcapLink = <i32>(rd32(b + <usize>o + 20) & F.PCAP_LINKTYPE_MASK);
      format = FORMAT_PCAP;
      o += F.PCAP_HEADER_LEN;
    }
  }
  return format == FORMAT_PCAP ? pcap(o, end, final != 0) : pcapng(o, end, final != 0);
}

@inline function col(c: i32, r: i32): usize {
  return tableBase + (<usize>(r * NCOLS + c) << 2);
}

function row(data: i32, caplen: i32, len: u32, secHi: i32, secLo: u32, nsec: i32, link: i32, iface: i32, flags: i32): void {
  const r = keepRows ? rowCount++ : 0;
  frameNo++;
  store<i32>(col(C_N, r), frameNo);
  store<i32>(col(C_DATA, r), <i32>inputBase + data);
  store<i32>(col(C_CAPLEN, r), caplen);
  store<i32>(col(C_LEN, r), <i32>len);
  store<i32>(col(C_SECHI, r), secHi);
  store<i32>(col(C_SECLO, r), <i32>secLo);
  store<i32>(col(C_NSEC, r), nsec);
  store<i32>(col(C_LINK, r), link);
  store<i32>(col(C_IFACE, r), iface);
  decodeFrameAt(inputBase + <usize>data, caplen, len, link, tableBase, r, flags);
  if (statsOn) accumulate(col(0, r));
}

function pcap(o: i32, end: i32, final: bool): i32 {
  const b = inputBase;
  while (rowCount < capacity) {
    if (o == end) return o;
    if (end - o < 16) return final ? stop(S_CUT_RECORD, o) : o;
    const p = b + <usize>o;
    const caplen = rd32(p + 8);
    if (caplen > <u32>MAX_PCAP_RECORD) return stop(S_TOO_LARGE, o);
    if (<u32>(end - o - 16) < caplen) return final ? stop(S_CUT_RECORD, o) : o;
    const frac = rd32(p + 4);
    const div: u32 = nanos ? 1000000000 : 1000000;
    const sec = <u64>rd32(p) + <u64>(frac / div);
    const nsec = (frac % div) * (nanos ? 1 : 1000);
    row(o + 16, <i32>caplen, rd32(p + 12), <i32>(sec >> 32), <u32>sec, <i32>nsec, pcapLink, -1, F_TS);
    o += 16 + <i32>caplen;
  }
  return o;
}

function pcapng(o: i32, end: i32, final: bool): i32 {
  const b = inputBase;
  while (rowCount < capacity) {
    if (o == end) return o;
    if (end - o < 12) return final ? stop(S_CUT_RECORD, o) : o;
    const p = b + <usize>o;
    const type = be32(p);
    if (type == F.PCAPNG_SECTION_HEADER) {
      const bom = be32(p + 8);
      if (bom == F.PCAPNG_BYTE_ORDER) le = false;
      else if (bom == F.PCAPNG_BYTE_ORDER_SWAPPED) le = true;
      else return stop(S_BAD_BOM, o);
      ifaceCount = 0;
    }
    const blen = rd32(p + 4);
    if (blen < 12 || blen % 4 != 0 || blen > <u32>MAX_BLOCK) return stop(S_BAD_BLOCK_LEN, o);
    if (<u32>(end - o) < blen) return final ? stop(S_CUT_RECORD, o) : o;
    if (rd32(p + <usize>blen - 4) != blen) return stop(S_TRAILER_MISMATCH, o);
    const btype = rd32(p);
    const body = p + 8;
    const bodyLen = <i32>blen - 12;
    if (btype == F.PCAPNG_INTERFACE) {
      if (bodyLen < 8) return stop(S_SHORT_BLOCK, o);
      if (ifaceCount == MAX_IFACES) return stop(S_TOO_MANY_IFACES, o);
      idb(body, bodyLen);
    } else if (btype == F.PCAPNG_ENHANCED_PACKET || btype == F.PCAPNG_PACKET) {
      if (bodyLen < 20) return stop(S_SHORT_BLOCK, o);
      const id: u32 = btype == F.PCAPNG_ENHANCED_PACKET ? rd32(body) : <u32>rd16(body);
      if (id >= <u32>ifaceCount) return stop(S_BAD_IFACE, o);
      const caplen = rd32(body + 12);
      if (caplen > <u32>(bodyLen - 20)) return stop(S_SHORT_BLOCK, o);
      packet(o + 8 + 20, <i32>caplen, rd32(body + 16), rd32(body + 4), rd32(body + 8), <i32>id);
    } else if (btype == F.PCAPNG_SIMPLE_PACKET) {
      if (bodyLen < 4) return stop(S_SHORT_BLOCK, o);
      if (ifaceCount == 0) return stop(S_BAD_IFACE, o);
      const f = ifaceBase;
      const len = rd32(body);
      let caplen = <u32>(bodyLen - 4);
      if (len < caplen) caplen = len;
      const snap = load<u32>(f, 4);
      if (snap != 0 && snap < caplen) caplen = snap;
      row(o + 12, <i32>caplen, len, 0, 0, 0, load<i32>(f), 0, F_IFACE);
    }
    o += <i32>blen;
  }
  return o;
}

function idb(body: usize, bodyLen: i32): void {
  const f = ifaceBase + <usize>(ifaceCount * IFACE_SIZE);
  ifaceCount++;
  store<i32>(f, rd16(body));
  store<u32>(f, rd32(body + 4), 4);
  store<i32>(f, 6, 8);
  store<i32>(f, 0, 12);
  store<i64>(f, 0, 16);
  let q = body + 8;
  const end = body + <usize>bodyLen;
  while (q + 4 <= end) {
    const code = rd16(q);
    const len = rd16(q + 2);
    if (code == F.PCAPNG_OPT_END || q + 4 + <usize>len > end) break;
    if (code == F.PCAPNG_IF_TSRESOL && len == 1) {
      const v = <i32>load<u8>(q + 4);
      store<i32>(f, (v & 0x80) != 0 ? 1 : 0, 12);
      store<i32>(f, v & 0x7f, 8);
    } else if (code == F.PCAPNG_IF_TSOFFSET && len == 8) {
      const hi = rd32(q + (le ? 8 : 4));
      const lo = rd32(q + (le ? 4 : 8));
      store<i64>(f, <i64>((<u64>hi << 32) | <u64>lo), 16);
    }
    q += 4 + <usize>((len + 3) & ~3);
  }
}

function pow10(n: i32): u64 {
  let v: u64 = 1;
  for (let i = 0; i < n; i++) v *= 10;
  return v;
}

function packet(data: i32, caplen: i32, len: u32, hi: u32, lo: u32, id: i32): void {
  const f = ifaceBase + <usize>(id * IFACE_SIZE);
  const link = load<i32>(f);
  const res = load<i32>(f, 8);
  const binary = load<i32>(f, 12) != 0;
  const offset = load<i64>(f, 16);
  const ts = (<u64>hi << 32) | <u64>lo;
  let sec: u64;
  let nsec: u64;
  if (binary) {
    const r = res > 63 ? 63 : res;
    sec = ts >> <u64>r;
    let frac = ts & ((<u64>1 << <u64>r) - 1);
    let shift = r;
    if (shift > 34) {
      frac >>= <u64>(shift - 34);
      shift = 34;
    }
    nsec = (frac * 1000000000) >> <u64>shift;
  } else {
    if (res > 19) {
      row(data, caplen, len, 0, 0, 0, link, id, F_IFACE);
      return;
    }
    const div = pow10(res);
    sec = ts / div;
    const frac = ts % div;
    nsec = res <= 9 ? frac * pow10(9 - res) : frac / pow10(res - 9);
  }
  sec = sec + <u64>offset;
  row(data, caplen, len, <i32>(sec >> 32), <u32>sec, <i32>nsec, link, id, F_TS | F_IFACE);
}
