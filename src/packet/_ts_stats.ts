/**
 * The TypeScript reference of the statistics, row level: adds decoded rows of the packet
 * table to the counters and the flow table. wasm/assembly/stats.ts is the same algorithm
 * in AssemblyScript, run inside the decoder; the two must leave the same counters (see
 * `ST_*` in _layout.ts) and the same flows.
 *
 * @module
 */
import type { FlowTableView } from "./_flow_report.ts";
import { FlowTable } from "./_flow_table.ts";
import * as L from "./_layout.ts";

/** What an engine leaves once a capture is counted: the counters by `ST_*` index and its flow table. */
export interface EngineStats {
  counters: Float64Array;
  table: FlowTableView;
}

/** The statistics of one capture, counted in TypeScript. */
export class TsStats {
  /** The counters, by `ST_*` index. */
  readonly counters: Float64Array = new Float64Array(L.ST_COUNT);
  private readonly flows: FlowTable;

  /** Statistics for at most `maxFlows` flows at a time, the flow table keyed by `seed`. */
  constructor(maxFlows: number, seed: number) {
    this.flows = new FlowTable(maxFlows, seed);
    this.counters[L.ST_FIRST_SEC] = Infinity;
    this.counters[L.ST_LAST_SEC] = -Infinity;
  }

  /** Adds rows `[0, n)` of table `t`, whose offsets index into `b`. */
  addRows(t: Int32Array, b: Uint8Array, n: number): void {
    const c = this.counters, key = this.flows.key;
    for (let r = 0; r < n; r++) {
      const base = r * L.NCOLS;
      const f = t[base];
      const len = t[base + L.C_LEN] >>> 0;
      c[L.ST_PACKETS]++;
      c[L.ST_BYTES] += len;
      c[L.ST_CAPTURED] += t[base + L.C_CAPLEN] >>> 0;
      if (f & L.F_TS) {
        const sec = t[base + L.C_SECHI] * 4294967296 + (t[base + L.C_SECLO] >>> 0);
        const nsec = t[base + L.C_NSEC];
        if (sec < c[L.ST_FIRST_SEC] || (sec === c[L.ST_FIRST_SEC] && nsec < c[L.ST_FIRST_NSEC])) {
          c[L.ST_FIRST_SEC] = sec;
          c[L.ST_FIRST_NSEC] = nsec;
        }
        if (sec > c[L.ST_LAST_SEC] || (sec === c[L.ST_LAST_SEC] && nsec > c[L.ST_LAST_NSEC])) {
          c[L.ST_LAST_SEC] = sec;
          c[L.ST_LAST_NSEC] = nsec;
        }
        c[L.ST_HAS_TS] = 1;
      }
      if (f & L.F_ERROR) c[L.ST_ERRORS]++;
      if (f & L.F_ETH) {
        c[L.ST_ETHERNET]++;
        if (t[base + L.C_VLANS] > 0) c[L.ST_VLAN]++;
      }
      if (f & L.F_ARP) c[L.ST_ARP]++;
      if (f & L.F_TCP) c[L.ST_TCP]++;
      else if (f & L.F_UDP) c[L.ST_UDP]++;
      else if (f & L.F_ICMP) c[L.ST_ICMP]++;
      else if (f & L.F_ICMP6) c[L.ST_ICMP6]++;
      if (f & L.F_DNS) c[L.ST_DNS]++;
      if (f & L.F_TLS) c[L.ST_TLS]++;
      if (f & L.F_HTTP) c[L.ST_HTTP]++;
      if ((f & (L.F_IP4 | L.F_IP6)) === 0) continue;
      const p = t[base + L.C_DATA];
      const l3 = p + t[base + L.C_L3OFF];
      let alen: number, sa: number, da: number;
      key.fill(0);
      if (f & L.F_IP4) {
        c[L.ST_IPV4]++;
        key[L.FLOW_KEY_VERSION] = 4;
        alen = 4;
        sa = l3 + 12;
        da = l3 + 16;
      } else {
        c[L.ST_IPV6]++;
        key[L.FLOW_KEY_VERSION] = 6;
        alen = 16;
        sa = l3 + 8;
        da = l3 + 24;
      }
      key[L.FLOW_KEY_PROTO] = t[base + L.C_PROTO];
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
        key[L.FLOW_KEY_A_ADDR + i] = b[sa + i];
        key[L.FLOW_KEY_B_ADDR + i] = b[da + i];
      }
      key[L.FLOW_KEY_A_PORT] = sp >> 8;
      key[L.FLOW_KEY_A_PORT + 1] = sp & 255;
      key[L.FLOW_KEY_B_PORT] = dp >> 8;
      key[L.FLOW_KEY_B_PORT + 1] = dp & 255;
      this.flows.add(len);
    }
  }

  /** The counters and the flow table as they stand. */
  result(): EngineStats {
    const flows = this.flows;
    return {
      counters: this.counters,
      table: {
        maxFlows: flows.maxFlows,
        evictions: flows.evictions,
        evictedFlows: flows.evictedFlows,
        evictedPackets: flows.evictedPackets,
        evictedBytes: flows.evictedBytes,
        hll: flows.hll,
        cms: () => flows.cms,
        forEach: (visit) => flows.forEach(visit),
      },
    };
  }
}
