import type { CommandSpec } from "../command.ts";
import { CommandError } from "../command.ts";
import type { CaptureStats, FlowStats } from "../../packet/capture_stats.ts";
import { DEFAULT_MAX_FLOWS, MAX_FLOWS } from "../../packet/_layout.ts";
import { isTerminal } from "../../runtime/process.ts";
import { compileFilterFlag, FILTER_FLAG } from "./_pcap_filter.ts";
import { CAPTURE_FILE, captureFailure, captureLabel, captureSource, ENGINE_FLAG } from "./_pcap_source.ts";

function flowLine(f: FlowStats): string {
  // A flow evicted earlier restarted its counts: what is shown is a lower bound.
  const counts = `${f.packets} packets, ${f.bytes} bytes`;
  return `  ${String(f.proto).padStart(3)} ${f.a} <-> ${f.b}  ${f.exact ? counts : `at least ${counts}`}`;
}

/** What the text output says about flows, and about the table bound once it was reached. */
function flowLines(s: CaptureStats, asked: number): string[] {
  const t = s.flowTable;
  if (!t.full) return [`flows          ${s.flows}`, ...s.topFlows.map(flowLine)];
  const bound = t.maxFlows < asked
    ? `the ${t.maxFlows} the flow table held when WebAssembly memory ran out`
    : `the ${t.maxFlows} the flow table holds; --max-flows`;
  return [
    `flows          ~${s.flows} (estimated: more than ${bound})`,
    ...s.topFlows.map(flowLine),
    `  top ${s.topFlows.length}`.padEnd(15) +
    (s.topFlowsExact ? "exact (proven despite the evictions)" : "not proven exact"),
    `  evicted      ${t.evictedFlows} flows in ${t.evictions} evictions: ${t.evictedPackets} packets, ` +
    `${t.evictedBytes} bytes`,
  ];
}

function summary(s: CaptureStats, maxFlows: number): string {
  const lines = [
    `packets        ${s.packets}`,
    `bytes          ${s.bytes} (captured ${s.capturedBytes})`,
    `first          ${s.first ?? "-"}`,
    `last           ${s.last ?? "-"}`,
    `errors         ${s.errors}`,
    `protocols`,
    ...Object.entries(s.protocols).filter(([, n]) => n > 0).map(([p, n]) => `  ${p.padEnd(12)} ${n}`),
    ...flowLines(s, maxFlows),
  ];
  return lines.join("\n") + "\n";
}

/** `anynet pcap stats FILE`: counts, protocol hierarchy and conversations of a capture. */
export const pcapStatsCommand: CommandSpec = {
  name: "pcap stats",
  summary: "Count packets, bytes, protocols and conversations of a capture",
  description: "Like capinfos with Wireshark's protocol hierarchy and conversations: packets, bytes, first and last " +
    "timestamp, packets per protocol, distinct flows and the ten largest. Streams the file in constant " +
    "memory: the flow table holds at most --max-flows flows (about 128 bytes each); past that, the smaller " +
    "half is evicted, the flow count becomes an estimate (~N) and the output says whether the top flows " +
    "are still proven exact. A file damaged at the file level prints the statistics up to the damage and exits 1.",
  positionals: [CAPTURE_FILE],
  flags: [
    { name: "json", type: "boolean", description: "Print one JSON object" },
    FILTER_FLAG,
    ENGINE_FLAG,
    {
      name: "max-flows",
      type: "integer",
      valueName: "N",
      min: 1,
      max: MAX_FLOWS,
      default: DEFAULT_MAX_FLOWS,
      description: "Most flows held at once; past it the smaller half is evicted",
    },
  ],
  examples: [
    "pcap stats capture.pcap",
    "pcap stats capture.pcapng --json",
    'pcap stats capture.pcap --filter "udp.port == 53"',
    "pcap stats big.pcap --max-flows 100000",
  ],
  async run(input, io) {
    const path = input.positionals[0];
    const filter = await compileFilterFlag(input.flags.filter as string | undefined);
    const { source, size } = await captureSource(path, io.signal);
    // Loaded on use, so other commands do not pay for the decoder at startup; only the
    // counting module, not the whole packet API (filters, conversations, writers).
    const { captureStats } = await import("../../packet/capture_stats.ts");
    const engine = input.flags.engine as "wasm" | "ts";
    // A progress bar for large files, only on a terminal (never in pipes or logs).
    const progress = isTerminal("stderr") && size > 64 * 1024 * 1024;
    let shown = -1;
    const onProgress = progress
      ? (bytes: number) => {
        const percent = Math.min(100, Math.floor((bytes / size) * 100));
        if (percent === shown) return;
        shown = percent;
        const bar = "#".repeat(Math.floor(percent / 4)).padEnd(25, ".");
        void io.err(`\r[${bar}] ${percent}% of ${(size / 1048576).toFixed(0)} MiB`);
      }
      : undefined;
    let stats: CaptureStats;
    const maxFlows = input.flags["max-flows"] as number;
    try {
      stats = await captureStats(source, { engine, signal: io.signal, onProgress, maxFlows, filter });
    } catch (error) {
      // WebAssembly memory could not grow (for the flow table or the input): not the file's
      // fault, and the flow table's size is the flag's.
      if (error instanceof RangeError) {
        throw new CommandError(error.message.replace("maxFlows", "--max-flows"), { cause: error });
      }
      throw captureFailure(path, error);
    }
    if (progress) await io.err("\x1b[2K\r");
    const { fileError, ...rest } = stats;
    await io.out(input.flags.json ? JSON.stringify(rest) + "\n" : summary(stats, maxFlows));
    if (fileError) throw new CommandError(`${captureLabel(path)}: ${fileError.message}`);
    return 0;
  },
};
