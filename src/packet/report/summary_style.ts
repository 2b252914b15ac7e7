/**
 * The style sheet of a rendered summary: tables and the graph, in the page's light or
 * dark colours (`prefers-color-scheme`), scoped under `.capture-summary` so that it can
 * share a page with other content.
 *
 * @module
 */

/** The summary's CSS. */
export const SUMMARY_CSS: string = `
.capture-summary {
  --fg: #1d1f23; --muted: #5b616b; --bg: #ffffff; --panel: #f5f6f8; --line: #d8dbe0; --accent: #1a66c9;
  color: var(--fg); background: var(--bg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  .capture-summary {
    --fg: #e3e5e8; --muted: #a0a6b0; --bg: #16181c; --panel: #1f2228; --line: #343840; --accent: #6aa6f5;
  }
}
.capture-summary section { margin: 0 0 1.6em; }
.capture-summary h2 { font-size: 1.15em; margin: 0 0 .5em; }
.capture-summary p.warning { border-left: 4px solid #d9480f; padding: .4em .8em; background: var(--panel); }
.capture-summary p.note { color: var(--muted); margin: .3em 0; font-size: .92em; }
.capture-summary .scroll { overflow-x: auto; }
.capture-summary table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
.capture-summary th, .capture-summary td { padding: .25em .7em; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
.capture-summary td.num, .capture-summary th.num { text-align: right; }
.capture-summary thead th { background: var(--panel); position: sticky; top: 0; }
.capture-summary thead th.sortable { cursor: pointer; user-select: none; }
.capture-summary thead th.sortable:hover { color: var(--accent); }
.capture-summary thead th[aria-sort="ascending"]::after { content: " \\25B2"; font-size: .75em; }
.capture-summary thead th[aria-sort="descending"]::after { content: " \\25BC"; font-size: .75em; }
.capture-summary table.facts th { background: none; color: var(--muted); font-weight: normal; }
.capture-summary .graph { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .5em; }
.capture-summary .graph .u-legend { color: var(--fg); }
`;
