/**
 * Filter throughput for `npm run bench -- packet`: packets/s of evaluating compiled
 * display filters on the decoded rows of the benchmark capture. Only the filter's pass
 * over each batch is timed (the decode that fills the batch is not), with the batch just
 * decoded, as `pcap decode --filter` meets it.
 *
 * @module
 */
import { compileFilter, openCapture } from "../../../src/packet/mod.ts";
import { NCOLS } from "../../../src/packet/_layout.ts";

/** Filters of the kinds people write: a port, a prefix with a flag, a mix, a string search. */
export const BENCH_FILTERS: readonly string[] = [
  "tcp.port == 443",
  "ip.addr == 10.1.0.0/16 and tcp.flags.ack == 1",
  "udp.port == 53 or (tcp.len > 0 and ip.ttl < 64) or icmp",
  'dns.qry.name contains "example" || tls.handshake.extensions_server_name == "example.com"',
  "not (tcp or udp) and eth.type != 0x0806",
];

/** Matches and packets/s (best of `rounds` passes over the capture) of each filter. */
export async function benchFilters(
  bytes: Uint8Array,
  rounds = 3,
): Promise<{ expression: string; matches: number; pps: number }[]> {
  const results = [];
  for (const expression of BENCH_FILTERS) {
    const test = compileFilter(expression)._test;
    let best = Infinity, matches = 0, packets = 0;
    for (let round = 0; round < rounds; round++) {
      let timed = 0, m = 0, n = 0;
      for await (const batch of openCapture(bytes, { chunkSize: 4 << 20 })) {
        const t = batch._table, b = batch._bytes, rows = batch.length;
        const start = performance.now();
        for (let i = 0; i < rows; i++) if (test(t, b, i * NCOLS)) m++;
        timed += performance.now() - start;
        n += rows;
      }
      best = Math.min(best, timed);
      matches = m;
      packets = n;
    }
    results.push({ expression, matches, pps: packets / (best / 1000) });
  }
  return results;
}
