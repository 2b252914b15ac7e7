/**
 * `FastResponse` on Node: a `Response` that keeps its body (a string, bytes, an
 * `ArrayBuffer` or nothing) and its headers as they were given, so that `serve()` writes it
 * in one `res.end()` without ever building fetch's `Response`, its `Headers` or its body
 * stream.
 *
 * Node's fetch `Response` costs a small answer more than the rest of serve()'s work: its
 * body becomes a web stream (a string is encoded, bytes are copied twice on the way out)
 * and its headers a validated `Headers`. Most handlers only make a response and return it,
 * so this one stores the two arguments and answers `status`, `statusText`, `ok`, `type`,
 * `url`, `redirected` and `bodyUsed` from them; `headers` becomes a `Headers` on first use
 * (still written without the rest), and whatever else a `Response` has (`body`, `text()`,
 * `clone()` of a read body …) runs on a real `Response` made on first use from the same
 * arguments. Once that real one exists, the writer takes the body from it like any other
 * response. A body of another kind (a stream, a Blob, form data) makes the real one at once.
 *
 * Bytes are not copied, unlike fetch's `Response`: changing them before the answer is
 * written changes the answer. Header names and values are checked when the answer is
 * written (Node refuses an invalid one, and the connection is closed), not in the
 * constructor.
 *
 * @module
 */
import { forwardToReal } from "./lazy_real.ts";

/** A body this class keeps as it is: what Node writes in one `res.end()`. */
type Source = string | Uint8Array<ArrayBuffer> | null;

/** What the writer needs of a response that has not become a real one. */
export interface FastParts {
  status: number;
  statusText: string;
  /** Names and values as `writeHead` takes them, without framing headers. */
  headers: string[];
  body: Source;
}

const TEXT_TYPE = "text/plain;charset=UTF-8";
const JSON_TYPE = "application/json";
/** Statuses whose response has no body, as fetch's `Response` rules it. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
/** A reason phrase as fetch allows it (RFC 9110 reason-phrase). */
const REASON = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The body as this class keeps it, or `undefined` for a kind that needs a real `Response`. */
function sourceOf(body: unknown): Source | undefined {
  if (body === null || body === undefined) return null;
  if (typeof body === "string") return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  // A view on a SharedArrayBuffer is left to fetch's Response (which copies it).
  if (ArrayBuffer.isView(body) && body.buffer instanceof ArrayBuffer) {
    return body instanceof Uint8Array
      ? body as Uint8Array<ArrayBuffer>
      : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  }
  return undefined;
}

/** Whether a header name is one the writer sets itself from the body. */
function framing(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === "content-length" || lower === "transfer-encoding";
}

/**
 * The headers of `init` as `writeHead` takes them (framing headers left out), and whether
 * one of them is Content-Type.
 */
function headerList(init: HeadersInit | undefined): { list: string[]; typed: boolean } {
  const list: string[] = [];
  let typed = false;
  const add = (name: string, value: unknown) => {
    if (framing(name)) return;
    if (!typed && name.toLowerCase() === "content-type") typed = true;
    list.push(name, String(value));
  };
  if (init === undefined || init === null) return { list, typed };
  if (init instanceof Headers) {
    init.forEach((value, name) => {
      if (name !== "set-cookie") add(name, value);
    });
    for (const cookie of init.getSetCookie()) list.push("set-cookie", cookie);
  } else if (Array.isArray(init) || Symbol.iterator in init) {
    for (const pair of init as Iterable<[string, string]>) add(pair[0], pair[1]);
  } else {
    for (const name of Object.keys(init)) add(name, (init as Record<string, string>)[name]);
  }
  return { list, typed };
}

/** Gives the real `Response` behind a {@linkcode NodeFastResponse}, making it on first use. */
let realOf: (response: NodeFastResponse) => Response;
/** Gives what the writer needs of a response that has no real one yet. */
let partsOf: (response: NodeFastResponse) => FastParts | undefined;

/** A `Response` that keeps its body and headers as given (see the module comment). */
export class NodeFastResponse {
  /** The body as given, while there is no real `Response`. */
  #source: Source;
  readonly #init: ResponseInit | undefined;
  readonly #status: number;
  #headers: Headers | undefined;
  #response: Response | undefined;

  static {
    realOf = (response) => response.#real();
    partsOf = (response) => response.#parts();
  }

  constructor(body?: BodyInit | null, init?: ResponseInit) {
    const status = init?.status ?? 200;
    const source = sourceOf(body);
    this.#init = init;
    this.#status = status;
    if (source === undefined) {
      // A stream, Blob, FormData …: the real Response takes it (and checks everything).
      this.#source = null;
      this.#response = new Response(body, init);
      return;
    }
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`FastResponse: status ${status} is not an integer from 200 to 599`);
    }
    if (init?.statusText !== undefined && !REASON.test(init.statusText)) {
      throw new TypeError(`FastResponse: statusText ${JSON.stringify(init.statusText)} is not a valid reason phrase`);
    }
    if (source !== null && NULL_BODY_STATUSES.has(status)) {
      throw new TypeError(`FastResponse: a response with status ${status} cannot have a body`);
    }
    this.#source = source;
  }

  /** Like `Response.json()`: `data` as JSON, with `Content-Type: application/json` unless `init` has one. */
  static json(data: unknown, init?: ResponseInit): Response {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError(`FastResponse.json: ${typeof data} cannot be written as JSON`);
    // Without headers of the caller's, no Headers is built at all.
    let headers: HeadersInit = { "content-type": JSON_TYPE };
    if (init?.headers !== undefined) {
      const given = new Headers(init.headers);
      if (!given.has("content-type")) given.set("content-type", JSON_TYPE);
      headers = given;
    }
    return new NodeFastResponse(text, { ...init, headers }) as unknown as Response;
  }

  get status(): number {
    return this.#response?.status ?? this.#status;
  }

  get statusText(): string {
    return this.#response?.statusText ?? this.#init?.statusText ?? "";
  }

  get ok(): boolean {
    const status = this.status;
    return status >= 200 && status <= 299;
  }

  get type(): ResponseType {
    return this.#response?.type ?? "default";
  }

  get url(): string {
    return this.#response?.url ?? "";
  }

  get redirected(): boolean {
    return this.#response?.redirected ?? false;
  }

  get bodyUsed(): boolean {
    return this.#response?.bodyUsed ?? false;
  }

  get headers(): Headers {
    if (this.#headers === undefined) {
      if (this.#response !== undefined) return this.#response.headers;
      const headers = new Headers(this.#init?.headers);
      if (typeof this.#source === "string" && !headers.has("content-type")) headers.set("content-type", TEXT_TYPE);
      this.#headers = headers;
    }
    return this.#headers;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#response === undefined && this.#source === null) return null;
    return this.#real().body;
  }

  clone(): Response {
    if (this.#response !== undefined) return this.#response.clone();
    return new NodeFastResponse(this.#source, {
      status: this.#status,
      statusText: this.statusText,
      headers: new Headers(this.headers),
    }) as unknown as Response;
  }

  #real(): Response {
    if (this.#response === undefined) {
      const init = this.#init;
      this.#response = new Response(this.#source, {
        status: this.#status,
        ...(init?.statusText !== undefined ? { statusText: init.statusText } : {}),
        headers: this.headers,
      });
      this.#source = null;
    }
    return this.#response;
  }

  #parts(): FastParts | undefined {
    if (this.#response !== undefined) return undefined;
    const source = this.#source;
    const { list, typed } = this.#headers !== undefined ? headerList(this.#headers) : headerList(this.#init?.headers);
    if (!typed && typeof source === "string") list.push("content-type", TEXT_TYPE);
    return { status: this.#status, statusText: this.#init?.statusText ?? "", headers: list, body: source };
  }
}

let wired = false;

/**
 * {@linkcode NodeFastResponse}, made a `Response` on first use: everything else a Response
 * has is the real one's, the statics too (`error()`, `redirect()`). Not done when this
 * module loads, because the adapter loads it for every program and reading the global
 * `Response` makes Node load its whole fetch implementation (whose HTTP parser, on Node 22,
 * reserves WebAssembly memory at once).
 */
export function nodeFastResponse(): typeof NodeFastResponse {
  if (!wired) {
    wired = true;
    forwardToReal(NodeFastResponse, Response, (response) => realOf(response));
    Object.setPrototypeOf(NodeFastResponse, Response);
  }
  return NodeFastResponse;
}

/**
 * What the writer needs of `response` to write it without fetch's `Response`, when it is
 * a {@linkcode NodeFastResponse} that has not made a real one; `undefined` otherwise.
 */
export function fastParts(response: Response): FastParts | undefined {
  return (response as unknown) instanceof NodeFastResponse
    ? partsOf(response as unknown as NodeFastResponse)
    : undefined;
}
