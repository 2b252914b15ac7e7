/// <reference lib="dom" />
/**
 * The viewer's Statistics tab, behind one small seam: the worker feeds every decoded
 * packet to a collector and sends what it finishes with to the page, which draws it.
 * Both halves are here so that the summary's builder and its renderer are named in one
 * place; this build has neither, so the collector is absent and the tab says so.
 *
 * @module
 */
import type { PacketRecord } from "../packet_record.ts";

/** What the worker feeds while a capture loads. */
export interface StatisticsCollector {
  /** One decoded packet, in capture order. */
  add(record: PacketRecord): void;
  /** The summary, sent to the page as it is (structured clone). */
  finish(): unknown;
}

/** A collector for one capture, or undefined when this build draws no statistics. */
export function statisticsCollector(): StatisticsCollector | undefined {
  return undefined;
}

/** Draws a finished summary into `root` (the page runs this; uPlot is a global there). */
export function showStatistics(root: HTMLElement, _summary: unknown): void {
  root.textContent = "Statistics are not available in this build.";
}
