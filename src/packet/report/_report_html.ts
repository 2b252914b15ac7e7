/**
 * The HTML report page: one self-contained document with the summary as JSON, uPlot and
 * the page's script inline, so that it opens from a file with no network at all.
 *
 * @module
 */
import type { CaptureSummary } from "./capture_summary.ts";

/** The scripts and styles a report inlines. */
export interface ReportAssets {
  /** uPlot's script and style sheet. */
  uplotJs: string;
  uplotCss: string;
  /** The page's script: reads the summary and draws it. */
  reportJs: string;
}

/** The id of the script element that holds the summary JSON. */
export const SUMMARY_ELEMENT_ID = "capture-summary";

/** The id of the element the page's script draws the summary into. */
export const REPORT_ROOT_ID = "summary";

/** Text for an HTML element or attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON that can sit inside a `<script>` element: no `</script` or `<!--` can end or
 * change it (every `<` is escaped), and U+2028/U+2029, which end a line in older script
 * parsers, are escaped too.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** A script's text inside `<script>`: only `</script` could end it early. */
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, "<\\/$1");
}

/** The page around the summary: margins and the page's colours in light and dark mode. */
const PAGE_CSS = "body { margin: 0; background: #fff; color: #1d1f23; }" +
  "@media (prefers-color-scheme: dark) { body { background: #16181c; color: #e3e5e8; } }" +
  ".report { max-width: 1200px; margin: 0 auto; padding: 1.2em 1.5em; font-family: system-ui, sans-serif; }" +
  ".report h1 { font-size: 1.5em; margin: 0 0 .8em; overflow-wrap: anywhere; }";

/** The report page for `summary`. */
export function reportHtml(summary: CaptureSummary, assets: ReportAssets): string {
  const title = `Capture report: ${summary.name ?? "capture"}`;
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing may be loaded from anywhere: the report is all in this file.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; ` +
    `script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="color-scheme" content="light dark">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${assets.uplotCss.replace(/<\/(style)/gi, "<\\/$1")}\n${PAGE_CSS}</style>`,
    "</head>",
    "<body>",
    `<main class="report"><h1>${escapeHtml(title)}</h1>`,
    `<div id="${REPORT_ROOT_ID}"><noscript>The report needs JavaScript to draw its tables.</noscript></div></main>`,
    `<script type="application/json" id="${SUMMARY_ELEMENT_ID}">${scriptSafeJson(summary)}</script>`,
    `<script>${inlineScript(assets.uplotJs)}</script>`,
    `<script>${inlineScript(assets.reportJs)}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
