/**
 * Capture statistics: counts, protocol hierarchy and conversations, like capinfos and
 * Wireshark's statistics, computed from the packet table without an object per packet.
 *
 * @module
 */
import { checkIntegerRange, checkOptionsObject } from "../_argument_checks.ts";
import * as L from "./_layout.ts";
import { checkEngine, type Engine, WasmEngine } from "./_engine.ts";
import { flowReport, type FlowTableView } from "./_flow_report.ts";
import { FlowTable } from "./_flow_table.ts";
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
  /**
   * Whether `packets` and `bytes` are the flow's whole counts. Always true unless the
   * flow table filled up; then false when the flow may have been evicted earlier (its
   * counts then restarted, and what it had went to `flowTable.evictedPackets`/`Bytes`).
   */
  exact: boolean;
}

/** How the bounded flow table of {@linkcode captureStats} fared. */
export interface FlowTableStats {
  /** The most flows the table held at once (the `maxFlows` option). */
  maxFlows: number;
  /** Whether the table filled up and had to evict flows. */
  full: boolean;
  /** Times the table was full and evicted its lower-ranked half. */
  evictions: number;
  /** Flows evicted (a flow evicted, seen again and evicted again counts twice). */
  evictedFlows: number;
  /** Packets and bytes the evicted flows had counted while in the table. */
  evictedPackets: number;
  evictedBytes: number;
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
  /** Distinct conversations: exact when `flowsExact`, otherwise a HyperLogLog estimate. */
  flows: number;
  /** False when the flow table filled up: `flows` is then an estimate (standard error about 0.8%). */
  flowsExact: boolean;
  /** The 10 largest conversations by bytes, then packets. */
  topFlows: FlowStats[];
  /**
   * Whether `topFlows` is proven to be the 10 largest conversations of the capture with
   * their whole counts. Always true unless the flow table filled up (see docs/packets.md).
   */
  topFlowsExact: boolean;
  /** The flow table's bound and its evictions. */
  flowTable: FlowTableStats;
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
  /**
   * The most flows the table holds at once, from 1 to 8388608. Memory for flows stays
   * under about 64 bytes × 2 × maxFlows whatever the capture; past the bound the
   * lower-ranked half of the flows is evicted, `flows` becomes an estimate and the top
   * flows are exact when that can be proven (see docs/packets.md). @default {1048576}
   */
  maxFlows?: number;
}

function isoTime(sec: number, nsec: number): string {
  // Date covers ±8.64e15 ms; a hostile timestamp beyond it is printed as plain seconds.
  if (!(Math.abs(sec) <= 8.64e12)) return `${sec}.${String(nsec).padStart(9, "0")}`;
  const iso = new Date(sec * 1000).toISOString();
  return `${iso.slice(0, 19)}.${String(nsec).padStart(9, "0")}Z`;
}

/**
 * Reads a whole capture and counts packets, bytes, protocols and conversations, in
 * memory bounded by `maxFlows` whatever the capture holds.
 *
 * @param source The capture bytes, a stream of chunks, or a file path.
 * @param options Engine, flow bound, abort signal, progress callback.
 * @returns The statistics; a damaged file gives the statistics up to the damage with
 *   `fileError` set.
 * @throws {TypeError} On a source, options or engine of the wrong kind.
 * @throws {RangeError} On a `maxFlows` out of range, or when WebAssembly memory cannot grow
 *   for the flow table or the input.
 * @example
 * ```ts
 * import { captureStats } from "anynet/packet";
 * const stats = await captureStats("capture.pcap");
 * console.log(stats.packets, stats.protocols.tcp);
 * ```
 */
export async function captureStats(source: CaptureSource, options: CaptureStatsOptions = {}): Promise<CaptureStats> {
  const action = "compute capture statistics";
  checkSource(source);
  checkOptionsObject(action, options, ["engine", "signal", "onProgress", "maxFlows"]);
  const engine = checkEngine(options.engine, action);
  const maxFlows = checkIntegerRange(action, "maxFlows", options.maxFlows ?? L.DEFAULT_MAX_FLOWS, 1, L.MAX_FLOWS);
  // counts: packets, bytes, captured, errors, then the 12 protocols in ProtocolCounts order.
  const counts = new Float64Array(16);
  let firstSec = Infinity, firstNsec = 0, lastSec = -Infinity, lastNsec = 0;
  // The flow tables' hashes are keyed at random, so that no capture can be crafted to make
  // them slow; the results do not depend on where flows sit in the table.
  const seed = crypto.getRandomValues(new Uint32Array(2));
  let table: FlowTableView;
  let fileError: CaptureStats["fileError"];
  const onError = (e: unknown) => {
    if (!(e instanceof CaptureError)) throw e;
    counts[3]++;
    fileError = { message: e.message, offset: e.offset };
  };
  if (engine === "wasm") {
    // The WebAssembly engine counts while it decodes: no table walk in JavaScript.
    const wasm = new WasmEngine(DEFAULT_BATCH);
    wasm.enableStats(maxFlows, seed);
    try {
      for await (const _rows of drive(wasm, source, DEFAULT_CHUNK, options.signal, options.onProgress));
    } catch (e) {
      onError(e);
    }
    const { counters, flows, flowCapacity, flowSize, hll, cms } = wasm.statsMemory();
    for (let i = 0; i < 16; i++) counts[i] += Number(counters[i]);
    if (counters[20] !== 0n) {
      firstSec = Number(counters[16]);
      firstNsec = Number(counters[17]);
      lastSec = Number(counters[18]);
      lastNsec = Number(counters[19]);
    }
    const view = new DataView(flows.buffer, flows.byteOffset, flows.byteLength);
    table = {
      maxFlows,
      size: flowSize,
      evictions: Number(counters[L.ST_EVICTIONS]),
      evictedFlows: Number(counters[L.ST_EVICTED_FLOWS]),
      evictedPackets: Number(counters[L.ST_EVICTED_PACKETS]),
      evictedBytes: Number(counters[L.ST_EVICTED_BYTES]),
      hll,
      cms: () => Float64Array.from(cms, Number),
      forEach(visit) {
        for (let s = 0; s < flowCapacity; s++) {
          const o = s * L.FLOW_ENTRY;
          if (flows[o] === 0) continue;
          const packets = Number(view.getBigUint64(o + L.FLOW_PACKETS, true));
          const bytes = Number(view.getBigUint64(o + L.FLOW_BYTES, true));
          visit(flows, o, packets, bytes, flows[o + L.FLOW_WHOLE] === 1);
        }
      },
    };
  } else {
    const flowTable = new FlowTable(maxFlows, seed[0]);
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
    table = {
      maxFlows,
      size: flowTable.size,
      evictions: flowTable.evictions,
      evictedFlows: flowTable.evictedFlows,
      evictedPackets: flowTable.evictedPackets,
      evictedBytes: flowTable.evictedBytes,
      hll: flowTable.hll,
      cms: () => flowTable.cms,
      forEach: (visit) => flowTable.forEach(visit),
    };
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
    ...flowReport(table),
    errors: counts[3],
  };
  if (fileError) stats.fileError = fileError;
  return stats;
}
