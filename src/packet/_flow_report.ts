/**
 * What `captureStats()` says about flows, from the flow table either engine left: the
 * distinct count, the top list, and what can be proven about both once the bounded table
 * has evicted flows.
 *
 * The promise, made precise: evicting the lower-ranked half keeps every flow that ranked
 * in the upper half at that moment, with its whole counts so far. A flow evicted and seen
 * again restarts from zero, so a flow's reported counts are whole exactly when it was
 * never evicted. When a flow enters the table, a zero in the count-min sketch of evicted
 * counts proves it was never evicted before (the table marks it whole); the sketch also
 * bounds what any flow, in the table or not, can have lost. The top list is declared
 * exact only when its every flow is marked whole and no other flow can reach the
 * smallest of them even with everything the sketch allows it to have lost.
 *
 * @module
 */
import type { FlowStats, FlowTableStats } from "./capture_stats.ts";
import { cmsBound, cmsBoundForAnyKey, hllEstimate } from "./_flow_sketch.ts";
import { FLOW_KEY_BYTES as KEY } from "./_layout.ts";
import type { FlowVisitor } from "./_flow_table.ts";
import { ipv4Text, ipv6Text } from "./_format.ts";

/** Flows in the top list. */
const TOP = 10;

/** The state a flow table ends in, whichever engine built it. */
export interface FlowTableView {
  maxFlows: number;
  evictions: number;
  evictedFlows: number;
  evictedPackets: number;
  evictedBytes: number;
  hll: Uint8Array;
  /** The count-min cells (asked for only after evictions). */
  cms(): Float64Array;
  /** Calls `visit` for every flow in the table. */
  forEach(visit: FlowVisitor): void;
}

/** The flow fields of `CaptureStats`. */
export interface FlowReport {
  flows: number;
  flowsExact: boolean;
  topFlows: FlowStats[];
  topFlowsExact: boolean;
  flowTable: FlowTableStats;
}

interface TopEntry {
  key: Uint8Array;
  packets: number;
  bytes: number;
  whole: boolean;
}

function compareKeys(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < KEY; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function sameKey(entry: TopEntry, keys: Uint8Array, o: number): boolean {
  for (let i = 0; i < KEY; i++) if (entry.key[i] !== keys[o + i]) return false;
  return true;
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
  offer(keys: Uint8Array, offset: number, packets: number, bytes: number, whole: boolean): void {
    const last = this.entries[this.n - 1];
    if (last && (bytes < last.bytes || (bytes === last.bytes && packets < last.packets))) return;
    const entry = { key: keys.slice(offset, offset + KEY), packets, bytes, whole };
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
  has(keys: Uint8Array, offset: number): boolean {
    return this.entries.some((entry) => sameKey(entry, keys, offset));
  }
}

function flowStats({ key: k, packets, bytes, whole }: TopEntry): FlowStats {
  const end = (o: number) => {
    const port = (k[o + 16] << 8) | k[o + 17];
    return k[0] === 4 ? `${ipv4Text(k, o)}:${port}` : `[${ipv6Text(k, o)}]:${port}`;
  };
  return { proto: k[1], a: end(2), b: end(20), packets, bytes, exact: whole };
}

/** The flow fields of the statistics, from the table an engine left. */
export function flowReport(table: FlowTableView): FlowReport {
  const top = new TopFlows(TOP);
  // Flows in the table at the end: the exact count while nothing was evicted.
  let size = 0;
  table.forEach((keys, o, packets, bytes, whole) => {
    size++;
    top.offer(keys, o, packets, bytes, whole);
  });
  const flowTable: FlowTableStats = {
    maxFlows: table.maxFlows,
    full: table.evictions > 0,
    evictions: table.evictions,
    evictedFlows: table.evictedFlows,
    evictedPackets: table.evictedPackets,
    evictedBytes: table.evictedBytes,
  };
  const topFlows = top.entries.map(flowStats);
  if (table.evictions === 0) return { flows: size, flowsExact: true, topFlows, topFlowsExact: true, flowTable };
  return {
    // The table overflowed, so more than maxFlows flows were seen, whatever the estimate says.
    flows: Math.max(Math.round(hllEstimate(table.hll)), table.maxFlows + 1),
    flowsExact: false,
    topFlows,
    topFlowsExact: top.entries.length === TOP && top.entries.every((entry) => entry.whole) &&
      noneCanReach(table, top, table.cms()),
    flowTable,
  };
}

/**
 * Whether no flow outside the top list can have as many bytes as its smallest member,
 * counting what the sketch allows each flow to have lost to evictions (an upper bound:
 * the sketch adds packets to bytes and collisions only add more).
 */
function noneCanReach(table: FlowTableView, top: TopFlows, cms: Float64Array): boolean {
  const smallest = top.entries[top.entries.length - 1].bytes;
  const anyKey = cmsBoundForAnyKey(cms);
  // A flow no longer in the table has nothing but what it lost.
  if (anyKey >= smallest) return false;
  let reachable = false;
  table.forEach((keys, o, _packets, bytes, whole) => {
    // A whole flow ranks by its exact counts, below the list it was not chosen for.
    if (reachable || whole || bytes + anyKey < smallest) return;
    if (bytes + cmsBound(cms, keys, o) < smallest) return;
    if (!top.has(keys, o)) reachable = true;
  });
  return !reachable;
}
