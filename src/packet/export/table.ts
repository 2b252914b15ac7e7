/**
 * A table for query engines: a list of typed columns and blocks of rows given column by
 * column. Packets (one row per packet) and any other table (conversations, one row per
 * connection) are exported by the same sinks once described this way: a column list and
 * an async iterable of blocks.
 *
 * To export another table: describe its columns and yield its blocks; see
 * ./packet_columns.ts for the packet table.
 *
 * @module
 */

/**
 * What a column holds: `int32` and `int64` integers (an `int64` value is a bigint),
 * `double`, `timestamp_ns` nanoseconds since the Unix epoch as a bigint (Parquet's
 * TIMESTAMP(NANOS, UTC)), `boolean`, and `string`.
 */
export type ColumnType = "int32" | "int64" | "double" | "timestamp_ns" | "boolean" | "string";

/** One column: its name (a valid SQL identifier) and type. Every column is nullable. */
export interface ExportColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/** A value of a column: null where the row lacks the field. */
export type CellValue = number | bigint | boolean | string | null;

/** `length` rows, as one array per column in the order of the table's columns. */
export interface ColumnBlock {
  readonly length: number;
  readonly values: CellValue[][];
}

/** The formats a table is written in. */
export const EXPORT_FORMATS = ["parquet", "csv", "ndjson"] as const;
/** One of {@linkcode EXPORT_FORMATS}. */
export type ExportFormat = typeof EXPORT_FORMATS[number];

/** Where a table's bytes go, in order: an open file. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
}

/** Writes the blocks of one table in one format. */
export interface TableSink {
  /** Takes a block; may keep it until enough rows for a row group have come. */
  write(block: ColumnBlock): Promise<void>;
  /** Writes what is kept and the format's trailer. */
  finish(): Promise<void>;
}

/** A column of a table whose rows are objects: how to read its value from one. */
export interface RecordColumn<T> extends ExportColumn {
  readonly get: (record: T) => CellValue;
}

/** Records (one per row) as blocks of `size` rows. */
export async function* recordBlocks<T>(
  columns: readonly RecordColumn<T>[],
  records: AsyncIterable<T>,
  size = 4096,
): AsyncIterable<ColumnBlock> {
  let values: CellValue[][] = columns.map(() => []);
  let length = 0;
  for await (const record of records) {
    for (let c = 0; c < columns.length; c++) values[c].push(columns[c].get(record));
    if (++length === size) {
      yield { length, values };
      values = columns.map(() => []);
      length = 0;
    }
  }
  if (length > 0) yield { length, values };
}
