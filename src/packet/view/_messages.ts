/**
 * What the viewer's page and its decoding worker say to each other: the page asks for a
 * capture, a filter or a packet's detail; the worker answers with packet rows in columns
 * (typed arrays, transferred, never one object per packet), the frames a filter keeps,
 * and the detail of one packet.
 *
 * @module
 */
import type { DetailNode } from "./_packet_detail.ts";

/** Page → worker. */
export type ToWorker =
  | { type: "open-url"; url: string }
  | { type: "open-file"; file: Blob }
  | { type: "filter"; expression: string; generation: number }
  | { type: "detail"; index: number };

/**
 * Packets `start` to `start + count - 1` of the capture. Source, destination and protocol
 * are ids into a string table that grows: `strings` holds the ids new in this message, in
 * order. Info is UTF-8 text, packet `i`'s ending at `infoEnds[i]` of `info`.
 */
export interface RowsMessage {
  type: "rows";
  start: number;
  count: number;
  sec: Float64Array;
  nsec: Uint32Array;
  length: Uint32Array;
  source: Uint32Array;
  destination: Uint32Array;
  protocol: Uint32Array;
  strings: string[];
  info: Uint8Array;
  infoEnds: Uint32Array;
}

/** Worker → page. */
export type FromWorker =
  | RowsMessage
  | { type: "progress"; bytes: number; total: number }
  | { type: "done"; packets: number; bytes: number; milliseconds: number; statistics: unknown }
  | { type: "failed"; message: string }
  /** The indices (from 0) of packets that pass filter `generation`, in order; `done` on the last message. */
  | { type: "matches"; generation: number; indices: Uint32Array; done: boolean }
  | { type: "filter-error"; generation: number; message: string; column: number }
  | { type: "detail"; index: number; tree: DetailNode[]; bytes: Uint8Array };
