/**
 * The HTTP client's transport on Node: `node:http` and `node:https` with pooled keep-alive
 * connections, which do two to four times the requests per second of Node's built-in fetch
 * on a loopback server. It sends one request as fetch with `redirect: "manual"` would
 * (the same default headers, body framing and Content-Type, the body decoded as fetch
 * decodes it) and builds nothing the caller does not read: no `Request`, `Headers`, web
 * stream or `Response` unless asked for.
 *
 * Pools: one `http.Agent` for plain HTTP and one `https.Agent` per set of extra CA
 * certificates (the system's alone being one set). An agent keeps one pool per origin, of
 * at most {@linkcode MAX_SOCKETS_PER_ORIGIN} connections (more requests wait for one);
 * a connection idle for {@linkcode IDLE_MS} is closed (a second before the server's
 * `Keep-Alive: timeout` when that is sooner). An idle connection is unreferenced, so it never keeps
 * the process alive; one in use does, as a pending request should.
 *
 * TLS verification cannot be switched off, not even by NODE_TLS_REJECT_UNAUTHORIZED.
 *
 * To change the pool's limits, edit the constants; to change how a response body is
 * decoded, edit `decoderFor()`.
 *
 * @module
 */
import type { Agent as HttpAgent, ClientRequest, IncomingMessage, RequestOptions } from "node:http";
import type { Agent as HttpsAgent } from "node:https";
import type { Socket } from "node:net";
import process from "node:process";
import type { Readable, Transform } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { concatBytes } from "../../_bytes.ts";
import { NULL_BODY_STATUSES } from "../../_fetch_spec.ts";
import type { HttpTransport, TransportCall, TransportRequest, TransportResponse } from "../http_types.ts";

/** The most connections one origin gets from one pool; further requests wait for a free one. */
export const MAX_SOCKETS_PER_ORIGIN = 256;

/** How long a connection may stay idle in the pool before it is closed, in ms (undici's default). */
export const IDLE_MS = 4000;

// Node's modules are loaded on the first request: a program that uses sockets alone does
// not load Node's HTTP stack (node:https loads TLS too, node:zlib only for encoded bodies).
const builtin = process.getBuiltinModule;
let http: typeof import("node:http") | undefined;
let https: typeof import("node:https") | undefined;
let stream: typeof import("node:stream") | undefined;
let zlib: typeof import("node:zlib") | undefined;

/** Where a URL goes, worked out once per URL string. */
interface Target {
  secure: boolean;
  /** For node:http: an IPv6 address without its brackets. */
  hostname: string;
  port: number;
  /** Path and query. */
  path: string;
  /** The Host header: host, and port when it is not the scheme's default. */
  host: string;
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
    host: parsed.host,
  };
  // Bounded: a client of many URLs parses again now and then rather than keeping them all.
  if (targets.size >= 256) targets.clear();
  targets.set(url, target);
  return target;
}

let plainAgent: HttpAgent | undefined;
const secureAgents = new Map<string, HttpsAgent>();

const POOL = { keepAlive: true, maxSockets: MAX_SOCKETS_PER_ORIGIN, maxFreeSockets: MAX_SOCKETS_PER_ORIGIN };

/** On a pooled connection: how long it may stay idle, from the server's `Keep-Alive: timeout=S`. */
const idleLimit = Symbol("anynet.idleMs");
type PooledSocket = Socket & { [idleLimit]?: number };

/**
 * Gives `agent` its idle limit. The agent's own `timeout` option would do it too, but it
 * also sets a timer on every request and refreshes it on every read and write (about 7% of
 * a loopback request); here the timer runs only while a connection is idle in the pool,
 * and the agent's own listener closes it when it fires.
 */
function withIdleLimit<A extends HttpAgent>(agent: A): A {
  const keep = agent.keepSocketAlive;
  const reuse = agent.reuseSocket;
  agent.keepSocketAlive = function (socket: PooledSocket): boolean {
    const idleMs = Math.min(IDLE_MS, socket[idleLimit] ?? IDLE_MS);
    // A server that keeps connections for a second or less: not worth the race.
    // (Typed as void, the agent's method says whether it kept the connection.)
    if (idleMs <= 0 || !(keep.call(this, socket) as unknown as boolean)) return false;
    socket.setTimeout(idleMs);
    return true;
  };
  agent.reuseSocket = function (socket: Socket, request: ClientRequest): void {
    socket.setTimeout(0);
    reuse.call(this, socket, request);
  };
  return agent;
}

/** Notes the server's `Keep-Alive: timeout=S` on the connection: the pool lets it go a second sooner. */
function noteKeepAlive(incoming: IncomingMessage): void {
  const raw = incoming.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    // The length first: most names are not 10 characters long, and the rest cost a lower-casing.
    if (raw[i].length !== 10 || raw[i].toLowerCase() !== "keep-alive") continue;
    const seconds = /timeout=(\d+)/i.exec(raw[i + 1])?.[1];
    if (seconds !== undefined) (incoming.socket as PooledSocket)[idleLimit] = Number(seconds) * 1000 - 1000;
  }
}

/** The pool for `target`: plain HTTP, or HTTPS trusting the system's CAs and `caCerts`. */
function agentFor(target: Target, caCerts: readonly string[] | undefined): HttpAgent {
  if (!target.secure) return plainAgent ??= withIdleLimit(new http!.Agent(POOL));
  const key = caCerts === undefined ? "" : caCerts.join("\n");
  let agent = secureAgents.get(key);
  if (agent === undefined) {
    https ??= builtin("node:https");
    const tls = builtin("node:tls");
    // A secure context rather than a `ca` list: the agent would otherwise write every
    // certificate into the name of each request's pool, on every request.
    const secureContext = caCerts === undefined
      ? undefined
      : tls.createSecureContext({ ca: [...tls.rootCertificates, ...caCerts] });
    agent = withIdleLimit(new https.Agent({ ...POOL, rejectUnauthorized: true, secureContext }));
    // Bounded: a program that makes up new CA sets forgets old pools (their idle
    // connections close by themselves).
    if (secureAgents.size >= 16) secureAgents.delete(secureAgents.keys().next().value!);
    secureAgents.set(key, agent);
  }
  return agent as unknown as HttpAgent;
}

// What Node's fetch sends when the caller does not say otherwise.
const DEFAULT_HEADERS: readonly (readonly [string, string])[] = [
  ["accept", "*/*"],
  ["accept-language", "*"],
  ["sec-fetch-mode", "cors"],
  ["user-agent", "node"],
  ["accept-encoding", "gzip, deflate"],
];

// Headers about the connection and the body's framing: this transport sets them itself.
const OWN_HEADERS = new Set(["connection", "keep-alive", "content-length", "transfer-encoding"]);

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

/** The request's header lines as node:http's flat name/value list. */
function wireHeaders(target: Target, method: string, headers: Headers | undefined, payload: Payload | undefined) {
  const wire: string[] = [];
  let hasHost = false;
  let hasType = false;
  let given: Set<string> | undefined;
  if (headers !== undefined) {
    given = new Set();
    headers.forEach((value, name) => {
      if (OWN_HEADERS.has(name)) return;
      if (name === "host") hasHost = true;
      else if (name === "content-type") hasType = true;
      given!.add(name);
      wire.push(name, value);
    });
  }
  if (!hasHost) wire.push("host", target.host);
  for (const [name, value] of DEFAULT_HEADERS) {
    if (given === undefined || !given.has(name)) wire.push(name, value);
  }
  if (payload === undefined) {
    // The Fetch standard: a POST or PUT without a body says so with a zero length.
    if (method === "POST" || method === "PUT") wire.push("content-length", "0");
    return wire;
  }
  if (!hasType && payload.contentType !== null) wire.push("content-type", payload.contentType);
  if (payload.bytes !== undefined) wire.push("content-length", String(payload.bytes.byteLength));
  else wire.push("transfer-encoding", "chunked");
  return wire;
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

/** One request and its response: the call the client holds, and the response it gets. */
class NodeCall implements TransportCall, TransportResponse {
  readonly response: Promise<TransportResponse>;
  status: number;
  statusText: string;
  readonly #url: string;
  readonly #method: string;
  #request: ClientRequest | undefined;
  #incoming: IncomingMessage | undefined;
  /** The body as it is read: the response itself, or the end of its decoders. */
  #source: Readable | undefined;
  #resolve!: (response: TransportResponse) => void;
  #reject!: (error: unknown) => void;
  #aborted: unknown;
  #bodyTaken: boolean;
  /** HEAD, 204, 304 …: the response has no body to read. */
  #bodyless: boolean;
  #ended: boolean;

  constructor(request: TransportRequest) {
    this.status = 0;
    this.statusText = "";
    this.#url = request.url;
    this.#method = request.method;
    this.#request = undefined;
    this.#incoming = undefined;
    this.#source = undefined;
    this.#aborted = undefined;
    this.#bodyTaken = false;
    this.#bodyless = false;
    this.#ended = false;
    this.response = new Promise<TransportResponse>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    http ??= builtin("node:http");
    const target = targetOf(request.url);
    const agent = agentFor(target, request.caCerts);
    const body = request.body;
    const payload = body === undefined ? undefined : payloadOf(body);
    if (body !== undefined && payload === undefined) {
      readPayload(body).then(
        (read) => this.#aborted === undefined && this.#start(target, agent, request, read),
        (error) => this.#reject(new TypeError("fetch failed", { cause: error })),
      );
    } else {
      this.#start(target, agent, request, payload);
    }
  }

  #start(target: Target, agent: HttpAgent, request: TransportRequest, payload: Payload | undefined): void {
    const options: RequestOptions = {
      agent,
      hostname: target.hostname,
      port: target.port,
      path: target.path,
      method: request.method,
      headers: wireHeaders(target, request.method, request.headers, payload) as unknown as RequestOptions["headers"],
    };
    const outgoing = (target.secure ? https! : http!).request(options);
    this.#request = outgoing;
    outgoing.on("response", (incoming: IncomingMessage) => this.#onResponse(incoming));
    // Kept for the request's whole life: node:http reports a connection's failure here even
    // once the response is in, and an error event with no listener would end the process.
    outgoing.on(
      "error",
      (error: Error) => this.#reject(this.#aborted ?? new TypeError("fetch failed", { cause: error })),
    );
    if (payload?.stream !== undefined) {
      stream ??= builtin("node:stream");
      const source = stream.Readable.fromWeb(payload.stream as NodeReadableStream<Uint8Array>);
      // Backpressure both ways: the body is read only as fast as the connection takes it,
      // and a request that ends (aborted, failed) cancels the body's stream.
      stream.pipeline(source, outgoing, (error) => {
        if (error) outgoing.destroy(error);
      });
    } else if (payload !== undefined) {
      outgoing.end(payload.bytes);
    } else {
      outgoing.end();
    }
  }

  #onResponse(incoming: IncomingMessage): void {
    this.#incoming = incoming;
    const status = incoming.statusCode ?? 0;
    this.status = status;
    this.statusText = incoming.statusMessage ?? "";
    noteKeepAlive(incoming);
    if (this.#method === "HEAD" || NULL_BODY_STATUSES.has(status)) {
      // No body: let the (empty) response end, so that the connection goes back to the pool.
      this.#bodyless = true;
      this.#ended = true;
      incoming.resume();
    } else {
      // Until the body is read, the connection does not keep the process alive (as with
      // fetch, whose small bodies are read ahead): a program that never reads a body must
      // not hang. Each read holds the process while it waits.
      incoming.socket?.unref();
    }
    this.#resolve(this);
  }

  abort(reason: unknown): void {
    if (this.#ended || this.#aborted !== undefined) return;
    this.#aborted = reason;
    this.#reject(reason);
    // Closes the connection: a request cut off mid-way cannot go back to the pool.
    this.#request?.destroy(reason as Error);
    this.#incoming?.destroy(reason as Error);
  }

  header(name: string): string | null {
    const raw = this.#incoming!.rawHeaders;
    const wanted = name.toLowerCase();
    let value: string | null = null;
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i].length === wanted.length && raw[i].toLowerCase() === wanted) {
        value = value === null ? raw[i + 1] : `${value}, ${raw[i + 1]}`;
      }
    }
    return value;
  }

  /** The body as it should be read: decoded as fetch decodes it. */
  #body(): Readable {
    if (this.#source !== undefined) return this.#source;
    const incoming = this.#incoming!;
    const coding = this.header("content-encoding");
    let source: Readable = incoming;
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
        // A failure anywhere destroys the whole chain, the connection included.
        stream!.pipeline([incoming, ...decoders], (error) => {
          if (error) source.destroy(error);
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
    // Bytes of their own, never a Buffer: a lone chunk is a view on node:http's larger
    // buffer, so it is copied, as several are by joining them.
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
    const source = this.#body();
    this.#incoming!.socket?.ref();
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
            this.#incoming!.destroy();
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
        // A body too large for one string or array must reject, not throw in an event handler.
        try {
          resolve(finish(chunks));
        } catch (error) {
          reject(error);
        }
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
    const socket = this.#incoming!.socket;
    socket?.ref();
    return new Promise<void>((resolve, reject) => {
      const stop = () => {
        // Between reads the connection does not hold the process (see #onResponse).
        socket?.unref();
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
    this.#incoming?.destroy();
  }

  toResponse(): Response {
    const raw = this.#incoming!.rawHeaders;
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

/** The node:http transport. */
export const nodeHttpTransport: HttpTransport = {
  send: (request) => new NodeCall(request),
};
