/**
 * `anynet pcap conv FILE`: the connections of a capture as Zeek's conn.log has them, or
 * with --endpoints the traffic per address, or with --hierarchy the protocol hierarchy
 * (`tshark -z io,phs`).
 *
 * @module
 */
import { type CommandIO, type CommandSpec, UsageError } from "../command.ts";
import type { ConnRecord } from "../../packet/conversations.ts";
import type { HierarchyNode } from "../../packet/_protocol_hierarchy.ts";
import { CAPTURE_FILE, captureFailure, captureSource, ENGINE_FLAG } from "./_pcap_source.ts";
import { compileFilterFlag, FILTER_FLAG } from "./_pcap_filter.ts";
import type { CaptureSource } from "../../packet/open_capture.ts";
import type { PacketFilter } from "../../packet/packet_filter.ts";
import { DEFAULT_MAX_CONNECTIONS, MAX_CONNECTIONS } from "../../packet/_conn_limits.ts";
import { checkTableOutput, TABLE_FORMATS, writeTableFile } from "./_table_file.ts";
import type { ExportFormat } from "../../packet/export/table.ts";

function isoSeconds(ts: number): string {
  return new Date(ts * 1000).toISOString().replace("T", " ").replace("Z", "");
}

function endText(host: string, port: number, proto: string): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return proto === "tcp" || proto === "udp" || proto === "sctp" || proto === "icmp" ? `${h}:${port}` : h;
}

const HEADER = [
  "start".padEnd(23),
  "duration".padStart(10),
  "proto".padEnd(5),
  "originator".padEnd(21),
  "  ",
  "responder".padEnd(21),
  "state".padEnd(6),
  "history".padEnd(10),
  "orig pkts/bytes".padStart(17),
  "resp pkts/bytes".padStart(17),
  "community_id",
].join(" ");

/** One aligned table line (columns sized for IPv4; an IPv6 address widens its own line). */
function connLine(c: ConnRecord): string {
  return [
    isoSeconds(c.ts).padEnd(23),
    c.duration.toFixed(3).padStart(10),
    c.proto.padEnd(5),
    endText(c["id.orig_h"], c["id.orig_p"], c.proto).padEnd(21),
    "->",
    endText(c["id.resp_h"], c["id.resp_p"], c.proto).padEnd(21),
    c.conn_state.padEnd(6),
    (c.history || "-").padEnd(10),
    `${c.orig_pkts}/${c.orig_bytes}`.padStart(17),
    `${c.resp_pkts}/${c.resp_bytes}`.padStart(17),
    c.community_id,
  ].join(" ");
}

function hierarchyLines(node: HierarchyNode, total: number, depth: number, out: string[]): void {
  const share = total > 0 ? ((node.frames / total) * 100).toFixed(2) : "0.00";
  out.push(
    `${"  ".repeat(depth)}${node.protocol}`.padEnd(32) + `frames:${node.frames}`.padEnd(16) +
      `bytes:${node.bytes}`.padEnd(18) + `${share}%`,
  );
  for (const child of node.children) hierarchyLines(child, total, depth + 1, out);
}

function hierarchyJson(node: HierarchyNode): unknown {
  return {
    protocol: node.protocol,
    frames: node.frames,
    bytes: node.bytes,
    children: node.children.map(hierarchyJson),
  };
}

async function printHierarchy(
  source: CaptureSource,
  json: boolean,
  engine: "wasm" | "ts",
  filter: PacketFilter | undefined,
  io: CommandIO,
): Promise<unknown> {
  const { openCapture } = await import("../../packet/mod.ts");
  const { ProtocolHierarchy } = await import("../../packet/_protocol_hierarchy.ts");
  const tree = new ProtocolHierarchy();
  let failure: unknown;
  try {
    for await (const batch of openCapture(source, { engine, signal: io.signal, filter })) {
      tree.addRows(batch._table, batch.length);
    }
  } catch (error) {
    failure = error;
  }
  if (json) await io.out(JSON.stringify(hierarchyJson(tree.root)) + "\n");
  else {
    const lines = ["Protocol hierarchy (frames and bytes containing each protocol)"];
    hierarchyLines(tree.root, tree.root.frames, 0, lines);
    await io.out(lines.join("\n") + "\n");
  }
  return failure;
}

/** Says on standard error when connections left a full table before they ended. */
async function warnEvicted(evicted: number, maxConnections: number, io: CommandIO): Promise<void> {
  if (evicted === 0) return;
  await io.err(
    `anynet pcap conv: the connection table was full (--max-conns ${maxConnections}): ${evicted} connections ` +
      `were written early, and a later packet of one started a new row\n`,
  );
}

/** `anynet pcap conv FILE`: connections, endpoints or the protocol hierarchy of a capture. */
export const pcapConvCommand: CommandSpec = {
  name: "pcap conv",
  summary: "List a capture's connections like Zeek's conn.log, its endpoints or its protocol hierarchy",
  description: "One row per connection as Zeek's conn.log writes it: start, duration, protocol, originator and " +
    "responder, packets and bytes each way, conn_state (S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, " +
    "SHR, OTH), history and the Community ID (version 1), so rows join with Zeek, Suricata, Elastic and Arkime. " +
    "A table on a terminal, NDJSON with Zeek's field names with --json. --endpoints sums the connections per " +
    "address (packets and IP bytes sent and received); --hierarchy counts frames and bytes per chain of " +
    "protocols like `tshark -z io,phs`. At most --max-conns connections are tracked at once: past that one of " +
    "the least recently active leaves the table, and standard error says how many had not ended by then.",
  positionals: [CAPTURE_FILE],
  flags: [
    { name: "json", type: "boolean", description: "Print NDJSON, one object per row" },
    {
      name: "endpoints",
      type: "boolean",
      description: "Per address: connections, packets and IP bytes sent and received",
    },
    { name: "hierarchy", type: "boolean", description: "The protocol hierarchy, like tshark -z io,phs" },
    FILTER_FLAG,
    {
      name: "community-id-seed",
      type: "integer",
      valueName: "N",
      min: 0,
      max: 65535,
      default: 0,
      description: "Seed of the Community ID",
    },
    {
      name: "max-conns",
      type: "integer",
      valueName: "N",
      min: 1,
      max: MAX_CONNECTIONS,
      default: DEFAULT_MAX_CONNECTIONS,
      description: "Most connections tracked at once (about 460 bytes each)",
    },
    ENGINE_FLAG,
    {
      name: "format",
      type: "string",
      choices: TABLE_FORMATS,
      description: "Write the connections as a table to -o OUT (as pcap export)",
    },
    { name: "output", short: "o", type: "string", valueName: "OUT", description: "The file --format writes" },
  ],
  examples: [
    "pcap conv capture.pcap",
    "pcap conv capture.pcap --format parquet -o conns.parquet",
    "pcap conv capture.pcap.gz --json",
    "pcap conv capture.pcap --endpoints",
    "pcap conv capture.pcap --hierarchy",
    'pcap conv capture.pcap --filter "tcp.port == 443"',
  ],
  async run(input, io) {
    const path = input.positionals[0];
    const json = input.flags.json === true;
    const engine = input.flags.engine as "wasm" | "ts";
    if (input.flags.endpoints === true && input.flags.hierarchy === true) {
      throw new UsageError("--endpoints and --hierarchy are separate reports: choose one");
    }
    const tableFormat = input.flags.format as ExportFormat | undefined;
    if (tableFormat !== undefined && (json || input.flags.endpoints === true || input.flags.hierarchy === true)) {
      throw new UsageError(
        "--format writes the connections to a file: it does not go with --json, --endpoints or --hierarchy",
      );
    }
    if (tableFormat === undefined && input.flags.output !== undefined) {
      throw new UsageError("-o goes with --format parquet|csv|ndjson");
    }
    const filter = await compileFilterFlag(input.flags.filter as string | undefined);
    const { source } = await captureSource(path, io.signal);
    const out = tableFormat && (await checkTableOutput(input.flags.output as string | undefined, "pcap conv --format"));
    const { conversations } = await import("../../packet/mod.ts");
    if (input.flags.hierarchy === true) {
      const failure = await printHierarchy(source, json, engine, filter, io);
      if (failure !== undefined) throw captureFailure(path, failure);
      return 0;
    }
    const maxConnections = input.flags["max-conns"] as number;
    const conns = conversations(source, {
      engine,
      signal: io.signal,
      maxConnections,
      communityIdSeed: input.flags["community-id-seed"] as number,
      filter,
    });
    if (tableFormat && out) {
      const { CONN_COLUMNS } = await import("../../packet/export/conn_columns.ts");
      const { recordBlocks } = await import("../../packet/export/table.ts");
      await writeTableFile(out, tableFormat, CONN_COLUMNS, recordBlocks(CONN_COLUMNS, conns), path, io, "connections");
      await warnEvicted(conns.summary.evicted, maxConnections, io);
      return 0;
    }
    // Addresses past the bound are summed under one row instead of growing the table.
    const endpoints = input.flags.endpoints === true
      ? new (await import("../../packet/_endpoints.ts")).EndpointTable(maxConnections)
      : undefined;
    const tty = !json;
    let lines: string[] = tty && !endpoints ? [HEADER] : [];
    let failure: unknown;
    try {
      for await (const c of conns) {
        if (endpoints) {
          endpoints.add(c);
          continue;
        }
        lines.push(json ? JSON.stringify(c) : connLine(c));
        if (lines.length >= 512) {
          await io.out(lines.join("\n") + "\n");
          lines = [];
        }
      }
    } catch (error) {
      failure = error;
    }
    if (endpoints) {
      const rows = endpoints.sorted();
      if (json) lines = rows.map((e) => JSON.stringify(e));
      else {
        lines = [
          "address".padEnd(39) + " " + "conns".padStart(7) + " " + "tx pkts".padStart(10) + " " +
          "tx bytes".padStart(14) + " " + "rx pkts".padStart(10) + " " + "rx bytes".padStart(14),
          ...rows.map((e) =>
            e.address.padEnd(39) + " " + String(e.connections).padStart(7) + " " + String(e.tx_pkts).padStart(10) +
            " " +
            String(e.tx_ip_bytes).padStart(14) + " " + String(e.rx_pkts).padStart(10) + " " +
            String(e.rx_ip_bytes).padStart(14)
          ),
        ];
      }
    }
    if (lines.length) await io.out(lines.join("\n") + "\n");
    await warnEvicted(conns.summary.evicted, maxConnections, io);
    if (endpoints?.overflowed) {
      await io.err(
        `anynet pcap conv: more than ${maxConnections} addresses: the rest are summed as '(other addresses)'\n`,
      );
    }
    if (failure !== undefined) throw captureFailure(path, failure);
    return 0;
  },
};
