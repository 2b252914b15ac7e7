/**
 * Writes a table (see ./table.ts) in one of the export formats: picks the sink and feeds
 * it the blocks in order. The Parquet library is loaded only when Parquet is asked for.
 *
 * @module
 */
import type { ByteSink, ColumnBlock, ExportColumn, ExportFormat, TableSink } from "./table.ts";
import { csvSink, ndjsonSink } from "./text_sinks.ts";

/** Opens the sink of `format` for a table of `columns` writing to `out`. */
export async function openTableSink(
  format: ExportFormat,
  columns: readonly ExportColumn[],
  out: ByteSink,
): Promise<TableSink> {
  if (format === "csv") return csvSink(columns, out);
  if (format === "ndjson") return ndjsonSink(columns, out);
  const { parquetSink } = await import("./parquet_sink.ts");
  return parquetSink(columns, out);
}

/** Writes every block of `blocks` as `format` to `out`; returns the row count. */
export async function exportTable(
  format: ExportFormat,
  columns: readonly ExportColumn[],
  blocks: AsyncIterable<ColumnBlock>,
  out: ByteSink,
): Promise<number> {
  const sink = await openTableSink(format, columns, out);
  let rows = 0;
  for await (const block of blocks) {
    await sink.write(block);
    rows += block.length;
  }
  await sink.finish();
  return rows;
}
