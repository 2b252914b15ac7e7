/**
 * Writes a handler's `Response` to a `node:http` response: a body that is all there at
 * once in one `res.end()` with `Content-Length`, any other body streamed with backpressure.
 * A `FastResponse` (fast_response.ts) that never became a real `Response` is written
 * straight from the body and headers it was given.
 *
 * A standard `Response` does not say whether its body is a string or bytes (Node 24 and
 * later keep that in private fields) and gives no length, so the body is told by how its
 * stream behaves: one made from a string, bytes or JSON hands over everything in its first
 * chunk and ends a couple of microtasks later (Node 22, 24 and 26 alike). The writer reads
 * the first chunk, then waits a few microtasks for the end: if it comes, the answer goes
 * out whole with its length (and keep-alive works for HTTP/1.0 clients too); if not (a
 * stream that is still producing, a Blob on Node 24+), it is streamed as before, chunked,
 * and nothing is lost but the length. Waiting microtasks, not a timer, keeps a streaming
 * answer from being held back.
 *
 * Node 22's fetch (undici 6) still keeps a response's state under a symbol, with the string
 * or bytes the body was made from: there that source is written as it is, without reading
 * the stream at all. The symbol is looked for once, and anything unexpected in it (another
 * shape, a body already read) falls back to reading the stream.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type * as http from "node:http";
import { fastParts } from "./fast_response.ts";

/** Microtask turns to wait for a body stream's end after its first chunk (Node needs two). */
const END_WAIT_TURNS = 4;

/** The symbol under which this Node's fetch keeps a response's state, if it does (Node 22). */
const STATE = Object.getOwnPropertySymbols(new Response("")).find((symbol) => symbol.description === "state");

/** The string or bytes a response's body was made from, when this Node tells and nothing has read it. */
function bodySource(response: Response): string | Uint8Array | undefined {
  if (STATE === undefined || response.bodyUsed) return undefined;
  const body = (response as unknown as Record<symbol, { body?: { source?: unknown; stream?: ReadableStream } | null }>)[
    STATE
  ]?.body;
  if (body === null || body === undefined || body.stream?.locked !== false) return undefined;
  const source = body.source;
  return typeof source === "string" || source instanceof Uint8Array ? source : undefined;
}

/** Statuses that never carry a body, so never a Content-Length of 0 either. */
function bodiless(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

/**
 * The response's headers as `writeHead` takes them, without those that frame the body when
 * the writer frames it itself.
 */
function headerList(response: Response, framed: boolean): string[] {
  const list: string[] = [];
  let cookies = false;
  response.headers.forEach((value, name) => {
    if (name === "set-cookie") cookies = true;
    else if (!framed || (name !== "content-length" && name !== "transfer-encoding")) list.push(name, value);
  });
  if (cookies) { for (const cookie of response.headers.getSetCookie()) list.push("set-cookie", cookie); }
  return list;
}

/** Writes `response` to `res`; resolves once it is all handed to Node. */
export async function writeResponse(response: Response, res: http.ServerResponse): Promise<void> {
  const fast = fastParts(response);
  if (fast !== undefined) {
    const { status, body, headers } = fast;
    if (body !== null) {
      headers.push("content-length", String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength));
    } else if (!bodiless(status)) headers.push("content-length", "0");
    res.writeHead(status, fast.statusText || undefined, headers);
    res.end(body ?? undefined);
    return;
  }
  const status = response.status;
  const reason = response.statusText || undefined;
  const body = response.body;
  if (body === null) {
    // The answer to HEAD keeps the length GET would have (RFC 9110 §9.3.2): Node sends no body.
    const head = res.req?.method === "HEAD" && response.headers.has("content-length");
    const headers = headerList(response, !head);
    if (!bodiless(status) && !head) headers.push("content-length", "0");
    res.writeHead(status, reason, headers);
    res.end();
    return;
  }
  const source = bodySource(response);
  if (source !== undefined) {
    const length = typeof source === "string" ? Buffer.byteLength(source) : source.byteLength;
    const headers = headerList(response, true);
    headers.push("content-length", String(length));
    res.writeHead(status, reason, headers);
    res.end(source);
    return;
  }
  const reader = body.getReader();
  let first: ReadableStreamReadResult<Uint8Array>;
  try {
    first = await reader.read();
  } catch {
    res.destroy();
    return;
  }
  if (first.done) {
    const headers = headerList(response, true);
    headers.push("content-length", "0");
    res.writeHead(status, reason, headers);
    res.end();
    return;
  }
  const second = reader.read();
  let next: ReadableStreamReadResult<Uint8Array> | undefined;
  let failed = false;
  second.then((result) => (next = result), () => (failed = true));
  for (let turn = 0; turn < END_WAIT_TURNS && next === undefined && !failed; turn++) await undefined;
  // A stream of the handler's own may hand over something other than bytes (Node writes
  // a string too): only bytes have a length to announce.
  if (next?.done && first.value instanceof Uint8Array) {
    const chunk = first.value;
    const headers = headerList(response, true);
    headers.push("content-length", String(chunk.byteLength));
    res.writeHead(status, reason, headers);
    res.end(chunk);
    return;
  }
  res.writeHead(status, reason, headerList(response, false));
  await stream(reader, first.value, second, res);
}

/**
 * Writes the body's chunks as they come, waiting for `drain` when Node's buffer is full;
 * `second` is the read already under way.
 */
async function stream(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  firstChunk: Uint8Array,
  second: Promise<ReadableStreamReadResult<Uint8Array>>,
  res: http.ServerResponse,
): Promise<void> {
  const onClose = () => reader.cancel().catch(() => {});
  res.on("close", onClose);
  try {
    let chunk = firstChunk;
    let read: Promise<ReadableStreamReadResult<Uint8Array>> | undefined = second;
    for (;;) {
      if (res.destroyed) return;
      if (!res.write(chunk)) await drained(res);
      const result = await (read ?? reader.read());
      read = undefined;
      if (result.done) break;
      chunk = result.value;
    }
    res.end();
  } catch {
    // The handler's body stream failed mid-way: cut the connection so the client sees a
    // broken body instead of a short one that looks complete.
    res.destroy();
  } finally {
    res.off("close", onClose);
  }
}

function drained(res: http.ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const go = () => {
      res.off("drain", go);
      res.off("close", go);
      resolve();
    };
    res.on("drain", go);
    res.on("close", go);
  });
}
