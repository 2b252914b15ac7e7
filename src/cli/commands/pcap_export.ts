/**
 * `anynet pcap export`: a capture as a table for query engines (Parquet, CSV, NDJSON), one
 * row per packet; the output file is removed when the export fails part way.
 *
 * @module
 */
import type { CommandSpec } from "../command.ts";
import { compileFilterFlag, FILTER_FLAG } from "./_pcap_filter.ts";
import { CAPTURE_FILE, captureSource, ENGINE_FLAG } from "./_pcap_source.ts";
import { checkTableOutput, TABLE_FORMATS, writeTableFile } from "./_table_file.ts";
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
  positionals: [CAPTURE_FILE],
  flags: [
    {
      name: "format",
      type: "string",
      choices: TABLE_FORMATS,
      default: "parquet",
      description: "Output format",
    },
    { name: "output", short: "o", type: "string", valueName: "OUT", description: "The file to write (required)" },
    FILTER_FLAG,
    ENGINE_FLAG,
  ],
  examples: [
    "pcap export capture.pcap -o packets.parquet",
    "pcap export capture.pcapng --format csv -o packets.csv",
    'pcap export capture.pcap --filter "dns" --format ndjson -o dns.ndjson',
  ],
  async run(input, io) {
    const path = input.positionals[0];
    const format = input.flags.format as ExportFormat;
    const filter = await compileFilterFlag(input.flags.filter as string | undefined);
    const { source } = await captureSource(path, io.signal);
    const out = await checkTableOutput(input.flags.output as string | undefined, "pcap export");
    // Loaded on use, so other commands do not pay for the decoder or the writers at startup.
    const { openCapture } = await import("../../packet/mod.ts");
    const { PACKET_COLUMNS, packetBlocks } = await import("../../packet/export/packet_columns.ts");
    const engine = input.flags.engine as "wasm" | "ts";
    const batches = openCapture(source, { engine, signal: io.signal, filter });
    await writeTableFile(out, format, PACKET_COLUMNS, packetBlocks(batches), path, io, "packets");
    return 0;
  },
};
