/**
 * `captureSummary()` and `captureReport()`: a capture read through `SummaryBuilder`, as
 * data or as one self-contained HTML page (what `anynet pcap report` writes).
 *
 * @module
 */
import { checkOptionsObject, refuse } from "../../_argument_checks.ts";
import { openFileReader } from "../../runtime/files.ts";
import { checkEngine, type Engine } from "../_engine.ts";
import { checkSource } from "../_drive.ts";
import { type CaptureSource, openCapture } from "../open_capture.ts";
import { filterOption, type PacketFilter } from "../packet_filter.ts";
import { CaptureError } from "../capture_error.ts";
import { type CaptureSummary, SummaryBuilder } from "./capture_summary.ts";
import { captureFileFormat } from "./_file_format.ts";
import { reportHtml } from "./_report_html.ts";

/** Options for {@linkcode captureSummary} and {@linkcode captureReport}. */
export interface CaptureReportOptions {
  /** The decoder implementation. @default {"wasm"} */
  engine?: Engine;
  /** Stops reading early when aborted; the summary covers what was read. */
  signal?: AbortSignal;
  /** Only the packets that match this display filter count (tshark's spelling). */
  filter?: string | PacketFilter;
  /** The capture's name in the title. @default {the file name of a path source, else "capture"} */
  name?: string;
  /** Rows in each top list (conversations, endpoints, names), from 1 to 10000. @default {50} */
  top?: number;
}

/** What the first bytes of a file or of bytes in memory say the format is (not read from a stream). */
async function fileFormatOf(source: CaptureSource): Promise<string | undefined> {
  if (source instanceof Uint8Array) return captureFileFormat(source.subarray(0, 4));
  if (source instanceof ArrayBuffer) {
    return captureFileFormat(new Uint8Array(source, 0, Math.min(4, source.byteLength)));
  }
  if (typeof source !== "string") return undefined;
  const reader = await openFileReader(source);
  try {
    // A pipe cannot be read twice: its format is not looked at.
    if (!reader.regular) return undefined;
    const head = new Uint8Array(4);
    const n = reader.readSync(head, 0, 4);
    return captureFileFormat(head.subarray(0, n));
  } finally {
    await reader.close();
  }
}

function baseName(path: string): string {
  return path.slice(path.replace(/[\\/]+$/, "").search(/[^\\/]*$/)).replace(/[\\/]+$/, "") || path;
}

/**
 * Reads a whole capture into a {@linkcode CaptureSummary}: capinfos' figures, the protocol
 * hierarchy, the largest conversations and endpoints, an I/O graph, DNS and TLS names.
 *
 * @param source The capture bytes, a stream of chunks, or a file path.
 * @param options Engine, filter, name, top-list length, abort signal.
 * @returns The summary; a file damaged at the file level (or not a capture at all) gives
 *   the summary of the packets before the damage with `fileError` set.
 * @throws {TypeError} On a source or options of the wrong kind.
 * @throws {FilterError} On a filter that cannot be read (before any I/O).
 * @example
 * ```ts
 * import { captureSummary } from "anynet/packet";
 * const summary = await captureSummary("capture.pcap");
 * console.log(summary.packets, summary.tlsNames.names);
 * ```
 */
export async function captureSummary(
  source: CaptureSource,
  options: CaptureReportOptions = {},
): Promise<CaptureSummary> {
  const action = "summarise capture";
  checkSource(source);
  checkOptionsObject(action, options, ["engine", "signal", "filter", "name", "top"]);
  const engine = checkEngine(options.engine, action);
  if (options.name !== undefined && typeof options.name !== "string") {
    refuse(action, `'name' must be a string: got ${typeof options.name}`);
  }
  const filter = filterOption(options.filter);
  const name = options.name ?? (typeof source === "string" ? baseName(source) : "capture");
  const fileFormat = await fileFormatOf(source);
  const builder = new SummaryBuilder({
    name,
    ...(fileFormat !== undefined && { fileFormat }),
    ...(source instanceof Uint8Array && { fileSize: source.length }),
    ...(source instanceof ArrayBuffer && { fileSize: source.byteLength }),
    ...(options.top !== undefined && { top: options.top }),
  });
  let fileError: CaptureSummary["fileError"];
  try {
    for await (const batch of openCapture(source, { engine, signal: options.signal, filter })) builder.add(batch);
  } catch (error) {
    // A capture cut short still has a summary of what came before the damage.
    if (!(error instanceof CaptureError)) throw error;
    fileError = { message: error.message, offset: error.offset };
  }
  const summary = builder.finish();
  if (fileError) summary.fileError = fileError;
  return summary;
}

/**
 * A capture's report as one self-contained HTML page: the summary of
 * {@linkcode captureSummary} in tables and an I/O graph, with its script, style sheet and
 * data inline, so that it opens from a file with no network access.
 *
 * @param source The capture bytes, a stream of chunks, or a file path.
 * @param options Engine, filter, name, top-list length, abort signal.
 * @returns The HTML document; for a damaged file, of the packets before the damage, with a warning.
 * @throws {TypeError} On a source or options of the wrong kind.
 * @throws {FilterError} On a filter that cannot be read (before any I/O).
 * @example
 * ```ts
 * import { captureReport } from "anynet/packet";
 * import { writeFile } from "node:fs/promises";
 * await writeFile("report.html", await captureReport("capture.pcap"));
 * ```
 */
export async function captureReport(source: CaptureSource, options: CaptureReportOptions = {}): Promise<string> {
  return await summaryPage(await captureSummary(source, options));
}

/** The report page of a summary that {@linkcode captureSummary} made. */
export async function summaryPage(summary: CaptureSummary): Promise<string> {
  // Loaded on use: the page's scripts are large and only a report needs them.
  const { REPORT_JS, UPLOT_CSS, UPLOT_JS } = await import("../_browser_assets_embedded.ts");
  return reportHtml(summary, { uplotJs: UPLOT_JS, uplotCss: UPLOT_CSS, reportJs: REPORT_JS });
}
