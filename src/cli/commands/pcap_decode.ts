import { CommandError, type CommandSpec } from "../command.ts";
import { checkOutputFile } from "./_output_file.ts";
import { compileFilterFlag, FILTER_FLAG } from "./_pcap_filter.ts";
import { CAPTURE_FILE, captureFailure, captureSource, ENGINE_FLAG } from "./_pcap_source.ts";

/** `--separator` as typed: the escapes a shell makes awkward. */
function separatorText(value: string): string {
  return value.replace(/\\t/g, "\t").replace(/\\n/g, "\n");
}

/** `anynet pcap decode FILE`: one line (or one JSON object) per packet. */
export const pcapDecodeCommand: CommandSpec = {
  name: "pcap decode",
  summary: "Decode a pcap or pcapng capture, one line or JSON object per packet",
  description: "Reads the capture as a stream (any size, constant memory) and prints one line per packet like " +
    "`tcpdump -n`, or with --json one JSON object per line (NDJSON) with the decoded layers, or with --fields " +
    "the named fields like `tshark -T fields`. --filter keeps the packets that match a display filter in " +
    "tshark's spelling (`tcp.port == 443 and not ip.addr == 10.0.0.0/8`; see docs/packets.md for the fields); " +
    "-w writes them to a capture file, bytes unchanged. A malformed packet carries an `error` and does not " +
    "stop the decode; a file damaged at the file level prints every packet before the damage, then the " +
    "error, and exits 1. FILE - reads standard input as it arrives, so " +
    "`tcpdump -i lo -U -w - | anynet pcap decode -` decodes live; Ctrl-C ends it with the count.",
  positionals: [CAPTURE_FILE],
  flags: [
    { name: "json", type: "boolean", description: "Print NDJSON, one object per packet" },
    FILTER_FLAG,
    {
      name: "fields",
      type: "string",
      valueName: "A,B,…",
      description: "Print these fields (tshark names), one line per packet, empty where absent",
    },
    { name: "separator", type: "string", valueName: "S", description: "Between --fields values (default: tab)" },
    { name: "header", type: "boolean", description: "With --fields: a first line with the field names" },
    {
      name: "write",
      short: "w",
      type: "string",
      valueName: "OUT",
      description: "Write the matching packets to OUT (.pcapng: pcapng, .pcap: pcap, else the input's format)",
    },
    { name: "limit", type: "integer", min: 1, valueName: "N", description: "Stop after N packets" },
    ENGINE_FLAG,
  ],
  examples: [
    "pcap decode capture.pcap",
    "pcap decode capture.pcapng --json --limit 10",
    'pcap decode capture.pcap --filter "tcp.flags.syn == 1 and tcp.flags.ack == 0"',
    "pcap decode capture.pcap --filter dns --fields frame.number,ip.src,dns.qry.name --header",
    'pcap decode capture.pcap --filter "ip.addr == 10.0.0.0/8" -w internal.pcap',
    "pcap decode capture.pcap.gz",
    "pcap decode -",
  ],
  async run(input, io) {
    const path = input.positionals[0];
    const json = input.flags.json === true;
    const fieldsFlag = input.flags.fields as string | undefined;
    const out = input.flags.write as string | undefined;
    if (fieldsFlag !== undefined && json) {
      throw new CommandError("--fields and --json cannot be combined", { exitCode: 2 });
    }
    if (fieldsFlag === undefined && (input.flags.separator !== undefined || input.flags.header === true)) {
      throw new CommandError("--separator and --header go with --fields", { exitCode: 2 });
    }
    const filter = await compileFilterFlag(input.flags.filter as string | undefined);
    const fields = fieldsFlag === undefined ? undefined : await fieldList(fieldsFlag);
    const { source } = await captureSource(path, io.signal);
    if (out !== undefined) await checkOutputFile("write", out);
    // Loaded on use, so other commands do not pay for the decoder at startup.
    const { openCapture } = await import("../../packet/mod.ts");
    const { packetLine } = await import("../../packet/_text.ts");
    const { fieldText } = await import("../../packet/filter/field_text.ts");
    const { NCOLS } = await import("../../packet/_layout.ts");
    const limit = (input.flags.limit as number | undefined) ?? Infinity;
    const engine = input.flags.engine as "wasm" | "ts";
    const separator = separatorText((input.flags.separator as string | undefined) ?? "\t");
    // With -w, packets go to the file and nothing is printed unless asked for.
    const print = out === undefined || json || fields !== undefined;
    const writer = out === undefined ? undefined : await openCaptureOutput(out);
    let printed = 0;
    try {
      if (fields && input.flags.header === true) await io.out(fields.map((f) => f.name).join(separator) + "\n");
      for await (const batch of openCapture(source, { engine, signal: io.signal, filter })) {
        const lines: string[] = [];
        const n = Math.min(batch.length, limit - printed);
        const t = batch._table, b = batch._bytes;
        for (let i = 0; i < n; i++) {
          writer?.rows.add(t, b, i * NCOLS);
          if (!print) continue;
          if (fields) lines.push(fields.map((f) => fieldText(f, t, b, i * NCOLS)).join(separator));
          else {
            const record = batch.get(i);
            lines.push(json ? JSON.stringify(record) : packetLine(record));
          }
        }
        printed += n;
        if (writer) await writer.flush();
        if (lines.length) await io.out(lines.join("\n") + "\n");
        if (printed >= limit || io.signal.aborted) break;
      }
    } catch (error) {
      if (error instanceof RangeError && writer) {
        throw new CommandError(`-w ${out}: ${error.message}`, { cause: error });
      }
      throw captureFailure(path, error);
    } finally {
      await writer?.close();
    }
    if (writer && !print) await io.err(`${writer.rows.count} packets written to ${out}\n`);
    // Interrupted (Ctrl-C on a live capture): say how far it got, as tcpdump does.
    else if (io.signal.aborted) await io.err(`${printed} packets decoded\n`);
    return 0;
  },
};

/** The fields `--fields` names, each checked (exit 2 on an unknown one). */
async function fieldList(text: string) {
  const { printableField } = await import("../../packet/filter/field_text.ts");
  const { FIELD_NAMES, FIELDS } = await import("../../packet/filter/fields.ts");
  const { closest } = await import("../../_suggest.ts");
  return text.split(",").map((raw) => {
    const name = raw.trim();
    const field = printableField(name);
    if (field) return field;
    const why = FIELDS.has(name)
      ? `'${name}' is a protocol, not a field with a value`
      : `unknown field '${name}'${closest(name, FIELD_NAMES) ? ` (did you mean ${closest(name, FIELD_NAMES)}?)` : ""}`;
    throw new CommandError(`--fields: ${name === "" ? "empty field name" : why}`, { exitCode: 2 });
  });
}

/** The -w file: the rows writer and the file it flushes to. */
async function openCaptureOutput(path: string) {
  const { CaptureRowWriter } = await import("../../packet/capture_writer.ts");
  const { openFileWriter } = await import("../../runtime/files.ts");
  const format = /\.pcapng$/i.test(path) ? "pcapng" : /\.(pcap|cap|dmp)$/i.test(path) ? "pcap" : "auto";
  const rows = new CaptureRowWriter(format);
  const file = await openFileWriter(path);
  let closed = false;
  return {
    rows,
    async flush(): Promise<void> {
      const bytes = rows.take();
      if (bytes.length) await file.write(bytes);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      try {
        await file.write(rows.finish());
      } finally {
        await file.close();
      }
    },
  };
}
