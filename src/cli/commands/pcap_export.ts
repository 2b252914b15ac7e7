/**
 * `anynet pcap export`: a capture as a table for query engines (Parquet, CSV, NDJSON), one
 * row per packet; the output file is removed when the export fails part way.
 *
 * @module
 */
import { CommandError, type CommandSpec } from "../command.ts";
import { checkOutputFile } from "./_output_file.ts";
import { compileFilterFlag } from "./_pcap_filter.ts";
import { checkCaptureFile } from "./_pcap_source.ts";
import type { ExportFormat } from "../../packet/export/table.ts";

/** `anynet pcap export FILE --format F -o OUT`: one row per packet for DuckDB, Spark, Polars. */
export const pcapExportCommand: CommandSpec = {
  name: "pcap export",
  summary: "Export a capture as a table, one row per packet: Parquet, CSV or NDJSON",
  description: "Writes one flat row per packet (frame number, timestamp in nanoseconds, lengths, link type, " +
    "Ethernet, VLAN, IP addresses, TTL, protocol, ports, TCP flags, sequence numbers and window, UDP length, " +
    "ICMP type and code, DNS query, TLS SNI, HTTP request line and host, decoding error, Community ID) for " +
    "query engines such as DuckDB, Spark, Trino and Polars; a field a packet lacks is null. Parquet is written " +
    "in row groups of 65536 rows as the capture streams, so memory stays constant whatever its size. " +
    "--filter keeps the packets that match a display filter. On failure the output file is removed.",
  positionals: [{ name: "FILE", description: "The pcap or pcapng file" }],
  flags: [
    {
      name: "format",
      type: "string",
      choices: ["parquet", "csv", "ndjson"],
      default: "parquet",
      description: "Output format",
    },
    { name: "output", short: "o", type: "string", valueName: "OUT", description: "The file to write (required)" },
    { name: "filter", type: "string", valueName: "EXPR", description: "Only packets matching this display filter" },
    { name: "engine", type: "string", choices: ["wasm", "ts"], default: "wasm", description: "Decoder implementation" },
  ],
  examples: [
    "pcap export capture.pcap -o packets.parquet",
    "pcap export capture.pcapng --format csv -o packets.csv",
    'pcap export capture.pcap --filter "dns" --format ndjson -o dns.ndjson',
  ],
  async run(input, io) {
    const path = input.positionals[0];
    const out = input.flags.output as string | undefined;
    const format = input.flags.format as ExportFormat;
    if (out === undefined) throw new CommandError("pcap export needs -o OUT, the file to write", { exitCode: 2 });
    const filter = await compileFilterFlag(input.flags.filter as string | undefined);
    await checkCaptureFile(path);
    await checkOutputFile("output", out);
    // Loaded on use, so other commands do not pay for the decoder or the writers at startup.
    const { CaptureError, openCapture } = await import("../../packet/mod.ts");
    const { exportTable } = await import("../../packet/export/export_table.ts");
    const { PACKET_COLUMNS, packetBlocks } = await import("../../packet/export/packet_columns.ts");
    const { openFileWriter, removeFile } = await import("../../runtime/files.ts");
    const engine = input.flags.engine as "wasm" | "ts";
    const file = await openFileWriter(out);
    let rows: number;
    try {
      const batches = openCapture(path, { engine, signal: io.signal, filter });
      rows = await exportTable(format, PACKET_COLUMNS, packetBlocks(batches), file);
      await file.close();
      // An interrupted export is not the table of the capture: it goes like a failed one.
      if (io.signal.aborted) throw new Error("interrupted");
    } catch (error) {
      await file.close().catch(() => {});
      await removeFile(out).catch(() => {});
      const reason = error instanceof CaptureError ? `${path}: ${error.message}` : (error as Error).message;
      throw new CommandError(`${reason}; ${out} removed`, { cause: error });
    }
    await io.err(`${rows} packets written to ${out} (${format})\n`);
    return 0;
  },
};
