/**
 * The HTTP client's transport on Node: HTTP/1.1 written and read by anynet itself over the
 * pooled keep-alive connections of ./http_pool.ts (parser: ./h1_parser.ts), which does
 * several times the requests per second of Node's built-in fetch on a loopback server, and
 * more than `node:http` itself. It sends one request as fetch with `redirect: "manual"`
 * would (the same default headers, body framing and Content-Type, the body decoded as
 * fetch decodes it) and builds nothing the caller does not read: no `Request`, `Headers`,
 * stream or `Response` unless asked for. A body read whole with `text()` or `bytes()` and
 * sent without a content coding never becomes a stream at all.
 *
 * Until its body is read, a response's connection does not keep the process alive (as
 * with fetch, whose small bodies are read ahead): a program that never reads a body must
 * not hang. A body nobody reads is buffered up to {@linkcode UNREAD_BUFFER_BYTES}, then
 * the connection is paused until a reader comes.
 *
 * To change the request's wire format, edit `requestHead()`; to change how a response body
 * is decoded, edit `decoderFor()`.
 *
 * @module
 */
import { globalProcess } from "../_shared/global_process.ts";
import type { Readable, Transform } from "node:stream";
import { concatBytes } from "../../_bytes.ts";
import { USER_AGENT } from "../../_user_agent.ts";
import { NULL_BODY_STATUSES } from "../../_fetch_spec.ts";
import type {
  HttpTransport,
  ProxyRoute,
  TransportCall,
  TransportRequest,
  TransportResponse,
  TransportTimings,
} from "../http_types.ts";
import type { ResponseHead } from "./h1_parser.ts";
import { type Connection, type Exchange, type Origin, sendThroughPool, withdrawFromPool } from "./http_pool.ts";

const process = globalProcess();

/** How much of a body nobody reads yet is buffered before its connection is paused. */
export const UNREAD_BUFFER_BYTES: number = 64 * 1024;

/** The pieces a body of known size is written in when its progress is watched. */
const UPLOAD_SLICE_BYTES = 64 * 1024;

/** Told as the socket takes a request body (TransportRequest's `onBodySent`). */
type BodySentListener = (bytes: number, total: number | undefined, finished: boolean) => void;

// Node's stream and zlib modules are loaded on first use: most responses need neither.
const builtin = process.getBuiltinModule;
let stream: typeof import("node:stream") | undefined;
let zlib: typeof import("node:zlib") | undefined;

/** Where a URL goes, worked out once per URL string. */
interface Target extends Origin {
  /** Path and query. */
  path: string;
  /** The URL without its fragment: the request target an http request through a proxy names. */
  absolute: string;
  /** The Host header: host, and port when it is not the scheme's default. */
  host: string;
  /** The whole head of a GET with no headers of the caller's, made on first use. */
  plainGet: string | undefined;
}

const targets = new Map<string, Target>();

function targetOf(url: string): Target {
  let target = targets.get(url);
  if (target !== undefined) return target;
  const parsed = new URL(url);
  const secure = parsed.protocol === "https:";
  const hostname = parsed.hostname;
  target = {
    secure,
    hostname: hostname.startsWith("[") ? hostname.slice(1, -1) : hostname,
    port: parsed.port === "" ? (secure ? 443 : 80) : Number(parsed.port),
    path: parsed.pathname + parsed.search,
    absolute: `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search}`,
    host: parsed.host,
    plainGet: undefined,
  };
  // Bounded: a client of many URLs parses again now and then rather than keeping them all.
  if (targets.size >= 256) targets.clear();
  targets.set(url, target);
  return target;
}

// What Node's fetch sends when the caller does not say otherwise, but anynet's own
// User-Agent, which the client sends on every runtime.
const DEFAULT_HEADERS: readonly (readonly [string, string])[] = [
  ["accept", "*/*"],
  ["accept-language", "*"],
  ["sec-fetch-mode", "cors"],
  ["user-agent", USER_AGENT],
  ["accept-encoding", "gzip, deflate"],
];

// Headers about the connection and the body's framing: this transport sets them itself.
const OWN_HEADERS = new Set(["connection", "keep-alive", "content-length", "transfer-encoding"]);

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The methods a request may be repeated with (RFC 9110, section 9.2.2). */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);

/** A body with its bytes known (sent with Content-Length), or a stream (sent chunked). */
interface Payload {
  bytes: Uint8Array | undefined;
  stream: ReadableStream<Uint8Array> | undefined;
  contentType: string | null;
}

const STRING_TYPE = "text/plain;charset=UTF-8";
const FORM_TYPE = "application/x-www-form-urlencoded;charset=UTF-8";

/** The body as fetch would send it, when that is known without waiting; undefined for a Blob or FormData. */
function payloadOf(body: NonNullable<RequestInit["body"]>): Payload | undefined {
  if (typeof body === "string") return { bytes: Buffer.from(body), stream: undefined, contentType: STRING_TYPE };
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body), stream: undefined, contentType: null };
  if (ArrayBuffer.isView(body)) {
    return {
      bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
      stream: undefined,
      contentType: null,
    };
  }
  if (body instanceof URLSearchParams) {
    return { bytes: Buffer.from(body.toString()), stream: undefined, contentType: FORM_TYPE };
  }
  if (body instanceof ReadableStream) return { bytes: undefined, stream: body, contentType: null };
  return undefined;
}

/** A Blob or FormData as fetch would send it: its bytes, and the type fetch gives it (a multipart boundary). */
async function readPayload(body: NonNullable<RequestInit["body"]>): Promise<Payload> {
  const response = new Response(body);
  return {
    bytes: new Uint8Array(await response.arrayBuffer()),
    stream: undefined,
    contentType: response.headers.get("content-type"),
  };
}

/**
 * The request line and headers, ending in the empty line: written in one go. An http
 * request through a proxy names the whole URL and carries the proxy's credentials; an
 * https one goes through a tunnel (http_tunnel.ts) and is written as to the server.
 */
function requestHead(
  target: Target,
  method: string,
  headers: Headers | undefined,
  payload: Payload | undefined,
  proxy: ProxyRoute | undefined,
) {
  const forwarded = proxy !== undefined && !target.secure ? proxy : undefined;
  if (
    method === "GET" && headers === undefined && payload === undefined && target.plainGet !== undefined &&
    forwarded === undefined
  ) {
    return target.plainGet;
  }
  let head = `${method} ${forwarded === undefined ? target.path : target.absolute} HTTP/1.1\r\n`;
  const proxyAuthorization = forwarded?.authorization;
  let hasHost = false;
  let hasType = false;
  let given: Set<string> | undefined;
  if (headers !== undefined) {
    given = new Set();
    // Headers has checked names and values: no CR, LF or NUL can get into the head.
    headers.forEach((value, name) => {
      if (OWN_HEADERS.has(name)) return;
      // The proxy URL's credentials replace any the caller wrote.
      if (proxyAuthorization !== undefined && name === "proxy-authorization") return;
      if (name === "host") hasHost = true;
      else if (name === "content-type") hasType = true;
      given!.add(name);
      head += `${name}: ${value}\r\n`;
    });
  }
  if (!hasHost) head += `host: ${target.host}\r\n`;
  for (const [name, value] of DEFAULT_HEADERS) {
    if (given === undefined || !given.has(name)) head += `${name}: ${value}\r\n`;
  }
  if (payload === undefined) {
    // The Fetch standard: a POST or PUT without a body says so with a zero length.
    if (method === "POST" || method === "PUT") head += "content-length: 0\r\n";
  } else {
    if (!hasType && payload.contentType !== null) head += `content-type: ${payload.contentType}\r\n`;
    if (payload.bytes !== undefined) head += `content-length: ${payload.bytes.byteLength}\r\n`;
    else head += "transfer-encoding: chunked\r\n";
  }
  if (proxyAuthorization !== undefined) head += `proxy-authorization: ${proxyAuthorization}\r\n`;
  head += "\r\n";
  if (method === "GET" && headers === undefined && payload === undefined && forwarded === undefined) {
    target.plainGet = head;
  }
  return head;
}

/**
 * Inflates a `deflate` body whether it came as the zlib format RFC 9110 names or as raw
 * deflate, which some servers send: fetch accepts both, so the first byte decides.
 */
function inflateEither(options: import("node:zlib").ZlibOptions): Transform {
  let inner: Transform | undefined;
  const outer: Transform = new stream!.Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (inner === undefined) {
        // A zlib stream starts with CM = 8 (deflate) in the low nibble of its first byte.
        inner = (chunk[0] & 0x0f) === 0x08 ? zlib!.createInflate(options) : zlib!.createInflateRaw(options);
        inner.on("data", (data: Buffer) => outer.push(data));
        inner.on("error", (error) => outer.destroy(error));
      }
      // The next chunk is taken once this one is inflated: the output of one chunk at most
      // waits for the reader.
      inner.write(chunk, () => done());
    },
    flush(done) {
      if (inner === undefined) return done();
      inner.once("end", () => done());
      inner.end();
    },
  });
  return outer;
}

/** The decoder for one content coding, `null` for identity, `undefined` for one fetch does not decode. */
function decoderFor(coding: string): Transform | null | undefined {
  zlib ??= builtin("node:zlib");
  stream ??= builtin("node:stream");
  // Lenient with a body cut short at the end, as fetch is.
  const options = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (coding) {
    case "":
    case "identity":
      return null;
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip(options);
    case "deflate":
    case "x-deflate":
      return inflateEither(options);
    case "br":
      return zlib.createBrotliDecompress();
    default:
      return undefined;
  }
}

/** A body's chunks as bytes of their own. */
function toBytes(chunks: Buffer[]): Uint8Array {
  return chunks.length === 1 ? new Uint8Array(chunks[0]) : concatBytes(chunks);
}

/** A body's chunks as UTF-8 text, without a byte order mark (as fetch's text() reads it). */
function toText(chunks: Buffer[]): string {
  const text = chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString();
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Whether a body with this Content-Encoding must go through decoders. */
function needsDecoding(coding: string | null): boolean {
  if (coding === null) return false;
  const names = coding.toLowerCase().split(",");
  // A coding fetch does not know anywhere in the list: the body is handed over as it came.
  return names.every((name) => decoderFor(name.trim()) !== undefined) &&
    names.some((name) => decoderFor(name.trim()) !== null);
}

/** Waits until `socket` can take more, or has closed. */
function drained(socket: import("node:net").Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off("drain", done);
      socket.off("close", done);
      resolve();
    };
    socket.on("drain", done);
    socket.on("close", done);
  });
}

/**
 * Resolves a whole-body read with what `finish` makes of `chunks`: a body too large for one
 * string or array rejects, rather than throwing in an event handler.
 */
function settleWith<T>(
  finish: (chunks: Buffer[]) => T,
  chunks: Buffer[],
  resolve: (value: T) => void,
  reject: (error: unknown) => void,
): void {
  try {
    resolve(finish(chunks));
  } catch (error) {
    reject(error);
  }
}

/** Whoever reads a body whole, told of each chunk as it comes. */
interface BodyReader {
  chunk(chunk: Buffer): void;
  end(): void;
  fail(error: unknown): void;
}

/** One request and its response: the call the client holds, the response it gets, the pool's exchange. */
class NodeCall implements TransportCall, TransportResponse, Exchange {
  readonly response: Promise<TransportResponse>;
  readonly method: string;
  status: number;
  statusText: string;
  readonly #url: string;
  #rawHeaders: string[];
  #head: string;
  #payload: Payload | undefined;
  /** The pool the request went to, to take it back while it waits for a connection. */
  #poolKey: string | undefined;
  /** The connection, while the request or its response is on it. */
  #connection: Connection | undefined;
  #resolve!: (response: TransportResponse) => void;
  #reject!: (error: unknown) => void;
  #aborted: unknown;
  #headIn: boolean;
  #bodyTaken: boolean;
  /** HEAD, 204, 304 …: the response has no body to read. */
  #bodyless: boolean;
  /** The body has come in whole off the wire. */
  #complete: boolean;
  /** The body has been read to its end (or there is none). */
  #ended: boolean;
  /** Why the body broke off. */
  #failure: Error | undefined;
  /** Body chunks in and not yet handed to a reader. */
  #chunks: Buffer[];
  #buffered: number;
  /** The reader of `text()` or `bytes()` of a body that needs no decoding. */
  #reader: BodyReader | undefined;
  /** The body as a Node stream, once it is streamed or decoded. */
  #raw: Readable | undefined;
  /** The body as it is read from `#raw`: that, or the end of its decoders. */
  #source: Readable | undefined;
  /** A stream body is still being sent. */
  #uploading: boolean;
  #onBodySent: BodySentListener | undefined;
  /** The phases of a request on a new connection (none on a reused one: the client's clock marks its head). */
  timings: TransportTimings | undefined;

  constructor(request: TransportRequest) {
    this.method = request.method;
    this.status = 0;
    this.statusText = "";
    this.#url = request.url;
    this.#rawHeaders = [];
    this.#head = "";
    this.#payload = undefined;
    this.#poolKey = undefined;
    this.#connection = undefined;
    this.#aborted = undefined;
    this.#headIn = false;
    this.#bodyTaken = false;
    this.#bodyless = false;
    this.#complete = false;
    this.#ended = false;
    this.#failure = undefined;
    this.#chunks = [];
    this.#buffered = 0;
    this.#reader = undefined;
    this.#raw = undefined;
    this.#source = undefined;
    this.#uploading = false;
    this.#onBodySent = request.onBodySent;
    this.timings = undefined;
    this.response = new Promise<TransportResponse>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (!METHOD.test(request.method)) throw new TypeError(`'${request.method}' is not a valid HTTP method`);
    const target = targetOf(request.url);
    const body = request.body;
    const payload = body === undefined ? undefined : payloadOf(body);
    if (body !== undefined && payload === undefined) {
      readPayload(body).then(
        (read) => this.#aborted === undefined && this.#send(target, request, read),
        (error) => this.#reject(new TypeError("fetch failed", { cause: error })),
      );
    } else {
      this.#send(target, request, payload);
    }
  }

  #send(target: Target, request: TransportRequest, payload: Payload | undefined): void {
    this.#head = requestHead(target, this.method, request.headers, payload, request.proxy);
    this.#payload = payload;
    this.#poolKey = sendThroughPool(target, request.caCerts, this, request.proxy);
  }

  // The pool's side (Exchange).

  get mayResend(): boolean {
    return IDEMPOTENT.has(this.method) && this.#payload?.stream === undefined && this.#aborted === undefined;
  }

  start(connection: Connection): void {
    this.#connection = connection;
    this.timings = connection.takePhases();
    const socket = connection.socket;
    const payload = this.#payload;
    const onBodySent = this.#onBodySent;
    if (payload?.stream !== undefined) {
      socket.write(this.#head, "latin1");
      this.#upload(connection, payload.stream);
    } else if (onBodySent !== undefined && payload?.bytes !== undefined) {
      socket.write(this.#head, "latin1");
      this.#uploadBytes(connection, payload.bytes, onBodySent);
    } else if (payload?.bytes !== undefined && payload.bytes.byteLength > 0) {
      // Head and body in one write.
      socket.cork();
      socket.write(this.#head, "latin1");
      socket.write(payload.bytes);
      socket.uncork();
    } else {
      socket.write(this.#head, "latin1");
    }
  }

  /** Writes a body of known size in slices, telling `onBodySent` as the socket takes each. */
  async #uploadBytes(connection: Connection, bytes: Uint8Array, onBodySent: BodySentListener): Promise<void> {
    const socket = connection.socket;
    const total = bytes.byteLength;
    if (total === 0) return onBodySent(0, 0, true);
    this.#uploading = true;
    try {
      for (let offset = 0; offset < total;) {
        // The request has ended meanwhile (aborted, failed, or answered already).
        if (this.#connection !== connection) return;
        const slice = bytes.subarray(offset, offset + UPLOAD_SLICE_BYTES);
        offset += slice.byteLength;
        const finished = offset === total;
        const more = socket.write(slice, (error) => error ?? onBodySent(slice.byteLength, total, finished));
        if (!more) await drained(socket);
      }
    } finally {
      this.#uploading = false;
    }
  }

  /** Sends a stream body chunked, no faster than the connection takes it. */
  async #upload(connection: Connection, body: ReadableStream<Uint8Array>): Promise<void> {
    const socket = connection.socket;
    const reader = body.getReader();
    this.#uploading = true;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        // The request has ended meanwhile (aborted, failed, or answered already).
        if (this.#connection !== connection) {
          reader.cancel().catch(() => {});
          return;
        }
        if (done) break;
        if (!(value instanceof Uint8Array)) throw new TypeError("a request body stream must give Uint8Array chunks");
        if (value.byteLength === 0) continue;
        socket.cork();
        socket.write(`${value.byteLength.toString(16)}\r\n`, "latin1");
        const size = value.byteLength;
        const onBodySent = this.#onBodySent;
        socket.write(value, onBodySent && ((error) => error ?? onBodySent(size, undefined, false)));
        const more = socket.write("\r\n", "latin1");
        socket.uncork();
        if (!more) await drained(socket);
      }
      const onBodySent = this.#onBodySent;
      socket.write("0\r\n\r\n", "latin1", onBodySent && ((error) => error ?? onBodySent(0, undefined, true)));
    } catch (error) {
      reader.cancel(error).catch(() => {});
      // Closes the connection: the server has part of a body.
      if (this.#connection === connection) connection.destroy(error as Error);
    } finally {
      this.#uploading = false;
    }
  }

  head(head: ResponseHead): void {
    this.#headIn = true;
    if (this.timings !== undefined) this.timings.firstByte = performance.now();
    this.status = head.status;
    this.statusText = head.statusText;
    this.#rawHeaders = head.rawHeaders;
    if (this.method === "HEAD" || NULL_BODY_STATUSES.has(head.status)) {
      this.#bodyless = true;
      this.#ended = true;
    } else {
      // Until the body is read, the connection does not keep the process alive; each read does.
      this.#connection?.socket.unref();
    }
    this.#resolve(this);
  }

  body(chunk: Buffer): void {
    if (this.#bodyless || this.#aborted !== undefined) return;
    if (this.#raw !== undefined) {
      if (!this.#raw.push(chunk)) this.#connection?.socket.pause();
    } else if (this.#reader !== undefined) {
      this.#reader.chunk(chunk);
    } else {
      this.#chunks.push(chunk);
      this.#buffered += chunk.byteLength;
      if (this.#buffered > UNREAD_BUFFER_BYTES) this.#connection?.socket.pause();
    }
  }

  end(): void {
    // A server that answered before taking the whole body: the connection cannot be reused.
    if (this.#uploading) this.#connection?.noReuse();
    this.#connection = undefined;
    this.#complete = true;
    if (this.#aborted !== undefined || this.#bodyless) return;
    if (this.#raw !== undefined) this.#raw.push(null);
    else this.#reader?.end();
  }

  fail(error: Error, afterHead: boolean): void {
    this.#connection = undefined;
    if (this.#aborted !== undefined) return;
    if (!afterHead) {
      this.#reject(new TypeError("fetch failed", { cause: error }));
      return;
    }
    this.#failure = error;
    if (this.#raw !== undefined) this.#raw.destroy(error);
    else this.#reader?.fail(error);
  }

  // The client's side (TransportCall, TransportResponse).

  abort(reason: unknown): void {
    if (this.#ended || this.#aborted !== undefined) return;
    this.#aborted = reason;
    this.#reject(reason);
    if (this.#poolKey !== undefined && !this.#headIn) withdrawFromPool(this.#poolKey, this);
    // Closes the connection: a request cut off mid-way cannot go back to the pool.
    this.#dropConnection();
    this.#raw?.destroy(reason as Error);
    this.#reader?.fail(reason);
  }

  /** Closes the connection, if the request still has one, without a word to this call. */
  #dropConnection(): void {
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.destroy();
  }

  header(name: string): string | null {
    const raw = this.#rawHeaders;
    const wanted = name.toLowerCase();
    let value: string | null = null;
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i].length === wanted.length && raw[i].toLowerCase() === wanted) {
        value = value === null ? raw[i + 1] : `${value}, ${raw[i + 1]}`;
      }
    }
    return value;
  }

  /** The body as a Node stream of its bytes as they came, made on first use. */
  #rawStream(): Readable {
    if (this.#raw !== undefined) return this.#raw;
    stream ??= builtin("node:stream");
    const raw = new stream.Readable({ read: () => this.#connection?.socket.resume() });
    // Its failure is read where it is read (`errored`, the reader's own listeners): an
    // error nobody is reading at that moment must not end the process.
    raw.on("error", () => {});
    for (const chunk of this.#chunks) raw.push(chunk);
    this.#chunks = [];
    this.#buffered = 0;
    if (this.#aborted !== undefined) raw.destroy(this.#aborted as Error);
    else if (this.#failure !== undefined) raw.destroy(this.#failure);
    else if (this.#complete) raw.push(null);
    return (this.#raw = raw);
  }

  /** The body as it should be read: decoded as fetch decodes it. */
  #body(): Readable {
    if (this.#source !== undefined) return this.#source;
    const raw = this.#rawStream();
    const coding = this.header("content-encoding");
    let source: Readable = raw;
    if (coding !== null) {
      const decoders: Transform[] = [];
      // Codings are listed in the order they were applied: undo them from the last.
      for (const name of coding.toLowerCase().split(",").reverse()) {
        const decoder = decoderFor(name.trim());
        if (decoder === undefined) {
          // A coding fetch does not know: it hands over the body as it came.
          decoders.length = 0;
          break;
        }
        if (decoder !== null) decoders.push(decoder);
      }
      if (decoders.length > 0) {
        source = decoders[decoders.length - 1];
        // A failure anywhere destroys the whole chain, and the connection with it.
        stream!.pipeline([raw, ...decoders], (error) => {
          if (error) {
            this.#dropConnection();
            source.destroy(error);
          }
        });
      }
    }
    return (this.#source = source);
  }

  #take(): void {
    if (this.#bodyTaken) throw new TypeError("Body is unusable: Body has already been read");
    this.#bodyTaken = true;
  }

  bytes(onChunk?: (chunk: Uint8Array) => void): Promise<Uint8Array> {
    // Bytes of their own, never a Buffer: a lone chunk is a view on a larger buffer, so it
    // is copied, as several are by joining them.
    return this.#readAll(onChunk, toBytes);
  }

  text(): Promise<string> {
    return this.#readAll(undefined, toText);
  }

  /** Reads the whole body and resolves to what `finish` makes of its chunks (one promise per read). */
  #readAll<T>(onChunk: ((chunk: Uint8Array) => void) | undefined, finish: (chunks: Buffer[]) => T): Promise<T> {
    if (this.#bodyless) return Promise.resolve(finish([]));
    try {
      this.#take();
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#aborted !== undefined) return Promise.reject(this.#aborted);
    if (this.#raw === undefined && !needsDecoding(this.header("content-encoding"))) {
      return this.#readDirect(onChunk, finish);
    }
    return this.#readStream(onChunk, finish);
  }

  /** Reads a body that needs no decoding straight off the connection's chunks. */
  #readDirect<T>(onChunk: ((chunk: Uint8Array) => void) | undefined, finish: (chunks: Buffer[]) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const reader: BodyReader = {
        chunk: (chunk) => {
          if (settled) return;
          if (onChunk !== undefined) {
            try {
              onChunk(chunk);
            } catch (error) {
              settled = true;
              this.#reader = undefined;
              // Closes the connection: the rest of the body must not keep arriving.
              this.#dropConnection();
              reject(error);
              return;
            }
          }
          chunks.push(chunk);
        },
        end: () => {
          this.#reader = undefined;
          this.#ended = true;
          if (settled) return;
          settled = true;
          settleWith(finish, chunks, resolve, reject);
        },
        fail: (error) => {
          this.#reader = undefined;
          if (settled) return;
          settled = true;
          reject(this.#aborted ?? new TypeError("terminated", { cause: error }));
        },
      };
      const buffered = this.#chunks;
      this.#chunks = [];
      this.#buffered = 0;
      for (const chunk of buffered) reader.chunk(chunk);
      if (settled) return;
      if (this.#failure !== undefined) return reader.fail(this.#failure);
      if (this.#complete) return reader.end();
      this.#reader = reader;
      const socket = this.#connection?.socket;
      socket?.ref();
      socket?.resume();
    });
  }

  /** Reads the whole body through its Node stream (decoded, or already streaming). */
  #readStream<T>(onChunk: ((chunk: Uint8Array) => void) | undefined, finish: (chunks: Buffer[]) => T): Promise<T> {
    const source = this.#body();
    this.#connection?.socket.ref();
    return new Promise<T>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(this.#aborted ?? error);
      };
      source.on("data", (chunk: Buffer) => {
        if (onChunk !== undefined) {
          try {
            onChunk(chunk);
          } catch (error) {
            fail(error);
            // Closes the connection: the rest of the body must not keep arriving.
            this.#dropConnection();
            source.destroy();
            return;
          }
        }
        chunks.push(chunk);
      });
      source.on("end", () => {
        this.#ended = true;
        if (settled) return;
        settled = true;
        settleWith(finish, chunks, resolve, reject);
      });
      source.on("error", (error: Error) => fail(new TypeError("terminated", { cause: error })));
      source.on("close", () => {
        if (!this.#ended) fail(new TypeError("terminated", { cause: new Error("the response body ended early") }));
      });
    });
  }

  stream(): ReadableStream<Uint8Array> | null {
    if (this.#bodyless) return null;
    let source: Readable | undefined;
    // Pulled one chunk per read and not before the first: nothing is read from the
    // connection ahead of the reader, and a stream made for a Response that nobody reads
    // leaves the body to text() and bytes().
    return new ReadableStream<Uint8Array>({
      pull: (controller) => {
        if (source === undefined) {
          this.#take();
          if (this.#aborted !== undefined) throw this.#aborted;
          source = this.#body();
        }
        return this.#pull(source, controller);
      },
      cancel: () => this.cancel(),
    }, { highWaterMark: 0 });
  }

  /** Hands the next chunk of `source` to `controller`, waiting for one when none is buffered. */
  #pull(source: Readable, controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> | void {
    const failure = () =>
      this.#aborted ??
        new TypeError("terminated", { cause: source.errored ?? new Error("the response body ended early") });
    const chunk: Buffer | null = source.read();
    if (chunk !== null) return controller.enqueue(chunk);
    if (source.readableEnded) {
      this.#ended = true;
      return controller.close();
    }
    if (source.destroyed) throw failure();
    const socket = this.#connection?.socket;
    socket?.ref();
    return new Promise<void>((resolve, reject) => {
      const stop = () => {
        // Between reads the connection does not hold the process (see head()).
        if (this.#connection?.socket === socket) socket?.unref();
        source.off("readable", onReadable);
        source.off("end", onEnd);
        source.off("close", onClose);
      };
      const onReadable = () => {
        // At the end, read() gives null once more and then 'end' follows.
        const next: Buffer | null = source.read();
        if (next === null) return;
        stop();
        controller.enqueue(next);
        resolve();
      };
      const onEnd = () => {
        stop();
        this.#ended = true;
        controller.close();
        resolve();
      };
      const onClose = () => {
        if (source.readableEnded) return;
        stop();
        reject(failure());
      };
      source.on("readable", onReadable);
      source.on("end", onEnd);
      source.on("close", onClose);
    });
  }

  cancel(): void {
    if (this.#ended) return;
    this.#bodyTaken = true;
    this.#chunks = [];
    this.#buffered = 0;
    // Closes the connection when the body is still coming: it cannot be reused.
    this.#dropConnection();
    this.#raw?.destroy();
  }

  toResponse(): Response {
    const raw = this.#rawHeaders;
    const headers: [string, string][] = [];
    for (let i = 0; i < raw.length; i += 2) headers.push([raw[i], raw[i + 1]]);
    // A Response takes statuses 200 to 599 only: another one (a server's oddity) is set after.
    const inRange = this.status >= 200 && this.status <= 599;
    const init = { status: inRange ? this.status : 200, statusText: this.statusText, headers };
    let response: Response;
    if (this.#bodyless) {
      response = new Response(null, init);
    } else if (this.#bodyTaken) {
      // Read already: a used body, as fetch's Response has after a read.
      response = new Response(new Uint8Array(0), init);
      response.arrayBuffer().catch(() => {});
    } else {
      response = new Response(this.stream(), init);
    }
    Object.defineProperty(response, "url", { value: this.#url });
    if (!inRange) Object.defineProperty(response, "status", { value: this.status });
    return response;
  }
}

/** The transport: HTTP/1.1 on anynet's own connection pools. */
export const nodeHttpTransport: HttpTransport = {
  send: (request) => new NodeCall(request),
};
