/**
 * CSV (RFC 4180: a header line, fields quoted when they hold a comma, a quote or a line
 * break, quotes doubled, CRLF line ends) and NDJSON (one JSON object per line, null for a
 * missing field) sinks for an exported table. Integers and timestamps are written as their
 * exact decimal digits: a timestamp in nanoseconds is beyond a double's 2^53, so a reader
 * that parses JSON numbers as doubles (JavaScript's JSON.parse) rounds it; DuckDB and
 * Spark read it as a 64-bit integer.
 *
 * @module
 */
import type { ByteSink, CellValue, ColumnBlock, ExportColumn, TableSink } from "./table.ts";

const encoder = new TextEncoder();

function csvField(v: CellValue): string {
  if (v === null) return "";
  if (typeof v !== "string") return String(v);
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** A CSV sink: the header at once, then one line per row. */
export async function csvSink(columns: readonly ExportColumn[], out: ByteSink): Promise<TableSink> {
  await out.write(encoder.encode(columns.map((c) => csvField(c.name)).join(",") + "\r\n"));
  return {
    async write(block: ColumnBlock) {
      const { length, values } = block;
      let text = "";
      for (let i = 0; i < length; i++) {
        let line = csvField(values[0][i]);
        for (let c = 1; c < values.length; c++) line += "," + csvField(values[c][i]);
        text += line + "\r\n";
      }
      await out.write(encoder.encode(text));
    },
    async finish() {},
  };
}

/** A cell as JSON: only strings need JSON.stringify's escaping; numbers are integers or finite. */
function jsonValue(v: CellValue): string {
  if (v === null) return "null";
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** An NDJSON sink: one object per row, keys in the column order. */
export function ndjsonSink(columns: readonly ExportColumn[], out: ByteSink): Promise<TableSink> {
  const keys = columns.map((c) => JSON.stringify(c.name) + ":");
  return Promise.resolve({
    async write(block: ColumnBlock) {
      const { length, values } = block;
      let text = "";
      for (let i = 0; i < length; i++) {
        let line = "{";
        for (let c = 0; c < values.length; c++) {
          const v = values[c][i];
          line += (c ? "," : "") + keys[c] + jsonValue(v);
        }
        text += line + "}\n";
      }
      await out.write(encoder.encode(text));
    },
    async finish() {},
  });
}
