/**
 * `anynet pcap report FILE -o report.html`: a capture's summary as one self-contained
 * HTML page (capinfos' figures, protocol hierarchy, conversations, endpoints, I/O graph,
 * DNS and TLS names) that opens in a browser with no network.
 *
 * @module
 */
import { CommandError, type CommandSpec, UsageError } from "../command.ts";
import { checkOutputFile } from "./_output_file.ts";
import { compileFilterFlag, FILTER_FLAG } from "./_pcap_filter.ts";
import { CAPTURE_FILE, captureFailure, captureSource, ENGINE_FLAG, STDIN } from "./_pcap_source.ts";

/** `anynet pcap report FILE -o OUT`: an HTML report of a capture. */
export const pcapReportCommand: CommandSpec = {
  name: "pcap report",
  summary: "Write a capture's summary as one self-contained HTML page",
  description: "Reads the whole capture and writes one HTML file with everything inline (no network access when " +
    "opened): a summary like capinfos (file type, link types, packets, bytes, first and last packet, duration, " +
    "rates), the protocol hierarchy like `tshark -z io,phs`, the largest conversations (as pcap conv) and " +
    "endpoints, an I/O graph of packets and bytes per interval by protocol, and the DNS query names and TLS " +
    "server names seen. Tables sort by a click on a heading; the page follows the light or dark mode of the " +
    "browser. --filter summarises only the packets that match a display filter.",
  positionals: [CAPTURE_FILE],
  flags: [
    { name: "output", short: "o", type: "string", valueName: "OUT", description: "The HTML file to write (required)" },
    FILTER_FLAG,
    {
      name: "top",
      type: "integer",
      valueName: "N",
      min: 1,
      max: 10000,
      default: 50,
      description: "Rows in each top list (conversations, endpoints, names)",
    },
    {
      name: "title",
      type: "string",
      valueName: "TEXT",
      description: "The capture's name in the title (default: FILE's name)",
    },
    ENGINE_FLAG,
  ],
  examples: [
    "pcap report capture.pcap -o report.html",
    'pcap report capture.pcapng --filter "tcp.port == 443" -o https.html',
  ],
  async run(input, io) {
    const path = input.positionals[0];
    const out = input.flags.output as string | undefined;
    if (out === undefined) throw new UsageError("pcap report needs -o OUT, the HTML file to write");
    const filter = await compileFilterFlag(input.flags.filter as string | undefined);
    const { source } = await captureSource(path, io.signal);
    await checkOutputFile("output", out);
    // Loaded on use, so other commands do not pay for the decoder or the page's scripts.
    const { captureReport } = await import("../../packet/report/capture_report.ts");
    let html: string;
    try {
      html = await captureReport(source, {
        engine: input.flags.engine as "wasm" | "ts",
        signal: io.signal,
        ...(filter && { filter }),
        top: input.flags.top as number,
        name: (input.flags.title as string | undefined) ?? (path === STDIN ? "standard input" : undefined),
      });
    } catch (error) {
      throw captureFailure(path, error);
    }
    const { fileErrorReason, writeTextFile } = await import("../../runtime/files.ts");
    try {
      await writeTextFile(out, html);
    } catch (error) {
      throw new CommandError(`cannot write --output ${out}: ${fileErrorReason(error)}`, { cause: error });
    }
    await io.err(`report of ${path === STDIN ? "standard input" : path} written to ${out} (${html.length} bytes)\n`);
    return 0;
  },
};
