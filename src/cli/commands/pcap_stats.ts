import type { CommandSpec } from "../command.ts";
import { CommandError } from "../command.ts";
import type { CaptureStats } from "../../packet/mod.ts";
import { isTerminal } from "../../runtime/process.ts";
import { checkCaptureFile } from "./_pcap_source.ts";

function summary(s: CaptureStats): string {
  const lines = [
    `packets        ${s.packets}`,
    `bytes          ${s.bytes} (captured ${s.capturedBytes})`,
    `first          ${s.first ?? "-"}`,
    `last           ${s.last ?? "-"}`,
    `errors         ${s.errors}`,
    `protocols`,
    ...Object.entries(s.protocols).filter(([, n]) => n > 0).map(([p, n]) => `  ${p.padEnd(12)} ${n}`),
    `flows          ${s.flows}`,
    ...s.topFlows.map((f) =>
      `  ${String(f.proto).padStart(3)} ${f.a} <-> ${f.b}  ${f.packets} packets, ${f.bytes} bytes`
    ),
  ];
  return lines.join("\n") + "\n";
}

/** `anynet pcap stats FILE`: counts, protocol hierarchy and conversations of a capture. */
export const pcapStatsCommand: CommandSpec = {
  name: "pcap stats",
  summary: "Count packets, bytes, protocols and conversations of a capture",
  description: "Like capinfos with Wireshark's protocol hierarchy and conversations: packets, bytes, first and last " +
    "timestamp, packets per protocol, distinct flows and the ten largest. Streams the file in constant " +
    "memory. A file damaged at the file level prints the statistics up to the damage and exits 1.",
  positionals: [{ name: "FILE", description: "The pcap or pcapng file" }],
  flags: [
    { name: "json", type: "boolean", description: "Print one JSON object" },
    { name: "engine", type: "string", choices: ["wasm", "ts"], default: "wasm", description: "Decoder implementation" },
  ],
  examples: ["pcap stats capture.pcap", "pcap stats capture.pcapng --json"],
  async run(input, io) {
    const path = input.positionals[0];
    const size = await checkCaptureFile(path);
    // Loaded on use, so other commands do not pay for the decoder at startup.
    const { captureStats } = await import("../../packet/mod.ts");
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
    try {
      stats = await captureStats(path, { engine, signal: io.signal, onProgress });
    } catch (error) {
      throw new CommandError(`cannot read capture '${path}': ${(error as Error).message}`, { cause: error });
    }
    if (progress) await io.err("\x1b[2K\r");
    const { fileError, ...rest } = stats;
    await io.out(input.flags.json ? JSON.stringify(rest) + "\n" : summary(stats));
    if (fileError) throw new CommandError(`${path}: ${fileError.message}`);
    return 0;
  },
};
