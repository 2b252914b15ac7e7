/**
 * Reads back the statistics wasm/assembly/stats.ts accumulated in WebAssembly memory
 * while decoding: the u64 counters by `ST_*` index and the flow-table entries at the
 * `FLOW_*` offsets of _layout.ts, in the shape _ts_stats.ts gives.
 *
 * @module
 */
import type { WasmEngine } from "./_wasm_engine.ts";
import * as L from "./_layout.ts";
import type { EngineStats } from "./_ts_stats.ts";

/**
 * The statistics a WebAssembly engine with statistics enabled holds now; the table's bound
 * is the engine's (the `maxFlows` asked for, or fewer when memory ran out as it grew).
 */
export function readWasmStats(engine: WasmEngine): EngineStats {
  const { counters, flows, flowCapacity, flowBound: maxFlows, hll, cms } = engine.statsMemory();
  const view = new DataView(flows.buffer, flows.byteOffset, flows.byteLength);
  return {
    counters: Float64Array.from(counters, Number),
    table: {
      maxFlows,
      evictions: Number(counters[L.ST_EVICTIONS]),
      evictedFlows: Number(counters[L.ST_EVICTED_FLOWS]),
      evictedPackets: Number(counters[L.ST_EVICTED_PACKETS]),
      evictedBytes: Number(counters[L.ST_EVICTED_BYTES]),
      hll,
      cms: () => Float64Array.from(cms, Number),
      forEach(visit) {
        for (let s = 0; s < flowCapacity; s++) {
          const o = s * L.FLOW_ENTRY;
          // An empty slot: a key starts with the IP version, never 0.
          if (flows[o + L.FLOW_KEY_VERSION] === 0) continue;
          const packets = Number(view.getBigUint64(o + L.FLOW_PACKETS, true));
          const bytes = Number(view.getBigUint64(o + L.FLOW_BYTES, true));
          visit(flows, o, packets, bytes, flows[o + L.FLOW_WHOLE] === 1);
        }
      },
    },
  };
}
