/**
 * Writes a handler's `Response` to a `node:http` response: a body that is all there at
 * once in one `res.end()` with `Content-Length`, any other body streamed with backpressure.
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
 * @module
 */
import type * as http from "node:http";

/** Microtask turns to wait for a body stream's end after its first chunk (Node needs two). */
const END_WAIT_TURNS = 4;

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
  const status = response.status;
  const reason = response.statusText || undefined;
  const body = response.body;
  if (body === null) {
    const headers = headerList(response, true);
    if (!bodiless(status)) headers.push("content-length", "0");
    res.writeHead(status, reason, headers);
    res.end();
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
    res.writeHead(status, reason, [...headerList(response, true), "content-length", "0"]);
    res.end();
    return;
  }
  const second = reader.read();
  let next: ReadableStreamReadResult<Uint8Array> | undefined;
  let failed = false;
  second.then((result) => (next = result), () => (failed = true));
  for (let turn = 0; turn < END_WAIT_TURNS && next === undefined && !failed; turn++) await undefined;
  if (next?.done) {
    const chunk = first.value;
    res.writeHead(status, reason, [...headerList(response, true), "content-length", String(chunk.byteLength)]);
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
