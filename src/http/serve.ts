/// <reference lib="esnext.disposable" preserve="true" />
import {
  checkCount,
  checkDelayMs,
  checkFunction,
  checkHostname,
  checkIntegerRange,
  checkOptionsObject,
  checkSignal,
  describeValue,
  refuse,
} from "../_argument_checks.ts";
import { adapter } from "../runtime/mod.ts";
import type { AdapterRequestInfo, AdapterServer, HttpAddr, RequestInfo } from "../runtime/http_types.ts";
import type { ReportedAddr } from "../runtime/types.ts";
import { formatAddr } from "../_address.ts";
import { isBodyTooLargeError } from "./errors.ts";
import { refusedMethod } from "./_methods.ts";
import { requestUrlRule } from "./_request_url.ts";
import { realSocketAddr } from "../net/_socket_addr.ts";
import { toNetError } from "../net/_to_net_error.ts";
import { isIpAddress } from "../net/_ip.ts";
import { causedBy, declaresBody, isBodyTimeoutError, WatchedBody } from "./_request_body.ts";

export type { HttpAddr, RequestInfo } from "../runtime/http_types.ts";

/** A fetch-style request handler: a `Request` in, a `Response` out. */
export type Handler = (request: Request, info: RequestInfo) => Response | Promise<Response>;

/**
 * Makes the body of an answer that serve() gives itself (413, 408, 501, 500 …): the
 * status and a short reason in plain words.
 */
export type ErrorResponder = (status: number, message: string) => Response | Promise<Response>;

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** The address to listen on; a name is resolved first (`localhost` → 127.0.0.1). @default "127.0.0.1" */
  hostname?: string;
  /** The port; 0 picks a free one. @default 0 */
  port?: number;
  /**
   * Let several servers share the port (Linux `SO_REUSEPORT`; Deno needs --unstable-net,
   * Node 22.12+), the kernel spreading connections among them. @default false
   */
  reusePort?: boolean;
  /** Serve HTTPS with this PEM certificate chain and private key. */
  tls?: { cert: string; key: string };
  /** Aborting it closes the server gracefully. */
  signal?: AbortSignal;
  /** Request bodies larger than this get 413 (the handler's body read fails with a BodyTooLargeError). @default 1048576 */
  maxBodyBytes?: number;
  /** A keep-alive connection with no request in progress is closed after this many ms. @default 5000 */
  idleTimeout?: number;
  /** The headers of a request must arrive within this many ms, or the connection is closed. @default 10000 */
  headersTimeout?: number;
  /**
   * The body of a request must arrive within this many ms after its headers, or the
   * request gets 408 (the handler's body read fails) and the connection is closed. @default 30000
   */
  bodyTimeout?: number;
  /**
   * Turns an error thrown by the handler (or a handler result that is not a Response)
   * into a response. @default errorResponse(500, …), and the error written to the console
   */
  onError?: (error: unknown, request: Request) => Response | Promise<Response>;
  /**
   * Makes the body of every answer serve() gives itself: 400, 408, 413, 431 and 501, and
   * the 500 for a handler error when there is no `onError`. @default plain text
   */
  errorResponse?: ErrorResponder;
}

/** A running server. */
export interface HttpServer {
  /** Where it listens. */
  readonly addr: HttpAddr;
  /** Its base URL, such as `http://127.0.0.1:3000`. */
  readonly url: string;
  /** Stops accepting connections, lets requests in flight finish, and resolves when done. */
  close(): Promise<void>;
  /**
   * Closes the server like {@linkcode HttpServer.close}, so `await using server = await serve(…)`
   * closes it at the end of the block. `await using` runs natively on Deno, Bun and Node 24+;
   * on Node 22, call `close()` in a `finally` (or compile with TypeScript, which lowers it).
   */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The reason phrases of the answers serve() gives itself, for the plain-text default. */
const STATUS_TITLES: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  413: "Payload Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
};

const PEER_GONE = "the connection has no peer address: the client reset it before it could be served";
const INVALID_HOST = "the Host header is not a valid host[:port], or there is more than one";

const DEFAULT_TIMEOUTS = { idleTimeout: 5000, headersTimeout: 10000, bodyTimeout: 30000 } as const;

function plainText(status: number, message: string): Response {
  return new Response(message + "\n", { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

/** The answers marked as their connection's last, so that an adapter need not read their headers to know. */
const lastAnswers = new WeakSet<Response>();

/**
 * Marks a response as the connection's last: the runtime then closes the connection after
 * it instead of reading (and throwing away) a request body that nobody wants.
 */
function lastOnConnection(response: Response): Response {
  try {
    response.headers.set("connection", "close");
    lastAnswers.add(response);
    return response;
  } catch {
    // Immutable headers (a fetch response handed on): copy them.
    if (response.status < 200) return response;
    const headers = new Headers(response.headers);
    headers.set("connection", "close");
    const copy = new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    lastAnswers.add(copy);
    return copy;
  }
}

/**
 * Thrown when a handler reads `info.remoteAddr` of a request whose client has reset the
 * connection (on Bun, the address is read only then): the handler's work stops there,
 * and serve() answers the request itself (to nobody) without calling it a handler error.
 */
class PeerGone extends Error {
  override name = "PeerGone";
}

/**
 * The handler's `info` for an adapter that reads the client's address only on demand: the
 * address is checked when first asked for, as an eager one is before the handler runs. A
 * class (the getter on its prototype, as Deno's own handler info has it), because an
 * object literal with a getter costs Bun a noticeable share of a small request.
 */
class LazyRequestInfo implements RequestInfo {
  #addr: HttpAddr | undefined;
  readonly #read: () => ReportedAddr;

  constructor(read: () => ReportedAddr) {
    this.#read = read;
  }

  get remoteAddr(): HttpAddr {
    if (this.#addr === undefined) {
      this.#addr = realSocketAddr(this.#read());
      if (this.#addr === undefined) throw new PeerGone(PEER_GONE);
    }
    return this.#addr;
  }
}

/**
 * Serves HTTP/1.1 (or HTTPS) with a fetch-style handler, the same on Node (`node:http`),
 * Deno (its native server) and Bun (`Bun.serve`).
 *
 * The handler's `request.url` is always a valid absolute URL (the Host header's host, or
 * the server's own address). A request body larger than `maxBodyBytes` gets 413, whether
 * the client declared its length or not, and one slower than `bodyTimeout` 408; idle and
 * slow connections are closed (`idleTimeout`, `headersTimeout`); CONNECT, TRACE and
 * unknown methods get 501; an error thrown by the handler becomes a 500 (or what `onError`
 * returns). docs/http.md ("Under abuse") says what each runtime does at each limit.
 *
 * @param handler Answers each request.
 * @param options Address, TLS, body and time limits, error bodies, a signal to stop.
 * @returns The running server, once it listens.
 * @throws {RangeError} For a bad port, body limit or time limit.
 * @throws {TypeError} For a hostname that is not a string naming a host.
 * @throws {NetError} When it cannot listen: `AddressInUseError`, `PermissionDeniedError`,
 *   `AddressNotAvailableError`, `HostNotFoundError`, `TlsError` (a certificate or key it
 *   cannot read), `UnsupportedError` (reusePort where the runtime cannot share a port), as
 *   `listen()` of anynet/net throws them.
 * @example Hello, world
 * ```ts
 * import { serve } from "anynet/http";
 * const server = await serve(() => Response.json({ hello: "world" }), { port: 0 });
 * console.log(`listening on ${server.url}`);
 * await server.close();
 * ```
 */
export async function serve(handler: Handler, options: ServeOptions = {}): Promise<HttpServer> {
  checkFunction("serve", "handler", handler);
  checkOptionsObject("serve", options, [
    "hostname",
    "port",
    "reusePort",
    "tls",
    "signal",
    "maxBodyBytes",
    "idleTimeout",
    "headersTimeout",
    "bodyTimeout",
    "onError",
    "errorResponse",
  ]);
  let hostname = checkHostname("serve", options.hostname ?? "127.0.0.1");
  const port = checkIntegerRange("serve", "port", options.port ?? 0, 0, 65535);
  const limit = checkCount("serve", "maxBodyBytes", options.maxBodyBytes ?? 1024 * 1024);
  const timeouts = {
    idleMs: checkDelayMs("serve", "idleTimeout", options.idleTimeout ?? DEFAULT_TIMEOUTS.idleTimeout),
    headersMs: checkDelayMs("serve", "headersTimeout", options.headersTimeout ?? DEFAULT_TIMEOUTS.headersTimeout),
    bodyMs: checkDelayMs("serve", "bodyTimeout", options.bodyTimeout ?? DEFAULT_TIMEOUTS.bodyTimeout),
  };
  if (options.tls && (typeof options.tls.cert !== "string" || typeof options.tls.key !== "string")) {
    refuse("serve", "'tls' needs PEM text in 'cert' and 'key'");
  }
  for (const name of ["onError", "errorResponse"] as const) {
    if (options[name] !== undefined) checkFunction("serve", name, options[name], describeValue);
  }
  checkSignal("serve", options.signal)?.throwIfAborted();
  const { onError, errorResponse } = options;
  const scheme = options.tls ? "https" : "http";

  /** serve()'s own answer: the caller's error body, or plain text if it has none (or fails). */
  const answer = async (status: number, message: string): Promise<Response> => {
    if (errorResponse) {
      try {
        const response: unknown = await errorResponse(status, message);
        if (response instanceof Response) return response;
      } catch {
        // Fall through: the client still gets an answer.
      }
    }
    return plainText(status, status === 500 ? STATUS_TITLES[500] : `${STATUS_TITLES[status] ?? "Error"}: ${message}`);
  };

  let server: AdapterServer | undefined;
  const ownOrigin = () => {
    const addr = server?.addr ?? { hostname, port };
    return `${scheme}://${formatAddr(addr)}`;
  };
  const requestUrl = requestUrlRule(scheme, ownOrigin);

  // Requests come from the same few addresses again and again: the last one found to be a
  // real IP address is remembered, so that checking it again is a comparison.
  let knownPeerHost = "";
  const peerAddr = (reported: ReportedAddr): HttpAddr | undefined => {
    const { hostname, port } = reported;
    if (
      hostname === knownPeerHost && typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535
    ) {
      return { hostname, port };
    }
    const checked = realSocketAddr(reported);
    if (checked !== undefined) knownPeerHost = checked.hostname;
    return checked;
  };

  /** serve()'s own answer to a request it refuses, as the connection's last. */
  const refuseRequest = async (status: number, message: string): Promise<Response> =>
    lastOnConnection(await answer(status, message));

  /**
   * The handler's answer as the client gets it. A body the handler left unread would
   * otherwise be read to its end by the runtime (Deno and Bun do, however long it is)
   * just to keep the connection.
   */
  const finish = (response: Response, declared: boolean, body?: WatchedBody) => {
    body?.settle();
    return declared && !body?.finished ? lastOnConnection(response) : response;
  };

  /** The answer when the handler threw, or gave something other than a Response. */
  const caught = async (
    error: unknown,
    declared: boolean,
    handed: Request,
    url: string,
    body?: WatchedBody,
  ): Promise<Response> => {
    if (causedBy(error, isBodyTooLargeError)) {
      return refuseRequest(413, `the request body is over the limit of ${limit} bytes`);
    }
    if (causedBy(error, isBodyTimeoutError)) {
      return refuseRequest(408, `the request body did not arrive within ${timeouts.bodyMs} ms`);
    }
    if (causedBy(error, (value) => value instanceof PeerGone)) return refuseRequest(400, PEER_GONE);
    return finish(await failed(error, handed, url), declared, body);
  };

  /**
   * Answers one request. Not `async`: when the handler answers at once, so does this, and
   * the runtime writes the answer without waiting for a promise (Deno and Bun take a
   * Response returned as it is faster than one wrapped in a promise).
   */
  const run = (request: Request, reported: AdapterRequestInfo): Response | Promise<Response> => {
    // Node and Bun hand on a request whose client reset the connection meanwhile, with
    // no peer address; the handler never sees it without one (see src/net/_socket_addr.ts).
    const reportedAddr = reported.remoteAddr;
    let info: RequestInfo;
    if (typeof reportedAddr === "function") {
      info = new LazyRequestInfo(reportedAddr);
    } else {
      const remoteAddr = peerAddr(reportedAddr);
      if (remoteAddr === undefined) return refuseRequest(400, PEER_GONE);
      info = { remoteAddr };
    }
    const checked = reported.checked;
    const method = request.method;
    const raw = request.url;
    let url: string;
    let length: string | null;
    let declared: boolean;
    if (checked === undefined) {
      const refused = refusedMethod(method);
      // A request serve() refuses may still carry a body: the connection ends with the answer.
      if (refused !== undefined) return refuseRequest(501, refused);
      const headers = request.headers;
      const made = requestUrl(raw, headers.get("host"));
      if (made === undefined) return refuseRequest(400, INVALID_HOST);
      url = made;
      length = headers.get("content-length");
      declared = declaresBody(length, headers);
    } else {
      // The adapter applied the method and URL rules itself (see AdapterRequestInfo).
      url = raw;
      length = checked.contentLength;
      declared = checked.declaresBody;
    }
    if (length !== null && Number(length) > limit) {
      return refuseRequest(413, `the request body is over the limit of ${limit} bytes`);
    }
    let body: WatchedBody | undefined;
    let handed = request;
    let result: unknown;
    try {
      // A GET or HEAD body is never handed on (fetch's Request cannot carry one); it is
      // left unread, and the connection closed after the answer. A request that needs
      // nothing changed is handed on as the runtime made it. One whose framing declares
      // no body has none, so its body is not asked for (on Deno that costs a call into
      // the runtime per request).
      const bodyless = method === "GET" || method === "HEAD";
      const original = bodyless ? null : request.body;
      if (original !== null) {
        const forwardSignal = server?.forwardSignal ?? true;
        body = new WatchedBody(original, limit, timeouts.bodyMs);
        handed = new Request(url, {
          method,
          headers: request.headers,
          body: body.stream,
          ...(forwardSignal ? { signal: request.signal } : {}),
          duplex: "half",
        } as RequestInit);
      } else if (url !== raw || (bodyless && declared && request.body !== null)) {
        const forwardSignal = server?.forwardSignal ?? true;
        handed = new Request(url, {
          method,
          headers: request.headers,
          ...(forwardSignal ? { signal: request.signal } : {}),
        });
      }
      result = handler(handed, info);
    } catch (error) {
      return caught(error, declared, handed, url, body);
    }
    if (result instanceof Response) return finish(result, declared, body);
    return Promise.resolve(result).then(
      (settled) => {
        // Each runtime treats anything else its own way (Bun answers 200 with a welcome
        // page, Deno 500, Node drops the connection): here it is a handler error like any other.
        if (!(settled instanceof Response)) {
          throw new TypeError(`the handler returned ${describeValue(settled)} instead of a Response`);
        }
        return finish(settled, declared, body);
      },
    ).catch((error) => caught(error, declared, handed, url, body));
  };

  const failed = async (error: unknown, request: Request, url: string): Promise<Response> => {
    if (onError) {
      try {
        const response: unknown = await onError(error, request);
        if (response instanceof Response) return response;
      } catch {
        // An onError that throws itself still gets the client an answer.
      }
    } else {
      // Without onError the console is the only place a handler's bug shows up.
      console.error(`serve: ${request.method} ${new URL(url).pathname} failed:`, error);
    }
    return answer(500, "internal server error");
  };

  try {
    // A name is resolved here, as listen() does, so that every runtime listens on (and
    // reports in `url`) the same address and fails alike for a name that does not resolve:
    // Bun would keep the name, and fail with EINVAL for an unknown one.
    if (!isIpAddress(hostname)) hostname = await adapter.net.resolve(hostname);
    server = await adapter.http.serve(run, {
      hostname,
      port,
      reusePort: options.reusePort === true,
      ...(options.tls ? { tls: options.tls } : {}),
      timeouts,
      requestUrl,
      refusedMethod,
      invalidHost: INVALID_HOST,
      refusal: async (status, reason) => lastOnConnection(await answer(status, reason)),
      isLastAnswer: (response) => lastAnswers.has(response),
    });
  } catch (error) {
    // Each runtime fails in its own words and types (Deno's AddrInUse, Node's code
    // EADDRINUSE, Bun's "Failed to start server"): the same NetError classes as listen().
    throw toNetError(error, `listen on ${formatAddr({ hostname, port })}`);
  }
  const url = ownOrigin();
  const running = server;
  options.signal?.addEventListener("abort", () => void running.close(), { once: true });
  const close = () => running.close();
  return { addr: running.addr, url, close, [Symbol.asyncDispose]: close };
}
