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
import { CAPTURE_FILE, captureFailure, captureLabel, captureSource, ENGINE_FLAG, STDIN } from "./_pcap_source.ts";
import type { CaptureSummary } from "../../packet/report/capture_summary.ts";

/** `anynet pcap report FILE -o OUT`: an HTML report of a capture. */
export const pcapReportCommand: CommandSpec = {
  name: "pcap report",
  summary: "Write a capture's summary as one self-contained HTML page",
  description: "Reads the whole capture and writes one HTML file with everything inline (no network access when " +
    "opened): a summary like capinfos (file type, link types, packets, bytes, first and last packet, duration, " +
    "rates), the protocol hierarchy like `tshark -z io,phs`, the largest conversations (as pcap conv) and " +
    "endpoints, an I/O graph of packets and bytes per interval by protocol, and the DNS query names and TLS " +
    "server names seen. Tables sort by a click on a heading; the page follows the light or dark mode of the " +
    "browser. --filter summarises only the packets that match a display filter. A capture damaged at the " +
    "file level gets the report of the packets before the damage, with a warning, and exits 1.",
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
    const { captureSummary, summaryPage } = await import("../../packet/report/capture_report.ts");
    let summary: CaptureSummary;
    try {
      summary = await captureSummary(source, {
        engine: input.flags.engine as "wasm" | "ts",
        signal: io.signal,
        ...(filter && { filter }),
        top: input.flags.top as number,
        name: (input.flags.title as string | undefined) ?? (path === STDIN ? "standard input" : undefined),
      });
    } catch (error) {
      throw captureFailure(path, error);
    }
    const damage = summary.fileError && `${captureLabel(path)}: ${summary.fileError.message}`;
    // Not a capture at all, or damaged before its first packet: there is nothing to show.
    if (damage && summary.packets === 0) throw new CommandError(damage);
    const html = await summaryPage(summary);
    const { fileErrorReason, writeTextFile } = await import("../../runtime/files.ts");
    try {
      await writeTextFile(out, html);
    } catch (error) {
      throw new CommandError(`cannot write --output ${out}: ${fileErrorReason(error)}`, { cause: error });
    }
    const what = damage ? `the ${summary.packets} packets before the damage` : path === STDIN ? "standard input" : path;
    await io.err(`report of ${what} written to ${out} (${html.length} bytes)\n`);
    // Like pcap stats: the figures of what could be read, and exit 1 for the damage.
    if (damage) throw new CommandError(damage);
    return 0;
  },
};
