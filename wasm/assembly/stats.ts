/**
 * Capture statistics accumulated while decoding (`anynet pcap stats` with the
 * WebAssembly engine): the AssemblyScript twin of src/packet/_ts_stats.ts, counting the
 * same rows into the same counters (ST_* in layout.ts) without leaving WebAssembly per
 * packet; src/packet/_wasm_stats.ts reads them back.
 *
 * Memory, placed once by statsInit() after the input area's room (see capture.ts):
 * [HyperLogLog][count-min sketch][eviction scratch][flow table → grows at the end]. The
 * flow table (open addressing, linear probing, FLOW_ENTRY-byte entries at the FLOW_*
 * offsets of layout.ts: the key, a pad byte, a "placed" mark used while rehashing, packets
 * u64, bytes u64, a "whole" flag: the flow was never evicted before it entered the table)
 * starts at 1024 slots and doubles in place up to twice the flow bound; when it holds the
 * bound and a new flow arrives, the lower-ranked half is evicted into the counters (see
 * evictHalf). Memory grows with the table, not for its largest size up front: V8 counts
 * a WebAssembly memory's size as memory the program holds, and the default bound's 128
 * MiB, taken at the start, made it run two full garbage collections on every capture
 * (about 17 ms of a small capture's 190 on Node). Should memory not grow when the table
 * doubles, the table keeps its size and its bound becomes the flows it holds: evictions
 * then start sooner, flowBound() tells, and the output says so.
 */
import {
  C_CAPLEN, C_DATA, C_L3OFF, C_L4OFF, C_LEN, C_NSEC, C_PROTO, C_SECHI, C_SECLO, C_VLANS, CMS_BITS, CMS_ROWS, F_ARP,
  F_DNS, F_ERROR, F_ETH, F_HTTP, F_ICMP, F_ICMP6, F_IP4, F_IP6, F_TCP, F_TLS, F_TS, F_UDP, FLOW_BYTES, FLOW_ENTRY,
  FLOW_PACKETS,
  FLOW_PLACED, FLOW_WHOLE, HLL_BITS, MAX_FLOWS, SEED_CMS_HIGH, SEED_CMS_LOW, SEED_HLL_INDEX, SEED_HLL_RANK, ST_ARP,
  ST_BYTES, ST_CAPTURED, ST_COUNT, ST_DNS, ST_ERRORS, ST_ETHERNET, ST_EVICTED_BYTES, ST_EVICTED_FLOWS,
  ST_EVICTED_PACKETS, ST_EVICTIONS, ST_FIRST_NSEC, ST_FIRST_SEC, ST_HAS_TS, ST_HTTP, ST_ICMP, ST_ICMP6, ST_IPV4,
  ST_IPV6, ST_LAST_NSEC, ST_LAST_SEC, ST_PACKETS, ST_TCP, ST_TLS, ST_UDP, ST_VLAN, STATS_FIRST_SLOTS,
} from "./layout";
import { holdUpTo } from "./grow";

const ENTRY: usize = <usize>FLOW_ENTRY;
const SELECT_ROUNDS: i32 = 6;

// The counters, u64 (i64 for the timestamps) at the ST_* indices.
const counters = memory.data(8 * ST_COUNT, 16);
// One entry being moved while rehashing, and the one it displaces.
const carry = memory.data(64, 16);
const spare = memory.data(64, 16);

let tableSeed: u64 = 0;
let flowBase: usize = 0;
let flowEnd: usize = 0;
let orderBase: usize = 0;
let hllBase: usize = 0;
let cmsBase: usize = 0;
let flowCap: i32 = 0;
let slotLimit: i32 = 0;
let flowLimit: i32 = 0;
let flowCount: i32 = 0;

export function statsPtr(): usize { return counters; }
export function flowPtr(): usize { return flowBase; }
export function flowCapacity(): i32 { return flowCap; }
/** The most flows the table holds: the bound asked for, or fewer once memory ran out. */
export function flowBound(): i32 { return flowLimit; }
export function hllPtr(): usize { return hllBase; }
export function cmsPtr(): usize { return cmsBase; }
/** The first byte after the flow table at its largest: what nothing else may use. */
export function statsEnd(): usize { return flowEnd; }

@inline function align16(p: u64): u64 { return (p + 15) & ~(<u64>15); }

// An entry moved with four SIMD loads and stores: memory.copy is a call in V8.
@inline function copyEntry(to: usize, from: usize): void {
  const a = v128.load(from), b = v128.load(from, 16), c = v128.load(from, 32), d = v128.load(from, 48);
  v128.store(to, a);
  v128.store(to, b, 16);
  v128.store(to, c, 32);
  v128.store(to, d, 48);
}

/**
 * Places empty statistics at `base` for a table of at most `maxFlows` flows, growing
 * memory for the sketches, the eviction scratch and the table's first size (the table
 * takes more as it doubles), with the table hash keyed by `seed` (random per capture).
 * Returns the first byte after the table at its largest (statsEnd()), or 0 when
 * `maxFlows` is out of range or memory cannot grow for the start (the caller reports it).
 */
export function statsInit(base: usize, maxFlows: i32, seed: u64): usize {
  if (maxFlows < 1 || maxFlows > MAX_FLOWS) return 0;
  let slots: i32 = 2;
  while (slots < maxFlows * 2) slots <<= 1;
  const firstCap = slots < STATS_FIRST_SLOTS ? slots : STATS_FIRST_SLOTS;
  // In 64 bits: the sizes must be checked before they can wrap around 4 GiB.
  const hllAt = align16(<u64>base);
  const cmsAt = hllAt + (<u64>1 << <u64>HLL_BITS);
  const orderAt = align16(cmsAt + ((<u64>CMS_ROWS << <u64>CMS_BITS) << 3));
  const flowAt = align16(orderAt + (<u64>maxFlows << 2));
  const largest = align16(flowAt + <u64>slots * <u64>ENTRY);
  if (largest > <u64>0xffff0000) return 0;
  const had = <u64>memory.size() << 16;
  if (!holdUpTo(flowAt + <u64>firstCap * <u64>ENTRY)) return 0;
  // Pages that memory.grow adds are zero; clear what was there before, as far as the
  // table may ever reach.
  if (had > <u64>base) memory.fill(base, 0, <usize>((had < largest ? had : largest) - <u64>base));
  memory.fill(counters, 0, 8 * ST_COUNT);
  store<i64>(cnt(ST_FIRST_SEC), i64.MAX_VALUE);
  store<i64>(cnt(ST_LAST_SEC), i64.MIN_VALUE);
  tableSeed = seed;
  flowBase = <usize>flowAt;
  flowEnd = <usize>largest;
  orderBase = <usize>orderAt;
  hllBase = <usize>hllAt;
  cmsBase = <usize>cmsAt;
  slotLimit = slots;
  flowLimit = maxFlows;
  flowCap = firstCap;
  flowCount = 0;
  return <usize>largest;
}

@inline function cnt(i: i32): usize { return counters + (<usize>i << 3); }
@inline function bump(i: i32, v: u64): void { store<u64>(cnt(i), load<u64>(cnt(i)) + v); }

// The last key word holds bytes 32 to 37; the two above them are no part of the key.
const LAST_WORD: u64 = 0xffffffffffff;

@inline function hashWords(w0: u64, w1: u64, w2: u64, w3: u64, w4: u64): u32 {
  // Multiply-xor over the key as five 64-bit words (the last one 6 bytes, padded with zero),
  // keyed by a random seed: unkeyed, a capture can be made of flows that all land in one
  // probe run (the multiplications invert), and each insertion then walks all of them.
  const m: u64 = 0x9e3779b97f4a7c15;
  let h: u64 = (w0 ^ tableSeed) * m;
  h = (h ^ (h >> 29) ^ w1) * m;
  h = (h ^ (h >> 29) ^ w2) * m;
  h = (h ^ (h >> 29) ^ w3) * m;
  h = (h ^ (h >> 29) ^ w4) * m;
  return <u32>(h ^ (h >> 32));
}

function hashKey(k: usize): u32 {
  return hashWords(load<u64>(k), load<u64>(k, 8), load<u64>(k, 16), load<u64>(k, 24), load<u64>(k, 32) & LAST_WORD);
}

/** The slot that holds the key `w0`…`w4` (see accumulate), or the empty one where it goes. */
function slotOf(w0: u64, w1: u64, w2: u64, w3: u64, w4: u64): usize {
  const mask = flowCap - 1;
  let s = <i32>hashWords(w0, w1, w2, w3, w4) & mask;
  while (true) {
    const e = flowBase + <usize>s * ENTRY;
    if (load<u8>(e) == 0) return e;
    if (
      load<u64>(e) == w0 && load<u64>(e, 8) == w1 && load<u64>(e, 16) == w2 && load<u64>(e, 24) == w3 &&
      (load<u64>(e, 32) & LAST_WORD) == w4
    ) return e;
    s = (s + 1) & mask;
  }
}

/**
 * Re-places every entry for a table of `newCap` slots, in place (the slots past the old
 * capacity are still zero: the table never shrinks). Each unplaced entry is taken out and
 * put at the first slot of its probe sequence that is free or holds an unplaced entry,
 * which is then carried on the same way; placed entries never move again, so every probe
 * sequence stays unbroken. Used to double the table and to close the holes evictions leave.
 */
function rehash(newCap: i32): void {
  const oldCap = flowCap;
  flowCap = newCap;
  const mask = newCap - 1;
  for (let s = 0; s < oldCap; s++) {
    const e = flowBase + <usize>s * ENTRY;
    if (load<u8>(e) == 0 || load<u8>(e, FLOW_PLACED) != 0) continue;
    copyEntry(carry, e);
    store<u8>(e, 0);
    let t = <i32>hashKey(carry) & mask;
    while (true) {
      const f = flowBase + <usize>t * ENTRY;
      if (load<u8>(f) == 0) {
        copyEntry(f, carry);
        store<u8>(f, 1, FLOW_PLACED);
        break;
      }
      if (load<u8>(f, FLOW_PLACED) == 0) {
        copyEntry(spare, f);
        copyEntry(f, carry);
        store<u8>(f, 1, FLOW_PLACED);
        copyEntry(carry, spare);
        t = <i32>hashKey(carry) & mask;
        continue;
      }
      t = (t + 1) & mask;
    }
  }
  for (let s = 0; s < newCap; s++) store<u8>(flowBase + <usize>s * ENTRY, 0, FLOW_PLACED);
}

// Rank: more bytes, then more packets, then the lower key first (the order of the top
// list). An entry "ranks below" another when it comes later in that order.
@inline function entryAt(i: i32): usize { return flowBase + <usize>load<u32>(orderBase + (<usize>i << 2)) * ENTRY; }

function ranksBelow(a: usize, b: usize): bool {
  const ba = load<u64>(a, FLOW_BYTES), bb = load<u64>(b, FLOW_BYTES);
  if (ba != bb) return ba < bb;
  const pa = load<u64>(a, FLOW_PACKETS), pb = load<u64>(b, FLOW_PACKETS);
  if (pa != pb) return pa < pb;
  for (let w: usize = 0; w < 40; w += 8) {
    const x = bswap<u64>(load<u64>(a + w)), y = bswap<u64>(load<u64>(b + w));
    if (x != y) return x > y;
  }
  return false;
}

@inline function swapOrder(i: i32, j: i32): void {
  const pi = orderBase + (<usize>i << 2), pj = orderBase + (<usize>j << 2);
  const t = load<u32>(pi);
  store<u32>(pi, load<u32>(pj));
  store<u32>(pj, t);
}

/** Sifts order[i] down a heap over order[lo, lo + n) whose root ranks highest. */
function siftDown(lo: i32, n: i32, i: i32): void {
  while (true) {
    const l = 2 * i + 1;
    if (l >= n) return;
    let c = l;
    if (l + 1 < n && ranksBelow(entryAt(lo + l), entryAt(lo + l + 1))) c = l + 1;
    if (!ranksBelow(entryAt(lo + i), entryAt(lo + c))) return;
    swapOrder(lo + i, lo + c);
    i = c;
  }
}

/**
 * Reorders order[0, n) so that its first `k` slots name the k lowest-ranked entries (the
 * keys are distinct, so the order is total). A few rounds of quickselect (median-of-three
 * pivots) narrow the range, typically to a few percent of it, and a heap select finishes:
 * about 2n comparisons on ordinary input, O(n log n) at worst whatever a crafted capture
 * does to the pivots. Every large eviction takes both paths.
 */
function selectLowest(n: i32, k: i32): void {
  let lo = 0, hi = n - 1;
  const target = k - 1;
  let rounds = SELECT_ROUNDS;
  while (lo < hi) {
    if (rounds-- == 0) {
      const m = target - lo + 1;
      for (let i = (m >> 1) - 1; i >= 0; i--) siftDown(lo, m, i);
      for (let i = lo + m; i <= hi; i++) {
        if (ranksBelow(entryAt(i), entryAt(lo))) {
          swapOrder(i, lo);
          siftDown(lo, m, 0);
        }
      }
      return;
    }
    const mid = lo + ((hi - lo) >> 1);
    if (ranksBelow(entryAt(mid), entryAt(lo))) swapOrder(mid, lo);
    if (ranksBelow(entryAt(hi), entryAt(lo))) swapOrder(hi, lo);
    if (ranksBelow(entryAt(hi), entryAt(mid))) swapOrder(hi, mid);
    swapOrder(mid, hi);
    const pivot = entryAt(hi);
    let p = lo;
    for (let i = lo; i < hi; i++) {
      if (ranksBelow(entryAt(i), pivot)) {
        swapOrder(i, p);
        p++;
      }
    }
    swapOrder(p, hi);
    if (p == target) return;
    if (p < target) lo = p + 1;
    else hi = p - 1;
  }
}

// The sketches' hash: MurmurHash3 (x86, 32-bit) over the 38-byte key as nine
// little-endian words and a two-byte tail; src/packet/_flow_sketch.ts computes the same.
@inline function mixWord(h: u32, w: u32): u32 {
  w *= 0xcc9e2d51;
  w = rotl<u32>(w, 15);
  w *= 0x1b873593;
  h ^= w;
  h = rotl<u32>(h, 13);
  return h * 5 + 0xe6546b64;
}

function sketchHash(k: usize, seed: u32): u32 {
  let h = seed;
  for (let w: usize = 0; w < 36; w += 4) h = mixWord(h, load<u32>(k + w));
  h = mixWord(h, <u32>load<u16>(k, 36));
  h ^= 38;
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  return h ^ (h >> 16);
}

function hllAdd(k: usize): void {
  const r = hllBase + <usize>(sketchHash(k, SEED_HLL_INDEX) >> (32 - HLL_BITS));
  const rank = <u8>(clz<u32>(sketchHash(k, SEED_HLL_RANK)) + 1);
  if (rank > load<u8>(r)) store<u8>(r, rank);
}

@inline function cmsCell(row: i32, col: u32): usize {
  return cmsBase + ((<usize>(row << CMS_BITS) + <usize>col) << 3);
}

/** The most the key can have lost to evictions: the smallest of its cells. */
function cmsBound(k: usize): u64 {
  const mask: u32 = (1 << CMS_BITS) - 1;
  const a = sketchHash(k, SEED_CMS_LOW), b = sketchHash(k, SEED_CMS_HIGH);
  const x = min<u64>(load<u64>(cmsCell(0, a & mask)), load<u64>(cmsCell(1, a >> 16)));
  return min<u64>(x, min<u64>(load<u64>(cmsCell(2, b & mask)), load<u64>(cmsCell(3, b >> 16))));
}

function cmsAdd(k: usize, weight: u64): void {
  const mask: u32 = (1 << CMS_BITS) - 1;
  const a = sketchHash(k, SEED_CMS_LOW), b = sketchHash(k, SEED_CMS_HIGH);
  const c0 = cmsCell(0, a & mask), c1 = cmsCell(1, a >> 16), c2 = cmsCell(2, b & mask), c3 = cmsCell(3, b >> 16);
  store<u64>(c0, load<u64>(c0) + weight);
  store<u64>(c1, load<u64>(c1) + weight);
  store<u64>(c2, load<u64>(c2) + weight);
  store<u64>(c3, load<u64>(c3) + weight);
}

/**
 * The table holds its bound and a new flow arrived: the lower-ranked half (rounded up)
 * leaves the table. Their packets and bytes go to the eviction counters, and their
 * packets plus bytes to the count-min sketch, which later bounds what any one key lost.
 */
function evictHalf(): void {
  let n = 0;
  for (let s = 0; s < flowCap; s++) {
    if (load<u8>(flowBase + <usize>s * ENTRY) == 0) continue;
    store<u32>(orderBase + (<usize>n << 2), <u32>s);
    n++;
  }
  const k = n - (n >> 1);
  selectLowest(n, k);
  for (let i = 0; i < k; i++) {
    const e = entryAt(i);
    const packets = load<u64>(e, FLOW_PACKETS), bytes = load<u64>(e, FLOW_BYTES);
    bump(ST_EVICTED_FLOWS, 1);
    bump(ST_EVICTED_PACKETS, packets);
    bump(ST_EVICTED_BYTES, bytes);
    cmsAdd(e, packets + bytes);
    store<u8>(e, 0);
  }
  bump(ST_EVICTIONS, 1);
  flowCount = n - k;
  rehash(flowCap);
}

/** Adds the decoded row at `row` (its first column) to the statistics. */
export function accumulate(row: usize): void {
  const f = load<i32>(row);
  const len = <u64>load<u32>(row + (<usize>C_LEN << 2));
  bump(ST_PACKETS, 1);
  bump(ST_BYTES, len);
  bump(ST_CAPTURED, <u64>load<u32>(row + (<usize>C_CAPLEN << 2)));
  if (f & F_TS) {
    const sec = (<i64>load<i32>(row + (<usize>C_SECHI << 2)) << 32) | <i64>load<u32>(row + (<usize>C_SECLO << 2));
    const nsec = <i64>load<i32>(row + (<usize>C_NSEC << 2));
    const fs = load<i64>(cnt(ST_FIRST_SEC)), fn = load<i64>(cnt(ST_FIRST_NSEC));
    if (sec < fs || (sec == fs && nsec < fn)) { store<i64>(cnt(ST_FIRST_SEC), sec); store<i64>(cnt(ST_FIRST_NSEC), nsec); }
    const ls = load<i64>(cnt(ST_LAST_SEC)), ln = load<i64>(cnt(ST_LAST_NSEC));
    if (sec > ls || (sec == ls && nsec > ln)) { store<i64>(cnt(ST_LAST_SEC), sec); store<i64>(cnt(ST_LAST_NSEC), nsec); }
    store<i64>(cnt(ST_HAS_TS), 1);
  }
  if (f & F_ERROR) bump(ST_ERRORS, 1);
  if (f & F_ETH) {
    bump(ST_ETHERNET, 1);
    if (load<i32>(row + (<usize>C_VLANS << 2)) > 0) bump(ST_VLAN, 1);
  }
  if (f & F_ARP) bump(ST_ARP, 1);
  if (f & F_TCP) bump(ST_TCP, 1);
  else if (f & F_UDP) bump(ST_UDP, 1);
  else if (f & F_ICMP) bump(ST_ICMP, 1);
  else if (f & F_ICMP6) bump(ST_ICMP6, 1);
  if (f & F_DNS) bump(ST_DNS, 1);
  if (f & F_TLS) bump(ST_TLS, 1);
  if (f & F_HTTP) bump(ST_HTTP, 1);
  if ((f & (F_IP4 | F_IP6)) == 0) return;
  const p = <usize>load<i32>(row + (<usize>C_DATA << 2));
  const l3 = p + <usize>load<i32>(row + (<usize>C_L3OFF << 2));
  const proto = <u64>(load<i32>(row + (<usize>C_PROTO << 2)) & 0xff);
  let sp: i32 = 0, dp: i32 = 0;
  if (f & (F_TCP | F_UDP)) {
    const l4 = p + <usize>load<i32>(row + (<usize>C_L4OFF << 2));
    sp = <i32>bswap<u16>(load<u16>(l4));
    dp = <i32>bswap<u16>(load<u16>(l4, 2));
  }
  // The key (version, protocol, lower end: address 16, port 2, other end: address 16, port 2)
  // is put together in five 64-bit words in registers, the bytes of memory it occupies
  // in little-endian order: hashed and compared from there, it is written to memory only
  // for a new flow. Built in memory with stores of 1, 2 and 4 bytes, every 8-byte load
  // of it waited for those stores to drain (no store-to-load forwarding across them).
  let w0: u64, w1: u64, w2: u64, w3: u64, w4: u64;
  // The lower (address, port) end first, so both directions are one flow.
  if (f & F_IP4) {
    bump(ST_IPV4, 1);
    let a = load<u32>(l3, 12), b = load<u32>(l3, 16);
    const x = bswap<u32>(a), y = bswap<u32>(b);
    if (x > y || (x == y && sp > dp)) {
      const t = a; a = b; b = t;
      const u = sp; sp = dp; dp = u;
    }
    w0 = 4 | (proto << 8) | (<u64>a << 16);
    w1 = 0;
    w2 = (<u64>bswap<u16>(<u16>sp) << 16) | (<u64>b << 32);
    w3 = 0;
    w4 = <u64>bswap<u16>(<u16>dp) << 32;
  } else {
    bump(ST_IPV6, 1);
    let a0 = load<u64>(l3, 8), a1 = load<u64>(l3, 16), b0 = load<u64>(l3, 24), b1 = load<u64>(l3, 32);
    const x0 = bswap<u64>(a0), y0 = bswap<u64>(b0), x1 = bswap<u64>(a1), y1 = bswap<u64>(b1);
    if (x0 > y0 || (x0 == y0 && (x1 > y1 || (x1 == y1 && sp > dp)))) {
      let t = a0; a0 = b0; b0 = t;
      t = a1; a1 = b1; b1 = t;
      const u = sp; sp = dp; dp = u;
    }
    w0 = 6 | (proto << 8) | (a0 << 16);
    w1 = (a0 >> 48) | (a1 << 16);
    w2 = (a1 >> 48) | (<u64>bswap<u16>(<u16>sp) << 16) | (b0 << 32);
    w3 = (b0 >> 32) | (b1 << 32);
    w4 = (b1 >> 32) | (<u64>bswap<u16>(<u16>dp) << 32);
  }
  let e = slotOf(w0, w1, w2, w3, w4);
  if (load<u8>(e) != 0) {
    store<u64>(e, load<u64>(e, FLOW_PACKETS) + 1, FLOW_PACKETS);
    store<u64>(e, load<u64>(e, FLOW_BYTES) + len, FLOW_BYTES);
    return;
  }
  if (flowCount == flowLimit) {
    evictHalf();
    e = slotOf(w0, w1, w2, w3, w4);
  } else if ((flowCount + 1) * 2 > flowCap && flowCap < slotLimit) {
    if (holdUpTo(<u64>flowBase + (<u64>flowCap << 1) * <u64>ENTRY)) {
      rehash(flowCap * 2);
    } else {
      // No memory for a larger table: it keeps its size, and holds no more than it does now.
      slotLimit = flowCap;
      flowLimit = flowCount;
      evictHalf();
    }
    e = slotOf(w0, w1, w2, w3, w4);
  }
  // Bytes 38 and 39 (the pad and the "placed" mark) are zero in w4.
  store<u64>(e, w0);
  store<u64>(e, w1, 8);
  store<u64>(e, w2, 16);
  store<u64>(e, w3, 24);
  store<u64>(e, w4, 32);
  store<u64>(e, 1, FLOW_PACKETS);
  store<u64>(e, len, FLOW_BYTES);
  // A key the sketch has nothing for was never evicted: while it stays, its counts are whole.
  store<u8>(e, load<u64>(cnt(ST_EVICTIONS)) == 0 || cmsBound(e) == 0 ? 1 : 0, FLOW_WHOLE);
  flowCount++;
  hllAdd(e);
}
