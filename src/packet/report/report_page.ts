/// <reference lib="dom" />
/**
 * The HTML report's script (bundled by scripts/build.ts into `REPORT_JS`): reads the
 * summary JSON the page carries and draws it.
 *
 * @module
 */
import { renderSummary } from "./render_summary.ts";
import type { CaptureSummary } from "./capture_summary.ts";
import { REPORT_ROOT_ID, SUMMARY_ELEMENT_ID } from "./_report_html.ts";

const data = document.getElementById(SUMMARY_ELEMENT_ID);
const root = document.getElementById(REPORT_ROOT_ID);
if (data && root) renderSummary(root, JSON.parse(data.textContent ?? "null") as CaptureSummary);
