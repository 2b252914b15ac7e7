/// <reference lib="dom" />
/**
 * The viewer's Statistics tab, behind one small seam: the worker feeds every decoded
 * packet to the report's `SummaryBuilder` and sends the finished summary to the page,
 * which draws it with the report's `renderSummary` (the same tables and I/O graph as
 * `anynet pcap report`, so the two never disagree).
 *
 * @module
 */
import type { PacketRecord } from "../packet_record.ts";
import { type CaptureSummary, SummaryBuilder } from "../report/capture_summary.ts";
import { renderSummary } from "../report/render_summary.ts";

/** What the worker feeds while a capture loads. */
export interface StatisticsCollector {
  /** One decoded packet, in capture order. */
  add(record: PacketRecord): void;
  /** The summary, sent to the page as it is (structured clone). */
  finish(): unknown;
}

/** A collector for one capture. */
export function statisticsCollector(): StatisticsCollector {
  return new SummaryBuilder();
}

/** Draws a finished summary into `root` (the page runs this; uPlot is a global there). */
export function showStatistics(root: HTMLElement, summary: unknown): void {
  if (summary === undefined) {
    root.textContent = "The statistics appear when the whole capture has loaded.";
    return;
  }
  renderSummary(root, summary as CaptureSummary);
}
