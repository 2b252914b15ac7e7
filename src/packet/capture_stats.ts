/**
 * Capture statistics: counts, protocol hierarchy and conversations, like capinfos and
 * Wireshark's statistics, computed from the packet table without an object per packet.
 *
 * @module
 */
import * as L from "./_layout.ts";
import { checkEngine, type Engine, WasmEngine } from "./_engine.ts";
import { ipv4Text, ipv6Text } from "./_format.ts";
import { CaptureError } from "./capture_error.ts";
import { type CaptureSource, checkSource, DEFAULT_BATCH, DEFAULT_CHUNK, drive, openCapture } from "./open_capture.ts";

/** Packets containing each protocol. */
export interface ProtocolCounts {
  ethernet: number;
  vlan: number;
  arp: number;
  ipv4: number;
  ipv6: number;
  tcp: number;
  udp: number;
  icmp: number;
  icmp6: number;
  dns: number;
  tls: number;
  http: number;
}

/** One conversation: an IP protocol and the unordered pair of its ends. */
export interface FlowStats {
  proto: number;
  /** One end, `addr:port` (`[addr]:port` for IPv6); the lower end first. */
  a: string;
  b: string;
  packets: number;
  /** Sum of original lengths. */
  bytes: number;
}

/** What {@linkcode captureStats} computes. */
export interface CaptureStats {
  packets: number;
  /** Sum of original lengths. */
  bytes: number;
  capturedBytes: number;
  /** Earliest and latest timestamp, ISO 8601 with nanoseconds (null without any). */
  first: string | null;
  last: string | null;
  protocols: ProtocolCounts;
  /** Distinct conversations. */
  flows: number;
  /** The 10 largest conversations by bytes. */
  topFlows: FlowStats[];
  /** Packets with a decoding error (plus one for a file-level error). */
  errors: number;
  /** The file-level error, when the capture is damaged. */
  fileError?: { message: string; offset: number };
}

/** Options for {@linkcode captureStats}. */
export interface CaptureStatsOptions {
  /** The decoder implementation. @default {"wasm"} */
  engine?: Engine;
  /** Stops early when aborted (the statistics cover what was read). */
  signal?: AbortSignal;
  /** Called after each chunk with the bytes read so far (WebAssembly engine). */
  onProgress?: (bytesRead: number) => void;
}

const KEY = 38;

/** Open-addressing hash table of flows on typed arrays: no object per packet. */
class FlowTable {
  size = 0;
  private cap = 1 << 12;
  private keys = new Uint8Array(this.cap * KEY);
  private used = new Uint8Array(this.cap);
  private packets = new Float64Array(this.cap);
  private bytes = new Float64Array(this.cap);
  readonly key = new Uint8Array(KEY);

  private hash(k: Uint8Array, o: number): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < KEY; i++) h = Math.imul(h ^ k[o + i], 0x01000193);
    return h >>> 0;
  }

  private slot(k: Uint8Array, o: number): number {
    const mask = this.cap - 1;
    let s = this.hash(k, o) & mask;
    for (;;) {
      if (!this.used[s]) return s;
      const base = s * KEY;
      let same = true;
      for (let i = 0; i < KEY; i++) {
        if (this.keys[base + i] !== k[o + i]) {
          same = false;
          break;
        }
      }
      if (same) return s;
      s = (s + 1) & mask;
    }
  }

  /** Counts a packet of `len` bytes for the flow in `this.key`. */
  add(len: number): void {
    let s = this.slot(this.key, 0);
    if (!this.used[s]) {
      if ((this.size + 1) * 2 > this.cap) {
        this.grow();
        s = this.slot(this.key, 0);
      }
      this.used[s] = 1;
      this.keys.set(this.key, s * KEY);
      this.size++;
    }
    this.packets[s]++;
    this.bytes[s] += len;
  }

  private grow(): void {
    const { keys, used, packets, bytes, cap } = this;
    this.cap = cap * 2;
    this.keys = new Uint8Array(this.cap * KEY);
    this.used = new Uint8Array(this.cap);
    this.packets = new Float64Array(this.cap);
    this.bytes = new Float64Array(this.cap);
    for (let s = 0; s < cap; s++) {
      if (!used[s]) continue;
      const t = this.slot(keys, s * KEY);
      this.used[t] = 1;
      this.keys.set(keys.subarray(s * KEY, s * KEY + KEY), t * KEY);
      this.packets[t] = packets[s];
      this.bytes[t] = bytes[s];
    }
  }

  /** Calls `visit` for every flow: key bytes at `keys[offset, offset + 38)`. */
  forEach(visit: (keys: Uint8Array, offset: number, packets: number, bytes: number) => void): void {
    for (let s = 0; s < this.cap; s++) if (this.used[s]) visit(this.keys, s * KEY, this.packets[s], this.bytes[s]);
  }
}

interface TopEntry {
  key: Uint8Array;
  packets: number;
  bytes: number;
}

function compareKeys(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < KEY; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** Keeps the `n` largest flows (bytes, then packets, then key order) from a stream of flows. */
class TopFlows {
  readonly entries: TopEntry[] = [];
  private readonly n: number;
  constructor(n: number) {
    this.n = n;
  }
  private before(x: TopEntry, y: TopEntry): boolean {
    return x.bytes !== y.bytes
      ? x.bytes > y.bytes
      : x.packets !== y.packets
      ? x.packets > y.packets
      : compareKeys(x.key, y.key) < 0;
  }
  offer(keys: Uint8Array, offset: number, packets: number, bytes: number): void {
    const last = this.entries[this.n - 1];
    if (last && (bytes < last.bytes || (bytes === last.bytes && packets < last.packets))) return;
    const entry = { key: keys.slice(offset, offset + KEY), packets, bytes };
    if (last && !this.before(entry, last)) return;
    let i = this.entries.length;
    this.entries.push(entry);
    while (i > 0 && this.before(entry, this.entries[i - 1])) {
      this.entries[i] = this.entries[i - 1];
      i--;
    }
    this.entries[i] = entry;
    if (this.entries.length > this.n) this.entries.pop();
  }
  list(): FlowStats[] {
    return this.entries.map(({ key: k, packets, bytes }) => {
      const end = (o: number) => {
        const port = (k[o + 16] << 8) | k[o + 17];
        return k[0] === 4 ? `${ipv4Text(k, o)}:${port}` : `[${ipv6Text(k, o)}]:${port}`;
      };
      return { proto: k[1], a: end(2), b: end(20), packets, bytes };
    });
  }
}

function isoTime(sec: number, nsec: number): string {
  // Date covers ±8.64e15 ms; a hostile timestamp beyond it is printed as plain seconds.
  if (!(Math.abs(sec) <= 8.64e12)) return `${sec}.${String(nsec).padStart(9, "0")}`;
  const iso = new Date(sec * 1000).toISOString();
  return `${iso.slice(0, 19)}.${String(nsec).padStart(9, "0")}Z`;
}

/**
 * Reads a whole capture and counts packets, bytes, protocols and conversations.
 *
 * @param source The capture bytes, a stream of chunks, or a file path.
 * @param options Engine and abort signal.
 * @returns The statistics; a damaged file gives the statistics up to the damage with
 *   `fileError` set.
 * @throws {TypeError} On a source or engine of the wrong kind.
 * @example
 * ```ts
 * import { captureStats } from "anynet/packet";
 * const stats = await captureStats("capture.pcap");
 * console.log(stats.packets, stats.protocols.tcp);
 * ```
 */
export async function captureStats(source: CaptureSource, options: CaptureStatsOptions = {}): Promise<CaptureStats> {
  checkSource(source);
  const engine = checkEngine(options.engine, "compute capture statistics");
  // counts: packets, bytes, captured, errors, then the 12 protocols in ProtocolCounts order.
  const counts = new Float64Array(16);
  let firstSec = Infinity, firstNsec = 0, lastSec = -Infinity, lastNsec = 0;
  const top = new TopFlows(10);
  let flows = 0;
  let fileError: CaptureStats["fileError"];
  const onError = (e: unknown) => {
    if (!(e instanceof CaptureError)) throw e;
    counts[3]++;
    fileError = { message: e.message, offset: e.offset };
  };
  if (engine === "wasm") {
    // The WebAssembly engine counts while it decodes: no table walk in JavaScript.
    const wasm = new WasmEngine(DEFAULT_BATCH);
    wasm.enableStats();
    try {
      for await (const _rows of drive(wasm, source, DEFAULT_CHUNK, options.signal, options.onProgress));
    } catch (e) {
      onError(e);
    }
    const { counters, flows: table, flowCapacity } = wasm.statsMemory();
    for (let i = 0; i < 16; i++) counts[i] += Number(counters[i]);
    if (counters[20] !== 0n) {
      firstSec = Number(counters[16]);
      firstNsec = Number(counters[17]);
      lastSec = Number(counters[18]);
      lastNsec = Number(counters[19]);
    }
    const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
    for (let s = 0; s < flowCapacity; s++) {
      const o = s * 64;
      if (table[o] === 0) continue;
      flows++;
      top.offer(table, o, Number(view.getBigUint64(o + 40, true)), Number(view.getBigUint64(o + 48, true)));
    }
  } else {
    const flowTable = new FlowTable();
    const key = flowTable.key;
    try {
      for await (const batch of openCapture(source, { engine, signal: options.signal })) {
        const t = batch._table, b = batch._bytes, n = batch.length;
        for (let r = 0; r < n; r++) {
          const base = r * L.NCOLS;
          const f = t[base];
          const len = t[base + L.C_LEN] >>> 0;
          counts[0]++;
          counts[1] += len;
          counts[2] += t[base + L.C_CAPLEN] >>> 0;
          if (f & L.F_TS) {
            const sec = t[base + L.C_SECHI] * 4294967296 + (t[base + L.C_SECLO] >>> 0);
            const nsec = t[base + L.C_NSEC];
            if (sec < firstSec || (sec === firstSec && nsec < firstNsec)) {
              firstSec = sec;
              firstNsec = nsec;
            }
            if (sec > lastSec || (sec === lastSec && nsec > lastNsec)) {
              lastSec = sec;
              lastNsec = nsec;
            }
          }
          if (f & L.F_ERROR) counts[3]++;
          if (f & L.F_ETH) {
            counts[4]++;
            if (t[base + L.C_VLANS] > 0) counts[5]++;
          }
          if (f & L.F_ARP) counts[6]++;
          if (f & L.F_TCP) counts[9]++;
          else if (f & L.F_UDP) counts[10]++;
          else if (f & L.F_ICMP) counts[11]++;
          else if (f & L.F_ICMP6) counts[12]++;
          if (f & L.F_DNS) counts[13]++;
          if (f & L.F_TLS) counts[14]++;
          if (f & L.F_HTTP) counts[15]++;
          if ((f & (L.F_IP4 | L.F_IP6)) === 0) continue;
          const p = t[base + L.C_DATA];
          const l3 = p + t[base + L.C_L3OFF];
          let alen: number, sa: number, da: number;
          key.fill(0);
          if (f & L.F_IP4) {
            counts[7]++;
            key[0] = 4;
            alen = 4;
            sa = l3 + 12;
            da = l3 + 16;
          } else {
            counts[8]++;
            key[0] = 6;
            alen = 16;
            sa = l3 + 8;
            da = l3 + 24;
          }
          key[1] = t[base + L.C_PROTO];
          let sp = 0, dp = 0;
          if (f & (L.F_TCP | L.F_UDP)) {
            const l4 = p + t[base + L.C_L4OFF];
            sp = (b[l4] << 8) | b[l4 + 1];
            dp = (b[l4 + 2] << 8) | b[l4 + 3];
          }
          // The lower (address, port) end first, so both directions are one flow.
          let cmp = 0;
          for (let i = 0; i < alen && cmp === 0; i++) cmp = b[sa + i] - b[da + i];
          if (cmp === 0) cmp = sp - dp;
          if (cmp > 0) {
            const x = sa;
            sa = da;
            da = x;
            const y = sp;
            sp = dp;
            dp = y;
          }
          for (let i = 0; i < alen; i++) {
            key[2 + i] = b[sa + i];
            key[20 + i] = b[da + i];
          }
          key[18] = sp >> 8;
          key[19] = sp & 255;
          key[36] = dp >> 8;
          key[37] = dp & 255;
          flowTable.add(len);
        }
      }
    } catch (e) {
      onError(e);
    }
    flows = flowTable.size;
    flowTable.forEach((k, o, packets, bytes) => top.offer(k, o, packets, bytes));
  }
  const names = [
    "ethernet",
    "vlan",
    "arp",
    "ipv4",
    "ipv6",
    "tcp",
    "udp",
    "icmp",
    "icmp6",
    "dns",
    "tls",
    "http",
  ] as const;
  const protocols = {} as ProtocolCounts;
  names.forEach((name, i) => (protocols[name] = counts[4 + i]));
  const stats: CaptureStats = {
    packets: counts[0],
    bytes: counts[1],
    capturedBytes: counts[2],
    first: firstSec === Infinity ? null : isoTime(firstSec, firstNsec),
    last: lastSec === -Infinity ? null : isoTime(lastSec, lastNsec),
    protocols,
    flows,
    topFlows: top.list(),
    errors: counts[3],
  };
  if (fileError) stats.fileError = fileError;
  return stats;
}
