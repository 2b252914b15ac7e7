/**
 * The Parquet sink of an exported table, on hyparquet-writer (pure JavaScript, so the same
 * on Node.js, Deno and Bun, with no WebAssembly to load). Rows are kept until a row group
 * is full, then that row group is encoded and written to the file before more rows are
 * taken: memory holds one row group, whatever the size of the capture. Every column is
 * OPTIONAL (null where a row lacks the field); the writer keeps a column chunk
 * dictionary-encoded where the dictionary at least halves it (addresses, protocol names,
 * host names) and plain elsewhere; pages are Snappy-compressed.
 *
 * The library is imported here only, on use: no other entry point loads it.
 *
 * @module
 */
import type { ByteSink, CellValue, ColumnBlock, ExportColumn, TableSink } from "./table.ts";

/** Rows per row group: large enough for engines to skip by statistics, small enough to keep in memory. */
export const ROW_GROUP_ROWS = 65536;

interface SchemaElement {
  name: string;
  type?: "INT32" | "INT64" | "DOUBLE" | "BOOLEAN" | "BYTE_ARRAY";
  repetition_type?: "OPTIONAL";
  num_children?: number;
  converted_type?: "UTF8";
  logical_type?: { type: "TIMESTAMP"; isAdjustedToUTC: boolean; unit: "NANOS" } | { type: "STRING" };
}

function schemaElement(c: ExportColumn): SchemaElement {
  const optional = { name: c.name, repetition_type: "OPTIONAL" } as const;
  switch (c.type) {
    case "int32":
      return { ...optional, type: "INT32" };
    case "int64":
      return { ...optional, type: "INT64" };
    case "double":
      return { ...optional, type: "DOUBLE" };
    case "timestamp_ns":
      return { ...optional, type: "INT64", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "NANOS" } };
    case "boolean":
      return { ...optional, type: "BOOLEAN" };
    case "string":
      return { ...optional, type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } };
  }
}

/** A Parquet sink writing row groups of `rowGroupRows` rows to `out`. */
export async function parquetSink(
  columns: readonly ExportColumn[],
  out: ByteSink,
  rowGroupRows: number = ROW_GROUP_ROWS,
): Promise<TableSink> {
  const { ByteWriter, ParquetWriter } = await import("hyparquet-writer");
  const bytes = new ByteWriter(1 << 20);
  // The writer calls flush() after each row group and waits for it: the encoded group
  // goes to the file and the buffer is reused from its start (offset keeps the file position).
  const flush = async () => {
    await out.write(bytes.getBytes().slice());
    bytes.index = 0;
  };
  Object.assign(bytes, { flush, finish: flush });
  const schema = [{ name: "root", num_children: columns.length }, ...columns.map(schemaElement)];
  const writer = new ParquetWriter({ writer: bytes, schema, createdBy: "anynet" });
  let pending: ColumnBlock[] = [];
  let pendingRows = 0;

  async function writeGroup(): Promise<void> {
    const blocks = pending;
    pending = [];
    pendingRows = 0;
    const columnData = columns.map((c, i) => ({
      name: c.name,
      data: blocks.length === 1 ? blocks[0].values[i] : ([] as CellValue[]).concat(...blocks.map((b) => b.values[i])),
    }));
    await writer.write({ columnData, rowGroupSize: rowGroupRows });
  }

  return {
    async write(block: ColumnBlock) {
      if (block.length === 0) return;
      pending.push(block);
      pendingRows += block.length;
      if (pendingRows >= rowGroupRows) await writeGroup();
    },
    async finish() {
      if (pendingRows > 0) await writeGroup();
      await writer.finish();
    },
  };
}
