/**
 * Tables of the echo benchmark, as aligned text for a terminal or as Markdown for
 * docs/benchmarks.md.
 *
 * @module
 */

/** A titled table. */
export interface Table {
  title: string;
  headers: string[];
  rows: string[][];
  /** Lines printed under the table. */
  notes?: string[];
}

/** Renders tables as aligned plain text (numbers right-aligned, first column left). */
export function renderText(tables: Table[]): string {
  const blocks = tables.map((table) => {
    const all = [table.headers, ...table.rows];
    const widths = table.headers.map((_, column) => Math.max(...all.map((row) => (row[column] ?? "").length)));
    const line = (row: string[]) =>
      row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ")
        .trimEnd();
    return [table.title, line(table.headers), ...table.rows.map(line), ...(table.notes ?? [])].join("\n");
  });
  return blocks.join("\n\n") + "\n";
}

/** Renders tables as Markdown (a bold title line, then a pipe table). */
export function renderMarkdown(tables: Table[]): string {
  const blocks = tables.map((table) => {
    const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
    const rule = `|${table.headers.map((_, column) => (column === 0 ? " --- " : " ---: ")).join("|")}|`;
    const notes = (table.notes ?? []).map((note) => `\n${note}`).join("\n");
    return [`**${table.title}**`, "", row(table.headers), rule, ...table.rows.map(row)].join("\n") + (notes ? `\n${notes}` : "");
  });
  return blocks.join("\n\n") + "\n";
}

/** A number with thousands separators and a fixed count of decimals. */
export function formatNumber(value: number | undefined, decimals = 0): string {
  if (value === undefined || !Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Bytes as KiB with one decimal. */
export function formatKiB(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? "n/a" : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A ratio with two decimals. */
export function formatRatio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(2);
}
