/**
 * Capture statistics: counts, protocol hierarchy and conversations, like capinfos and
 * Wireshark's statistics, computed from the packet table without an object per packet.
 * This is the API; the counting is done by wasm/assembly/stats.ts inside the decoder
 * (read back by _wasm_stats.ts) or by its TypeScript reference, _ts_stats.ts, and the
 * flow fields are derived by _flow_report.ts.
 *
 * @module
 */
import { checkIntegerRange, checkOptionsObject } from "../_argument_checks.ts";
import * as L from "./_layout.ts";
import { checkEngine, type Engine } from "./_capture_engine.ts";
import { WasmEngine } from "./_wasm_engine.ts";
import { flowReport } from "./_flow_report.ts";
import { isoTime } from "./_iso_time.ts";
import type { EngineStats } from "./_ts_stats.ts";
import { readWasmStats } from "./_wasm_stats.ts";
import { CaptureError } from "./capture_error.ts";
import type { PacketFilter } from "./packet_filter.ts";
import { checkSource, DEFAULT_BATCH, drive } from "./_drive.ts";
import type { CaptureSource } from "./open_capture.ts";

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
  /**
   * The most flows the table held at once: the `maxFlows` option, or fewer when
   * WebAssembly memory could not grow as far as the table did (it then evicts sooner).
   */
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
  /**
   * Counts only the packets that match this display filter (tshark's spelling), compiled
   * before any packet is read.
   */
  filter?: string | PacketFilter;
}

/** The protocol counters' names, in the order of `ST_ETHERNET` to `ST_HTTP`. */
const PROTOCOLS = [
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
] as const satisfies readonly (keyof ProtocolCounts)[];

/**
 * Bytes read and decoded at a time when counting: small enough that what a read wrote
 * is still in the CPU's cache when the decoder goes over it (4 MiB chunks decode about
 * 10% slower), large enough that reads stay few.
 */
const STATS_CHUNK = 1 << 20;

/**
 * Reads a whole capture and counts packets, bytes, protocols and conversations, in
 * memory bounded by `maxFlows` whatever the capture holds.
 *
 * @param source The capture bytes, a stream of chunks, or a file path.
 * @param options Engine, flow bound, abort signal, progress callback.
 * @returns The statistics; a damaged file gives the statistics up to the damage with
 *   `fileError` set.
 * @throws {TypeError} On a source, options or engine of the wrong kind.
 * @throws {FilterError} On a filter that cannot be read (before any I/O).
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
  checkOptionsObject(action, options, ["engine", "signal", "onProgress", "maxFlows", "filter"]);
  const engine = checkEngine(options.engine, action);
  const maxFlows = checkIntegerRange(action, "maxFlows", options.maxFlows ?? L.DEFAULT_MAX_FLOWS, 1, L.MAX_FLOWS);
  // The filter compiler, the TypeScript counting and the batches load only for a
  // filter or the TypeScript engine: counting with WebAssembly needs none of them.
  const filter = options.filter === undefined
    ? undefined
    : (await import("./packet_filter.ts")).filterOption(options.filter);
  // The flow tables' hashes are keyed at random, so that no capture can be crafted to make
  // them slow; the results do not depend on where flows sit in the table. Math.random()
  // is enough: whoever writes a capture never sees the generator's output, and every
  // engine seeds it from the system's entropy per process. (On Node, crypto.getRandomValues()
  // first loads the whole Web Crypto implementation, which costs more than it protects here.)
  const seed = Uint32Array.of(Math.random() * 2 ** 32, Math.random() * 2 ** 32);
  let fileError: CaptureStats["fileError"];
  const onError = (e: unknown) => {
    if (!(e instanceof CaptureError)) throw e;
    fileError = { message: e.message, offset: e.offset };
  };
  let result: EngineStats;
  if (engine === "wasm" && !filter) {
    // The WebAssembly engine counts while it decodes and keeps no rows: drive() yields
    // none and only reads, one decode call per chunk.
    const wasm = new WasmEngine(DEFAULT_BATCH);
    wasm.enableStats(maxFlows, seed);
    try {
      const driven = drive(wasm, source, STATS_CHUNK, options.signal, {
        onProgress: options.onProgress,
        readAhead: true,
      });
      for await (const _rows of driven);
    } catch (e) {
      onError(e);
    }
    result = readWasmStats(wasm);
  } else {
    // A filter picks rows after decoding: they are counted in TypeScript, whichever engine decoded them.
    const [{ TsStats }, { openCapture }] = await Promise.all([import("./_ts_stats.ts"), import("./open_capture.ts")]);
    const ts = new TsStats(maxFlows, seed[0]);
    try {
      for await (const batch of openCapture(source, { engine, signal: options.signal, filter })) {
        ts.addRows(batch._table, batch._bytes, batch.length);
      }
    } catch (e) {
      onError(e);
    }
    result = ts.result();
  }
  const c = result.counters;
  const protocols = {} as ProtocolCounts;
  PROTOCOLS.forEach((name, i) => (protocols[name] = c[L.ST_ETHERNET + i]));
  const timed = c[L.ST_HAS_TS] !== 0;
  const stats: CaptureStats = {
    packets: c[L.ST_PACKETS],
    bytes: c[L.ST_BYTES],
    capturedBytes: c[L.ST_CAPTURED],
    first: timed ? isoTime(c[L.ST_FIRST_SEC], c[L.ST_FIRST_NSEC]) : null,
    last: timed ? isoTime(c[L.ST_LAST_SEC], c[L.ST_LAST_NSEC]) : null,
    protocols,
    ...flowReport(result.table),
    // A file-level error counts as one more.
    errors: c[L.ST_ERRORS] + (fileError ? 1 : 0),
  };
  if (fileError) stats.fileError = fileError;
  return stats;
}
