import type { CommandSpec } from "../command.ts";
import { captureFailure, captureSource } from "./_pcap_source.ts";

/** `anynet pcap decode FILE`: one line (or one JSON object) per packet. */
export const pcapDecodeCommand: CommandSpec = {
  name: "pcap decode",
  summary: "Decode a pcap or pcapng capture, one line or JSON object per packet",
  description: "Reads the capture as a stream (any size, constant memory) and prints one line per packet like " +
    "`tcpdump -n`, or with --json one JSON object per line (NDJSON) with the decoded layers. A malformed " +
    "packet carries an `error` and does not stop the decode; a file damaged at the file level prints every " +
    "packet before the damage, then the error, and exits 1. FILE - reads standard input as it arrives, so " +
    "`tcpdump -i lo -U -w - | anynet pcap decode -` decodes live; Ctrl-C ends it with the count.",
  positionals: [{ name: "FILE", description: "The pcap or pcapng file (gzip-compressed too); - reads standard input" }],
  flags: [
    { name: "json", type: "boolean", description: "Print NDJSON, one object per packet" },
    { name: "limit", type: "integer", min: 1, valueName: "N", description: "Stop after N packets" },
    { name: "engine", type: "string", choices: ["wasm", "ts"], default: "wasm", description: "Decoder implementation" },
  ],
  examples: [
    "pcap decode capture.pcap",
    "pcap decode capture.pcapng --json --limit 10",
    "pcap decode capture.pcap.gz",
    "pcap decode -",
  ],
  async run(input, io) {
    const path = input.positionals[0];
    const { source } = await captureSource(path, io.signal);
    // Loaded on use, so other commands do not pay for the decoder at startup.
    const { openCapture } = await import("../../packet/mod.ts");
    const { packetLine } = await import("../../packet/_text.ts");
    const json = input.flags.json === true;
    const limit = (input.flags.limit as number | undefined) ?? Infinity;
    const engine = input.flags.engine as "wasm" | "ts";
    let printed = 0;
    try {
      for await (const batch of openCapture(source, { engine, signal: io.signal })) {
        const lines: string[] = [];
        const n = Math.min(batch.length, limit - printed);
        for (let i = 0; i < n; i++) {
          const record = batch.get(i);
          lines.push(json ? JSON.stringify(record) : packetLine(record));
        }
        printed += n;
        if (lines.length) await io.out(lines.join("\n") + "\n");
        if (printed >= limit || io.signal.aborted) break;
      }
    } catch (error) {
      throw captureFailure(path, error);
    }
    // Interrupted (Ctrl-C on a live capture): say how far it got, as tcpdump does.
    if (io.signal.aborted) await io.err(`${printed} packets decoded\n`);
    return 0;
  },
};
