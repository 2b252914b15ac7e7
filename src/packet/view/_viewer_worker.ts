/**
 * The viewer's worker: decodes a capture (from the server, or a file dropped on the page)
 * with the WebAssembly decoder as it streams in, and sends the packet list to the page in
 * columns; runs display filters over the capture's rows; decodes one packet again for the
 * detail tree and the hex dump. The capture's bytes are kept as Blobs (the browser may
 * keep those out of the JavaScript heap) so that a filter or a detail can read them again.
 *
 * @module
 */
import * as L from "../_layout.ts";
import { recordFromRow } from "../_record_from_row.ts";
import { gunzipIfCompressed } from "../_gunzip.ts";
import { streamChunks } from "../_stream_chunks.ts";
import { compileFilter, FilterError } from "../packet_filter.ts";
import type { RowTest } from "../filter/compile.ts";
import { WasmEngine } from "../_wasm_engine.ts";
import { feedCapture } from "./_capture_feed.ts";
import { packetColumns } from "./_packet_columns.ts";
import { packetDetail } from "./_packet_detail.ts";
import { RowsBatch } from "./_rows_batch.ts";
import type { FromWorker, ToWorker } from "./_messages.ts";
import { statisticsCollector } from "./_statistics.ts";

/** The worker's side of postMessage (the DOM library types `self` as a window). */
const scope = globalThis as unknown as {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};

/** Bytes gathered before they are put into one Blob. */
const BLOB_PART = 8 << 20;

/** Where each packet's bytes are and how to decode it alone, by packet index. */
class FrameIndex {
  count = 0;
  offset: Float64Array = new Float64Array(1024);
  caplen: Uint32Array = new Uint32Array(1024);
  len: Uint32Array = new Uint32Array(1024);
  link: Int32Array = new Int32Array(1024);
  add(offset: number, caplen: number, len: number, link: number): void {
    if (this.count === this.offset.length) this.grow();
    const i = this.count++;
    this.offset[i] = offset;
    this.caplen[i] = caplen;
    this.len[i] = len;
    this.link[i] = link;
  }
  private grow(): void {
    const size = this.offset.length * 2;
    const offset = new Float64Array(size), caplen = new Uint32Array(size);
    const len = new Uint32Array(size), link = new Int32Array(size);
    offset.set(this.offset);
    caplen.set(this.caplen);
    len.set(this.len);
    link.set(this.link);
    Object.assign(this, { offset, caplen, len, link });
  }
}

/** The capture's uncompressed bytes as they arrived. */
class KeptBytes {
  private blobs: Blob[] = [];
  private parts: Uint8Array<ArrayBuffer>[] = [];
  private partBytes = 0;
  add(chunk: Uint8Array): void {
    this.parts.push(chunk as Uint8Array<ArrayBuffer>);
    this.partBytes += chunk.length;
    if (this.partBytes >= BLOB_PART) this.seal();
  }
  private seal(): void {
    if (this.parts.length) this.blobs.push(new Blob(this.parts));
    this.parts = [];
    this.partBytes = 0;
  }
  blob(): Blob {
    this.seal();
    return new Blob(this.blobs);
  }
}

let frames = new FrameIndex();
let kept = new KeptBytes();
let loaded = false;
/** The filter in force: new rows are tested as they arrive; older ones by a rescan. */
let filter: { generation: number; test: RowTest; from: number; pending: number[]; rescanned: boolean } | undefined;
let detailEngine: WasmEngine | undefined;

async function* keeping(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    kept.add(chunk);
    yield chunk;
  }
}

/** Longest wait, in milliseconds, before decoded packets are sent to the page. */
const SEND_EVERY_MS = 150;

/** Decodes the whole capture once, sending the list's rows as they are decoded. */
async function load(stream: ReadableStream<Uint8Array>, total: number): Promise<void> {
  const started = performance.now();
  const statistics = statisticsCollector();
  const batch = new RowsBatch();
  let bytes = 0;
  let sentAt = 0;
  const send = () => {
    if (batch.size === 0) return;
    const { message, transfer } = batch.take();
    scope.postMessage(message, transfer);
    scope.postMessage({ type: "progress", bytes, total });
    sentAt = performance.now();
  };
  const counted = async function* (chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      bytes += chunk.length;
      yield chunk;
    }
  };
  try {
    await feedCapture(keeping(gunzipIfCompressed(counted(streamChunks(stream)))), (t, b, rows, toCapture) => {
      for (let i = 0; i < rows; i++) {
        const r = i * L.NCOLS;
        const record = recordFromRow(t, i, b, true);
        batch.add(record.sec ?? 0, record.nsec ?? 0, record.len, packetColumns(record));
        frames.add(t[r + L.C_DATA] + toCapture, t[r + L.C_CAPLEN], t[r + L.C_LEN], t[r + L.C_LINK]);
        statistics.add(record);
        if (batch.full) send();
      }
      if (filter) {
        // The page must have a packet's row before a match names it.
        send();
        testNewRows(filter, t, b, rows);
      }
      // The first packets go at once, so that the list shows while the rest decodes.
      if (sentAt === 0 || performance.now() - sentAt >= SEND_EVERY_MS) send();
    });
  } catch (error) {
    send();
    scope.postMessage({ type: "failed", message: (error as Error).message });
  }
  send();
  loaded = true;
  scope.postMessage({
    type: "done",
    packets: frames.count,
    bytes,
    milliseconds: performance.now() - started,
    statistics: statistics.finish(),
  });
}

/** Rows the load just decoded, tested against the filter; held back until the rescan of older ones is out. */
function testNewRows(f: NonNullable<typeof filter>, t: Int32Array, b: Uint8Array, rows: number): void {
  const found: number[] = [];
  for (let i = 0; i < rows; i++) {
    const r = i * L.NCOLS;
    const index = t[r + L.C_N] - 1;
    if (index >= f.from && f.test(t, b, r)) found.push(index);
  }
  if (f.rescanned) {
    if (found.length) {
      post({ type: "matches", generation: f.generation, indices: Uint32Array.from(found), done: false });
    }
  } else {
    for (const index of found) f.pending.push(index);
  }
}

function post(message: FromWorker): void {
  if (message.type === "matches") scope.postMessage(message, [message.indices.buffer]);
  else scope.postMessage(message);
}

/** Applies a filter: the packets decoded so far are read again from the kept bytes. */
async function applyFilter(expression: string, generation: number): Promise<void> {
  if (expression.trim() === "") {
    filter = undefined;
    return;
  }
  let test: RowTest;
  try {
    test = compileFilter(expression)._test;
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    filter = undefined;
    post({ type: "filter-error", generation, message: error.message, column: error.column });
    return;
  }
  const from = frames.count;
  const f: NonNullable<typeof filter> = { generation, test, from, pending: [], rescanned: false };
  filter = f;
  const current = () => filter === f;
  let found: number[] = [];
  const flush = (done: boolean) => {
    post({ type: "matches", generation, indices: Uint32Array.from(found), done });
    found = [];
  };
  try {
    await feedCapture(
      streamChunks(kept.blob().stream()),
      (t, b, rows) => {
        for (let i = 0; i < rows; i++) {
          const r = i * L.NCOLS;
          const index = t[r + L.C_N] - 1;
          if (index < from && test(t, b, r)) found.push(index);
        }
        if (found.length >= 65536) flush(false);
      },
      loaded,
      current,
    );
  } catch {
    // Damage at the file level was reported by the load; the rows before it are scanned.
  }
  if (!current()) return;
  found.push(...f.pending);
  f.pending = [];
  f.rescanned = true;
  flush(loaded);
}

/** Decodes packet `index` alone and sends its tree and bytes. */
async function detail(index: number): Promise<void> {
  if (index < 0 || index >= frames.count) return;
  const start = frames.offset[index], caplen = frames.caplen[index];
  const bytes = new Uint8Array(await kept.blob().slice(start, start + caplen).arrayBuffer());
  const engine = detailEngine ??= new WasmEngine(1);
  engine.ensureInput(caplen);
  engine.input().set(bytes);
  engine.frame(caplen, frames.len[index], frames.link[index]);
  const t = engine.table();
  const record = recordFromRow(t, 0, engine.bytes(), false);
  post({ type: "detail", index, tree: packetDetail(record, t, 0), bytes });
}

scope.onmessage = (event) => {
  const message = event.data;
  const fail = (error: unknown) => post({ type: "failed", message: (error as Error).message ?? String(error) });
  switch (message.type) {
    case "open-url":
      fetch(message.url).then((response) => {
        if (!response.ok || !response.body) throw new Error(`the server answered ${response.status}`);
        return load(response.body, Number(response.headers.get("content-length") ?? 0));
      }).catch(fail);
      break;
    case "open-file":
      frames = new FrameIndex();
      kept = new KeptBytes();
      load(message.file.stream(), message.file.size).catch(fail);
      break;
    case "filter":
      applyFilter(message.expression, message.generation).catch(fail);
      break;
    case "detail":
      detail(message.index).catch(fail);
      break;
  }
};
