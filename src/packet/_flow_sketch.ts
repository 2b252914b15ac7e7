/**
 * The two sketches kept beside the bounded flow table of `captureStats()`, in both engines
 * (wasm/assembly/stats.ts computes the same hashes and cells):
 *
 * - a HyperLogLog over every flow key that entered the table, which estimates the number
 *   of distinct flows once evictions make the table's own count too small;
 * - a count-min sketch of what each evicted flow had counted (packets plus bytes), an
 *   upper bound, never an underestimate, of what any one key lost to evictions: zero
 *   proves a flow was never evicted, so its counts are whole.
 *
 * @module
 */
import * as L from "./_layout.ts";

const HLL_SIZE = 1 << L.HLL_BITS;
const CMS_MASK = (1 << L.CMS_BITS) - 1;

function mixWord(h: number, w: number): number {
  w = Math.imul(w, 0xcc9e2d51);
  w = (w << 15) | (w >>> 17);
  w = Math.imul(w, 0x1b873593);
  h ^= w;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * MurmurHash3 (x86, 32-bit) of the key at `keys[o, o + 38)` read as nine little-endian
 * words and a two-byte tail, with `seed`: the same number as the WebAssembly engine's.
 */
export function sketchHash(keys: Uint8Array, o: number, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < 36; i += 4) {
    h = mixWord(h, keys[o + i] | (keys[o + i + 1] << 8) | (keys[o + i + 2] << 16) | (keys[o + i + 3] << 24));
  }
  h = mixWord(h, keys[o + 36] | (keys[o + 37] << 8));
  h ^= L.FLOW_KEY_BYTES;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** New HyperLogLog registers. */
export function newHll(): Uint8Array {
  return new Uint8Array(HLL_SIZE);
}

/** Adds the key at `keys[o]` to the HyperLogLog `registers`. */
export function hllAdd(registers: Uint8Array, keys: Uint8Array, o: number): void {
  const r = sketchHash(keys, o, L.SEED_HLL_INDEX) >>> (32 - L.HLL_BITS);
  const rank = Math.clz32(sketchHash(keys, o, L.SEED_HLL_RANK)) + 1;
  if (rank > registers[r]) registers[r] = rank;
}

/**
 * The HyperLogLog estimate of distinct keys (Flajolet et al. 2007, with linear counting
 * for small counts): about 0.8% standard error with 2^14 registers. The index and the
 * rank come from two independent 32-bit hashes, 46 bits in all, so no large-range
 * correction is needed below billions of flows.
 */
export function hllEstimate(registers: Uint8Array): number {
  let sum = 0, zeros = 0;
  for (let i = 0; i < HLL_SIZE; i++) {
    sum += 2 ** -registers[i];
    if (registers[i] === 0) zeros++;
  }
  const m = HLL_SIZE;
  const raw = (0.7213 / (1 + 1.079 / m)) * m * m / sum;
  return raw <= 2.5 * m && zeros > 0 ? m * Math.log(m / zeros) : raw;
}

/** New count-min cells (numbers: exact up to 2^53, far beyond any capture). */
export function newCms(): Float64Array {
  return new Float64Array(L.CMS_ROWS << L.CMS_BITS);
}

function cmsCells(keys: Uint8Array, o: number): [number, number, number, number] {
  const a = sketchHash(keys, o, L.SEED_CMS_LOW), b = sketchHash(keys, o, L.SEED_CMS_HIGH);
  const w = L.CMS_BITS;
  return [a & CMS_MASK, (1 << w) + (a >>> 16), (2 << w) + (b & CMS_MASK), (3 << w) + (b >>> 16)];
}

/** Adds `weight` to the key's cell in every row. */
export function cmsAdd(cells: Float64Array, keys: Uint8Array, o: number, weight: number): void {
  for (const c of cmsCells(keys, o)) cells[c] += weight;
}

/** The most the key can have had added: the smallest of its cells. */
export function cmsBound(cells: Float64Array, keys: Uint8Array, o: number): number {
  return Math.min(...cmsCells(keys, o).map((c) => cells[c]));
}

/** The most any key at all can have had added: the smallest row maximum. */
export function cmsBoundForAnyKey(cells: Float64Array): number {
  let bound = Infinity;
  for (let row = 0; row < L.CMS_ROWS; row++) {
    let max = 0;
    for (let c = row << L.CMS_BITS, end = c + (1 << L.CMS_BITS); c < end; c++) if (cells[c] > max) max = cells[c];
    bound = Math.min(bound, max);
  }
  return bound;
}
