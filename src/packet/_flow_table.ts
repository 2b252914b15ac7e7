/**
 * The TypeScript engine's flow table for `captureStats()`: the twin of the one in
 * wasm/assembly/stats.ts, holding the same flows after the same evictions.
 *
 * Open addressing with linear probing on typed arrays (no object per packet), at most
 * half full. It holds at most `maxFlows` flows: when it is full and a new flow arrives,
 * the lower-ranked half (rank: bytes, then packets, then the lower key first) is evicted.
 * Their packets and bytes go to the eviction counters and to a count-min sketch; every
 * key that enters the table goes to a HyperLogLog (src/packet/_flow_sketch.ts), and is
 * marked whole when the count-min sketch proves it was never evicted before.
 *
 * @module
 */
import { cmsAdd, cmsBound, hllAdd, newCms, newHll } from "./_flow_sketch.ts";
import { FLOW_KEY_BYTES as KEY } from "./_layout.ts";

/** Receives one flow of a table: its key at `keys[offset, offset + 38)`, its counts, and
 * whether they are whole (the flow was never evicted before it entered the table). */
export type FlowVisitor = (keys: Uint8Array, offset: number, packets: number, bytes: number, whole: boolean) => void;

const FIRST_SLOTS = 4096;
const SELECT_ROUNDS = 6;
// Slot states: free, holding a flow, holding a flow already re-placed by rehash().
const FREE = 0, USED = 1, PLACED = 2;

/** A bounded table of flows with their packet and byte counts. */
export class FlowTable {
  /** Flows in the table now. */
  size = 0;
  /** Times the table was full and evicted half of its flows. */
  evictions = 0;
  evictedFlows = 0;
  evictedPackets = 0;
  evictedBytes = 0;
  /** The key of the packet to count, filled by the caller before `add()`. */
  readonly key: Uint8Array = new Uint8Array(KEY);
  readonly hll: Uint8Array = newHll();
  readonly cms: Float64Array = newCms();
  readonly maxFlows: number;
  private readonly slotLimit: number;
  private cap: number;
  private keys: Uint8Array;
  private state: Uint8Array;
  private packets: Float64Array;
  private bytes: Float64Array;
  private whole: Uint8Array;
  private order: Uint32Array | undefined;
  // The entry being re-placed by rehash() and the one it displaces.
  private readonly carryKey = new Uint8Array(KEY);
  private readonly spareKey = new Uint8Array(KEY);

  private readonly seed: number;

  /** A table of at most `maxFlows` flows whose hash is keyed by `seed` (random per capture). */
  constructor(maxFlows: number, seed: number) {
    this.maxFlows = maxFlows;
    this.seed = seed;
    let slots = 2;
    while (slots < maxFlows * 2) slots *= 2;
    this.slotLimit = slots;
    this.cap = Math.min(FIRST_SLOTS, slots);
    this.keys = new Uint8Array(this.cap * KEY);
    this.state = new Uint8Array(this.cap);
    this.packets = new Float64Array(this.cap);
    this.bytes = new Float64Array(this.cap);
    this.whole = new Uint8Array(this.cap);
  }

  // FNV-1a from a seeded start, then MurmurHash3's finalizer. Unkeyed, colliding keys
  // are easy to make (each step inverts), and a capture of them would make every
  // insertion walk one long probe run. The finalizer matters as much: FNV-1a's low bits,
  // the slot, depend only on the low bits of each step, so keys made to agree there for
  // one seed would still crowd together under many others.
  private hash(k: Uint8Array, o: number): number {
    let h = 0x811c9dc5 ^ this.seed;
    for (let i = 0; i < KEY; i++) h = Math.imul(h ^ k[o + i], 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  private slot(k: Uint8Array, o: number): number {
    const mask = this.cap - 1;
    let s = this.hash(k, o) & mask;
    for (;;) {
      if (this.state[s] === FREE || this.sameKey(s, k, o)) return s;
      s = (s + 1) & mask;
    }
  }

  private sameKey(s: number, k: Uint8Array, o: number): boolean {
    const base = s * KEY;
    for (let i = 0; i < KEY; i++) if (this.keys[base + i] !== k[o + i]) return false;
    return true;
  }

  /** Counts a packet of `len` bytes for the flow in `this.key`. */
  add(len: number): void {
    let s = this.slot(this.key, 0);
    if (this.state[s] !== FREE) {
      this.packets[s]++;
      this.bytes[s] += len;
      return;
    }
    if (this.size === this.maxFlows) {
      this.evictHalf();
      s = this.slot(this.key, 0);
    }
    if ((this.size + 1) * 2 > this.cap && this.cap < this.slotLimit) {
      this.grow();
      s = this.slot(this.key, 0);
    }
    this.state[s] = USED;
    this.keys.set(this.key, s * KEY);
    this.packets[s] = 1;
    this.bytes[s] = len;
    // A key the sketch has nothing for was never evicted: while it stays, its counts are whole.
    this.whole[s] = this.evictions === 0 || cmsBound(this.cms, this.keys, s * KEY) === 0 ? 1 : 0;
    this.size++;
    hllAdd(this.hll, this.keys, s * KEY);
  }

  private grow(): void {
    const cap = this.cap * 2;
    const keys = new Uint8Array(cap * KEY), state = new Uint8Array(cap);
    const packets = new Float64Array(cap), bytes = new Float64Array(cap), whole = new Uint8Array(cap);
    keys.set(this.keys);
    state.set(this.state);
    packets.set(this.packets);
    bytes.set(this.bytes);
    whole.set(this.whole);
    this.keys = keys;
    this.state = state;
    this.packets = packets;
    this.bytes = bytes;
    this.whole = whole;
    this.rehash(cap);
  }

  /**
   * Re-places every flow for `newCap` slots in place (as wasm/assembly/stats.ts does):
   * each flow not yet placed is taken out and put at the first slot of its probe sequence
   * that is free or holds an unplaced flow, which is then carried on the same way.
   */
  private rehash(newCap: number): void {
    const oldCap = this.cap;
    this.cap = newCap;
    const mask = newCap - 1;
    const { keys, state, packets, bytes, whole, carryKey, spareKey } = this;
    for (let s = 0; s < oldCap; s++) {
      if (state[s] !== USED) continue;
      carryKey.set(keys.subarray(s * KEY, s * KEY + KEY));
      let carryPackets = packets[s], carryBytes = bytes[s], carryWhole = whole[s];
      state[s] = FREE;
      let t = this.hash(carryKey, 0) & mask;
      for (;;) {
        if (state[t] === PLACED) {
          t = (t + 1) & mask;
          continue;
        }
        const displaced = state[t] === USED;
        if (displaced) spareKey.set(keys.subarray(t * KEY, t * KEY + KEY));
        const spareP = packets[t], spareB = bytes[t], spareW = whole[t];
        keys.set(carryKey, t * KEY);
        packets[t] = carryPackets;
        bytes[t] = carryBytes;
        whole[t] = carryWhole;
        state[t] = PLACED;
        if (!displaced) break;
        carryKey.set(spareKey);
        carryPackets = spareP;
        carryBytes = spareB;
        carryWhole = spareW;
        t = this.hash(carryKey, 0) & mask;
      }
    }
    for (let s = 0; s < newCap; s++) if (state[s] === PLACED) state[s] = USED;
  }

  /** Whether the flow in slot `a` comes after the one in slot `b` in the top list's order. */
  private ranksBelow(a: number, b: number): boolean {
    if (this.bytes[a] !== this.bytes[b]) return this.bytes[a] < this.bytes[b];
    if (this.packets[a] !== this.packets[b]) return this.packets[a] < this.packets[b];
    const keys = this.keys;
    for (let i = 0, x = a * KEY, y = b * KEY; i < KEY; i++) {
      if (keys[x + i] !== keys[y + i]) return keys[x + i] > keys[y + i];
    }
    return false;
  }

  private evictHalf(): void {
    const order = this.order ??= new Uint32Array(this.maxFlows);
    let n = 0;
    for (let s = 0; s < this.cap; s++) if (this.state[s] !== FREE) order[n++] = s;
    const k = n - (n >> 1);
    selectLowest(order, n, k, (a, b) => this.ranksBelow(a, b));
    for (let i = 0; i < k; i++) {
      const s = order[i];
      this.evictedFlows++;
      this.evictedPackets += this.packets[s];
      this.evictedBytes += this.bytes[s];
      cmsAdd(this.cms, this.keys, s * KEY, this.packets[s] + this.bytes[s]);
      this.state[s] = FREE;
    }
    this.evictions++;
    this.size = n - k;
    this.rehash(this.cap);
  }

  /** Calls `visit` for every flow: key bytes at `keys[offset, offset + 38)`. */
  forEach(visit: FlowVisitor): void {
    for (let s = 0; s < this.cap; s++) {
      if (this.state[s] !== FREE) visit(this.keys, s * KEY, this.packets[s], this.bytes[s], this.whole[s] === 1);
    }
  }
}

/**
 * Reorders `order[0, n)` so that its first `k` items are the k lowest by `below`, a strict
 * total order (as wasm/assembly/stats.ts does). A few rounds of quickselect (median-of-three
 * pivots) narrow the range, typically to a few percent of it, and a heap select finishes:
 * about 2n comparisons on ordinary input, and O(n log n) at worst whatever a crafted
 * capture does to the pivots. Every large eviction takes both paths.
 */
export function selectLowest(order: Uint32Array, n: number, k: number, below: (a: number, b: number) => boolean): void {
  const swap = (i: number, j: number) => {
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  };
  let lo = 0, hi = n - 1, rounds = SELECT_ROUNDS;
  const target = k - 1;
  while (lo < hi) {
    if (rounds-- === 0) {
      const m = target - lo + 1;
      // A heap over order[lo, lo + m) whose root is its highest item.
      const siftDown = (i: number) => {
        for (;;) {
          const l = 2 * i + 1;
          if (l >= m) return;
          const c = l + 1 < m && below(order[lo + l], order[lo + l + 1]) ? l + 1 : l;
          if (!below(order[lo + i], order[lo + c])) return;
          swap(lo + i, lo + c);
          i = c;
        }
      };
      for (let i = (m >> 1) - 1; i >= 0; i--) siftDown(i);
      for (let i = lo + m; i <= hi; i++) {
        if (below(order[i], order[lo])) {
          swap(i, lo);
          siftDown(0);
        }
      }
      return;
    }
    const mid = lo + ((hi - lo) >> 1);
    if (below(order[mid], order[lo])) swap(mid, lo);
    if (below(order[hi], order[lo])) swap(hi, lo);
    if (below(order[hi], order[mid])) swap(hi, mid);
    swap(mid, hi);
    const pivot = order[hi];
    let p = lo;
    for (let i = lo; i < hi; i++) {
      if (below(order[i], pivot)) swap(i, p++);
    }
    swap(p, hi);
    if (p === target) return;
    if (p < target) lo = p + 1;
    else hi = p - 1;
  }
}
