/**
 * Capture statistics accumulated while decoding (`anynet pcap stats` with the
 * WebAssembly engine): the same counts as src/packet/capture_stats.ts computes from the
 * table in TypeScript, without leaving WebAssembly per packet.
 *
 * Counters live in static memory; the flow table (open addressing, 64-byte entries:
 * 38-byte key, padding, packets u64, bytes u64) lives after the input area and moves
 * when the input area grows.
 */
import {
  C_CAPLEN, C_DATA, C_L3OFF, C_L4OFF, C_LEN, C_NSEC, C_PROTO, C_SECHI, C_SECLO, C_VLANS, F_ARP, F_DNS, F_ERROR,
  F_ETH, F_HTTP, F_ICMP, F_ICMP6, F_IP4, F_IP6, F_TCP, F_TLS, F_TS, F_UDP,
} from "./layout";

const ENTRY: usize = 64;
const KEY: i32 = 38;

// packets, bytes, captured, errors, 12 protocol counters (u64 each), then
// firstSec i64, firstNsec i64, lastSec i64, lastNsec i64, hasTs i64.
const counters = memory.data(8 * 21, 16);
const key = memory.data(64, 16);

let flowBase: usize = 0;
let flowCap: i32 = 0;
let flowCount: i32 = 0;

export function statsPtr(): usize { return counters; }
export function flowPtr(): usize { return flowBase; }
export function flowCapacity(): i32 { return flowCap; }
export function flowSize(): i32 { return flowCount; }

/** Bytes the flow table needs at its current capacity. */
export function flowBytes(): usize { return <usize>flowCap * ENTRY; }

/** Places an empty flow table at `base` (called once when statistics are wanted). */
export function statsInit(base: usize): void {
  memory.fill(counters, 0, 8 * 21);
  store<i64>(counters + 8 * 16, i64.MAX_VALUE);
  store<i64>(counters + 8 * 18, i64.MIN_VALUE);
  flowBase = base;
  flowCap = 1024;
  flowCount = 0;
  ensureMemory(flowBase + flowBytes());
  memory.fill(flowBase, 0, flowBytes());
}

/** Moves the flow table to `base` (the input area before it grew). */
export function statsMove(base: usize): void {
  if (flowCap == 0) return;
  ensureMemory(base + flowBytes());
  memory.copy(base, flowBase, flowBytes());
  flowBase = base;
}

function ensureMemory(end: usize): void {
  const pages = <i32>((end + 65535) >> 16);
  const have = memory.size();
  if (pages > have) memory.grow(pages - have);
}

@inline function cnt(i: i32): usize { return counters + (<usize>i << 3); }
@inline function bump(i: i32, v: u64): void { store<u64>(cnt(i), load<u64>(cnt(i)) + v); }

function hashKey(k: usize): u32 {
  // Multiply-xor over the key as five 64-bit words (the last one 6 bytes, padded with zero).
  const m: u64 = 0x9e3779b97f4a7c15;
  let h: u64 = load<u64>(k) * m;
  h = (h ^ (h >> 29) ^ load<u64>(k, 8)) * m;
  h = (h ^ (h >> 29) ^ load<u64>(k, 16)) * m;
  h = (h ^ (h >> 29) ^ load<u64>(k, 24)) * m;
  h = (h ^ (h >> 29) ^ (<u64>load<u32>(k, 32) | (<u64>load<u16>(k, 36) << 32))) * m;
  return <u32>(h ^ (h >> 32));
}

function sameKey(a: usize, b: usize): bool {
  // 38 bytes: four u64 compares, then u32 and u16.
  return load<u64>(a) == load<u64>(b) && load<u64>(a, 8) == load<u64>(b, 8) && load<u64>(a, 16) == load<u64>(b, 16) &&
    load<u64>(a, 24) == load<u64>(b, 24) && load<u32>(a, 32) == load<u32>(b, 32) && load<u16>(a, 36) == load<u16>(b, 36);
}

function slot(k: usize, base: usize, cap: i32): usize {
  const mask = cap - 1;
  let s = <i32>hashKey(k) & mask;
  while (true) {
    const e = base + <usize>s * ENTRY;
    if (load<u8>(e) == 0 || sameKey(e, k)) return e;
    s = (s + 1) & mask;
  }
}

function growFlows(): void {
  // The new table goes right after the old one, then is copied down over it.
  const oldBase = flowBase, oldCap = flowCap;
  const newCap = oldCap * 2;
  const newBase = oldBase + <usize>oldCap * ENTRY;
  ensureMemory(newBase + <usize>newCap * ENTRY);
  memory.fill(newBase, 0, <usize>newCap * ENTRY);
  for (let s = 0; s < oldCap; s++) {
    const e = oldBase + <usize>s * ENTRY;
    if (load<u8>(e) == 0) continue;
    memory.copy(slot(e, newBase, newCap), e, ENTRY);
  }
  memory.copy(oldBase, newBase, <usize>newCap * ENTRY);
  flowCap = newCap;
}

/** Adds the decoded row at `row` (its first column) to the statistics. */
export function accumulate(row: usize): void {
  const f = load<i32>(row);
  const len = <u64>load<u32>(row + (<usize>C_LEN << 2));
  bump(0, 1);
  bump(1, len);
  bump(2, <u64>load<u32>(row + (<usize>C_CAPLEN << 2)));
  if (f & F_TS) {
    const sec = (<i64>load<i32>(row + (<usize>C_SECHI << 2)) << 32) | <i64>load<u32>(row + (<usize>C_SECLO << 2));
    const nsec = <i64>load<i32>(row + (<usize>C_NSEC << 2));
    const fs = load<i64>(cnt(16)), fn = load<i64>(cnt(17));
    if (sec < fs || (sec == fs && nsec < fn)) { store<i64>(cnt(16), sec); store<i64>(cnt(17), nsec); }
    const ls = load<i64>(cnt(18)), ln = load<i64>(cnt(19));
    if (sec > ls || (sec == ls && nsec > ln)) { store<i64>(cnt(18), sec); store<i64>(cnt(19), nsec); }
    store<i64>(cnt(20), 1);
  }
  if (f & F_ERROR) bump(3, 1);
  if (f & F_ETH) {
    bump(4, 1);
    if (load<i32>(row + (<usize>C_VLANS << 2)) > 0) bump(5, 1);
  }
  if (f & F_ARP) bump(6, 1);
  if (f & F_TCP) bump(9, 1);
  else if (f & F_UDP) bump(10, 1);
  else if (f & F_ICMP) bump(11, 1);
  else if (f & F_ICMP6) bump(12, 1);
  if (f & F_DNS) bump(13, 1);
  if (f & F_TLS) bump(14, 1);
  if (f & F_HTTP) bump(15, 1);
  if ((f & (F_IP4 | F_IP6)) == 0) return;
  const p = <usize>load<i32>(row + (<usize>C_DATA << 2));
  const l3 = p + <usize>load<i32>(row + (<usize>C_L3OFF << 2));
  // key: version, protocol, lower end (address 16, port 2), other end (address 16, port 2).
  store<u64>(key, 0);
  store<u64>(key, 0, 8);
  store<u64>(key, 0, 16);
  store<u64>(key, 0, 24);
  store<u64>(key, 0, 32);
  store<u8>(key, <u8>load<i32>(row + (<usize>C_PROTO << 2)), 1);
  let sp: i32 = 0, dp: i32 = 0;
  if (f & (F_TCP | F_UDP)) {
    const l4 = p + <usize>load<i32>(row + (<usize>C_L4OFF << 2));
    sp = <i32>bswap<u16>(load<u16>(l4));
    dp = <i32>bswap<u16>(load<u16>(l4, 2));
  }
  // The lower (address, port) end first, so both directions are one flow.
  if (f & F_IP4) {
    bump(7, 1);
    store<u8>(key, 4);
    let a = load<u32>(l3, 12), b = load<u32>(l3, 16);
    const x = bswap<u32>(a), y = bswap<u32>(b);
    if (x > y || (x == y && sp > dp)) {
      const t = a; a = b; b = t;
      const u = sp; sp = dp; dp = u;
    }
    store<u32>(key, a, 2);
    store<u32>(key, b, 20);
  } else {
    bump(8, 1);
    store<u8>(key, 6);
    let a0 = load<u64>(l3, 8), a1 = load<u64>(l3, 16), b0 = load<u64>(l3, 24), b1 = load<u64>(l3, 32);
    const x0 = bswap<u64>(a0), y0 = bswap<u64>(b0), x1 = bswap<u64>(a1), y1 = bswap<u64>(b1);
    if (x0 > y0 || (x0 == y0 && (x1 > y1 || (x1 == y1 && sp > dp)))) {
      let t = a0; a0 = b0; b0 = t;
      t = a1; a1 = b1; b1 = t;
      const u = sp; sp = dp; dp = u;
    }
    store<u64>(key, a0, 2);
    store<u64>(key, a1, 10);
    store<u64>(key, b0, 20);
    store<u64>(key, b1, 28);
  }
  store<u16>(key, bswap<u16>(<u16>sp), 18);
  store<u16>(key, bswap<u16>(<u16>dp), 36);
  let e = slot(key, flowBase, flowCap);
  if (load<u8>(e) == 0) {
    if ((flowCount + 1) * 2 > flowCap) {
      growFlows();
      e = slot(key, flowBase, flowCap);
    }
    memory.copy(e, key, 40);
    flowCount++;
  }
  store<u64>(e, load<u64>(e, 40) + 1, 40);
  store<u64>(e, load<u64>(e, 48) + len, 48);
}
