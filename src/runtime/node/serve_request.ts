/**
 * The request a `serve()` handler gets on Node: a `Request` to any code that asks
 * (`instanceof Request`, every property and method of one) that reads `node:http`'s own
 * fields and builds the fetch `Request`, its `Headers` and its `AbortController` only when
 * something needs them.
 *
 * A full fetch `Request` costs Node more than the rest of a small answer together (its
 * URL, its `Headers`, an `AbortController` and a listener per request). Most handlers read
 * the method, the URL and a header or two, so those come straight from the
 * `IncomingMessage`; `headers` is built on first use, `signal` on first use (then aborted
 * when the client leaves before the answer), and whatever else a `Request` has (`body`,
 * `text()`, `clone()`, `cache` …) is answered by a real `Request` made on first use from
 * the same fields. Every property of `Request.prototype` this class does not define itself
 * is forwarded to that real one, whatever the Node release adds.
 *
 * @module
 */
import type * as http from "node:http";
import { forwardToReal } from "./lazy_real.ts";

/** The request's headers as fetch's `Headers`, in the order they came. */
export function toHeaders(req: http.IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    try {
      headers.append(raw[i], raw[i + 1]);
    } catch {
      // A header value fetch's Headers rejects (a stray control character) is dropped.
    }
  }
  return headers;
}

/**
 * The Host header as `Headers.get("host")` would give it (several are joined with `, `,
 * which the URL rule then refuses), read from the raw headers: `req.headers.host` keeps
 * only the first.
 */
export function hostHeader(req: http.IncomingMessage): string | null {
  const raw = req.rawHeaders;
  let host: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 4 && name.toLowerCase() === "host") {
      host = host === null ? raw[i + 1] : `${host}, ${raw[i + 1]}`;
    }
  }
  return host;
}

/**
 * The request body as a web stream, read as the handler reads it. (Node 22's
 * `Readable.toWeb` ends the process when the stream is cancelled while data still
 * arrives: "Controller is already closed".)
 */
function bodyStream(req: http.IncomingMessage): ReadableStream<Uint8Array> {
  let settled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.pause();
      req.on("data", (chunk: Uint8Array) => {
        if (settled) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => {
        if (!settled) controller.close();
        settled = true;
      });
      req.once("close", () => {
        if (!settled) controller.error(new Error("the client closed the connection before the body ended"));
        settled = true;
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      // Nothing more is wanted; the shared core closes the connection after the answer.
      settled = true;
    },
  });
}

/** Gives the real `Request` behind a {@linkcode NodeRequest}, making it on first use. */
let realOf: (request: NodeRequest) => Request;

/** A `Request` that reads a `node:http` request lazily (see the module comment). */
export class NodeRequest {
  readonly #req: http.IncomingMessage;
  readonly #res: http.ServerResponse;
  readonly #url: string;
  #headers: Headers | undefined;
  #controller: AbortController | undefined;
  #request: Request | undefined;

  static {
    realOf = (request) => request.#real();
  }

  /** `url` is the handler's URL, already made by the shared core's rule. */
  constructor(req: http.IncomingMessage, res: http.ServerResponse, url: string) {
    this.#req = req;
    this.#res = res;
    this.#url = url;
  }

  get method(): string {
    return this.#req.method ?? "GET";
  }

  get url(): string {
    return this.#url;
  }

  get headers(): Headers {
    return this.#request?.headers ?? (this.#headers ??= toHeaders(this.#req));
  }

  get signal(): AbortSignal {
    return this.#request?.signal ?? this.#ownSignal();
  }

  get body(): ReadableStream<Uint8Array> | null {
    // fetch's Request carries no body for GET and HEAD.
    if (this.#request === undefined && !this.#hasBody()) return null;
    return this.#real().body;
  }

  get bodyUsed(): boolean {
    if (this.#request === undefined && !this.#hasBody()) return false;
    return this.#real().bodyUsed;
  }

  #hasBody(): boolean {
    const method = this.method;
    return method !== "GET" && method !== "HEAD";
  }

  /** Aborted when the client leaves before the answer is written. */
  #ownSignal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      const res = this.#res;
      if (res.closed) {
        if (!res.writableFinished) controller.abort();
      } else {
        res.once("close", () => {
          if (!res.writableFinished) controller.abort();
        });
      }
      this.#controller = controller;
    }
    return this.#controller.signal;
  }

  #real(): Request {
    if (this.#request === undefined) {
      const hasBody = this.#hasBody();
      this.#request = new Request(this.#url, {
        method: this.method,
        headers: this.headers,
        signal: this.#ownSignal(),
        ...(hasBody ? { body: bodyStream(this.#req), duplex: "half" } : {}),
      } as RequestInit);
    }
    return this.#request;
  }
}

// Everything else a Request has is the real one's: its getters and methods run on it.
forwardToReal(NodeRequest, Request, (request) => realOf(request));
