/**
 * Shared by `pcap export` and `pcap conv --format`: writes a table to the file `-o` names
 * and, when the export fails part way (a damaged capture, a full disk, an interrupt),
 * removes that file and says so in the error line, so no half-written table is left
 * looking whole.
 *
 * @module
 */
import { CommandError } from "../command.ts";
import type { CommandIO } from "../command.ts";
import { checkOutputFile } from "./_output_file.ts";
import { captureFailure } from "./_pcap_source.ts";
import type { ColumnBlock, ExportColumn, ExportFormat } from "../../packet/export/table.ts";

/** The formats `--format` takes. */
export const TABLE_FORMATS: string[] = ["parquet", "csv", "ndjson"];

/** Fails at once when `-o OUT` is missing or cannot be written. */
export async function checkTableOutput(out: string | undefined, command: string): Promise<string> {
  if (out === undefined) throw new CommandError(`${command} needs -o OUT, the file to write`, { exitCode: 2 });
  await checkOutputFile("output", out);
  return out;
}

/**
 * Writes the blocks (read from the capture at `path`) as `format` to `out`, and says on
 * standard error how many rows went there.
 */
export async function writeTableFile(
  out: string,
  format: ExportFormat,
  columns: readonly ExportColumn[],
  blocks: AsyncIterable<ColumnBlock>,
  path: string,
  io: CommandIO,
  what: string,
): Promise<void> {
  const { exportTable } = await import("../../packet/export/export_table.ts");
  const { openFileWriter, removeFile } = await import("../../runtime/files.ts");
  const file = await openFileWriter(out);
  let rows: number;
  try {
    rows = await exportTable(format, columns, blocks, file);
    await file.close();
    // An interrupted export is not the table of the capture: it goes like a failed one.
    if (io.signal.aborted) throw new Error("interrupted");
  } catch (error) {
    await file.close().catch(() => {});
    await removeFile(out).catch(() => {});
    throw new CommandError(`${captureFailure(path, error).message}; ${out} removed`, { cause: error });
  }
  await io.err(`${rows} ${what} written to ${out} (${format})\n`);
}
