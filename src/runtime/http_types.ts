/**
 * The HTTP part of the runtime contract (`RuntimeAdapter.http`, see ./types.ts):
 * what an adapter's server, client transport, CA-aware fetch and signal-free abort take
 * and give.
 *
 * @module
 */
import type { ReportedAddr } from "./types.ts";

/** The address a server listens on, or a client connects from. */
export interface HttpAddr {
  /** IP address or host name. */
  hostname: string;
  /** TCP port. */
  port: number;
}

/** What a fetch-style handler gets besides the Request. */
export interface RequestInfo {
  /** The client's address. */
  remoteAddr: HttpAddr;
}

/**
 * The client's address as the runtime reports it: either part is missing when the client
 * reset the connection before it was read (the shared core checks it).
 */
export interface AdapterRequestInfo {
  /**
   * The client's address, or a function that reads it, for a runtime where reading it
   * costs noticeably per request (Bun): the shared core calls it only when the handler
   * asks for the address.
   */
  remoteAddr: ReportedAddr | (() => ReportedAddr);
  /**
   * Given by an adapter that has already applied the shared core's method rule and URL
   * rule itself (`request.url` is the handler's URL) and read the headers that frame the
   * body, so that the core need not touch `request.headers` (which Node builds only on
   * demand).
   */
  checked?: RequestFraming;
}

/** The headers that frame a request's body, as the runtime's parser read them. */
export interface RequestFraming {
  /** The Content-Length header, or null. */
  contentLength: string | null;
  /** Whether the request says it has a body (a Content-Length other than 0, or a Transfer-Encoding). */
  declaresBody: boolean;
}

/**
 * The handler a runtime adapter runs: it never throws (the shared core turns errors into
 * responses), and gives the Response itself when the user's handler answered at once.
 */
export type AdapterHandler = (request: Request, info: AdapterRequestInfo) => Response | Promise<Response>;

/** The time limits of a server, in ms (see `ServeOptions` in src/http/serve.ts). */
export interface AdapterTimeouts {
  /** A keep-alive connection with no request in progress is closed after this long. */
  idleMs: number;
  /** The headers of a request must have arrived within this long. */
  headersMs: number;
  /** The body of a request must have arrived within this long after its headers. */
  bodyMs: number;
}

/** What a runtime adapter needs to start listening. */
export interface AdapterServeOptions {
  hostname: string;
  port: number;
  /** Share the port with other listeners (Linux `SO_REUSEPORT`). */
  reusePort?: boolean;
  /** PEM certificate chain and private key, for HTTPS. */
  tls?: { cert: string; key: string };
  timeouts: AdapterTimeouts;
  /**
   * The shared core's rule for the URL a handler sees, from the request target (or the
   * URL the runtime built) and the Host header (undefined for an invalid Host header, to
   * be answered 400); for adapters that build the Request.
   */
  requestUrl(target: string, host: string | null): string | undefined;
  /** Why the shared core answers 400 when `requestUrl` gives no URL. */
  invalidHost: string;
  /**
   * Why the shared core answers this method itself with 501, or undefined; for adapters
   * that must decide before a Request exists (fetch's Request refuses some methods).
   */
  refusedMethod(method: string): string | undefined;
  /**
   * The shared core's answer to a request refused before any Request exists (an
   * unsupported method, a request the runtime's parser rejected, one too slow): the
   * server's error body for `status`, marked as the connection's last.
   */
  refusal(status: number, reason: string): Promise<Response>;
  /**
   * Whether the shared core marked `response` as the connection's last (it also carries
   * `Connection: close`); asking this is cheaper than reading the response's headers,
   * which on Deno takes the response off the runtime's fast path.
   */
  isLastAnswer(response: Response): boolean;
}

/** A listening server, as an adapter hands it back. */
export interface AdapterServer {
  readonly addr: HttpAddr;
  /**
   * Whether `request.signal` may be read and passed on. Deno 2.9's `Deno.serve` aborts it
   * even after a successful response (its "legacy" behaviour) and prints a warning the
   * first time it is read, so the shared core leaves it alone there.
   */
  readonly forwardSignal: boolean;
  /** Stops accepting, lets requests in flight finish, then resolves. */
  close(): Promise<void>;
}

/** Starts an HTTP server on one runtime (`node/serve.ts`, `deno/serve.ts`, `bun/serve.ts`). */
export type ServeAdapter = (handler: AdapterHandler, options: AdapterServeOptions) => Promise<AdapterServer>;

/** A `fetch` that trusts extra CA certificates (PEM) besides the system's. */
export type FetchWithCa = (url: string, init: RequestInit, caCerts: readonly string[]) => Promise<Response>;

/** An HTTP proxy a request goes through (the client chose it: see src/http/_proxy_choice.ts). */
export interface ProxyRoute {
  /** `http://host:port`, without credentials or path. */
  readonly origin: string;
  /** The proxy's host name or address (an IPv6 address without its brackets). */
  readonly hostname: string;
  readonly port: number;
  /** The credentials for the proxy, percent-decoded; undefined when it takes none. */
  readonly credentials: { readonly username: string; readonly password: string } | undefined;
  /** `Proxy-Authorization` for those credentials (`Basic …`): sent to the proxy only, never to the server. */
  readonly authorization: string | undefined;
}

/**
 * A `fetch` that goes exactly where the client says: through `proxy`, or straight to the
 * server when `proxy` is undefined, whatever proxy variables the runtime's own fetch
 * would read; trusting `caCerts` besides the system's CAs when given. An https request
 * through a proxy is a CONNECT tunnel, its certificate checked against the server's host.
 */
export type FetchRouted = (
  url: string,
  init: RequestInit,
  caCerts: readonly string[] | undefined,
  proxy: ProxyRoute | undefined,
) => Promise<Response>;

/**
 * Aborts one fetch that was given no AbortSignal, on a runtime where a signal costs its
 * fetch noticeably (Node: see node/abort_hook.ts). The runtime may hand over the means
 * to abort only once the request is under way, so an abort that comes earlier is kept
 * and applied then, and the guarded promise rejects at once.
 */
export interface FetchAbortHandle {
  /**
   * Whether fetches have been seen to hand over their abort this way; until then the
   * caller passes its signal as well.
   */
  readonly proven: boolean;
  /** Adds what the fetch needs to report to this handle (Node: a dispatcher) to `init`. */
  attach(init: RequestInit): void;
  /** Aborts the request with `reason`, now or as soon as the runtime lets it; rejects the guarded promise. */
  abort(reason: Error): void;
  /** The fetch's promise as the caller should see it: it rejects at `abort()`, even while the request cannot be aborted yet. */
  guard(pending: Promise<Response>): Promise<Response>;
}

/** One request as the client hands it to a transport: redirects, retries and time limits stay the client's. */
export interface TransportRequest {
  /** The absolute http: or https: URL, without credentials. */
  url: string;
  method: string;
  /** The request's headers, or `undefined` for none but the transport's defaults. */
  headers: Headers | undefined;
  /** The body, as fetch would take it. */
  body: NonNullable<RequestInit["body"]> | undefined;
  /** Extra CA certificates (PEM) to trust besides the system's. */
  caCerts: readonly string[] | undefined;
  /** The proxy to go through (absolute-form for http, a CONNECT tunnel for https), or undefined for none. */
  proxy?: ProxyRoute | undefined;
  /**
   * Told as the connection takes the body: `bytes` more written, the body's size when it
   * is known, and `finished` after its last byte. Absent when nobody asks.
   */
  onBodySent?: (bytes: number, total: number | undefined, finished: boolean) => void;
}

/**
 * When the phases of a request on a transport ended, as `performance.now()` readings;
 * a phase that did not happen is undefined (a reused connection has no DNS, connect or
 * TLS phase; a connection to an IP address no DNS phase).
 */
export interface TransportTimings {
  dns?: number;
  connect?: number;
  tls?: number;
  /** The response's head came in. */
  firstByte?: number;
}

/**
 * A response as a transport hands it over, with the body not yet read. Only what the
 * client asks for is built: no `Headers`, stream or `Response` unless they are read.
 */
export interface TransportResponse {
  readonly status: number;
  /** What the transport saw of the request's phases. */
  readonly timings?: TransportTimings;
  readonly statusText: string;
  /** One response header (any case), its values joined with ", " as `Headers.get()` joins them; null when absent. */
  header(name: string): string | null;
  /** Reads the whole body (decoded, as fetch decodes it) as UTF-8 text. */
  text(): Promise<string>;
  /**
   * Reads the whole body (decoded), handing each chunk to `onChunk` first: when it throws,
   * the connection is closed and the read rejects with its error.
   */
  bytes(onChunk?: (chunk: Uint8Array) => void): Promise<Uint8Array>;
  /** The body as a byte stream that reads only as fast as it is read, or null when there is none. */
  stream(): ReadableStream<Uint8Array> | null;
  /** Drops the body unread (closing the connection when it has not ended). */
  cancel(): void;
  /** The runtime's own `Response` for this response: same status, headers and one-shot body. */
  toResponse(): Response;
}

/** One request under way on a transport. */
export interface TransportCall {
  /** Resolves once the status and headers are in; rejects as fetch would (a TypeError with the cause). */
  readonly response: Promise<TransportResponse>;
  /**
   * Ends the request at once with `reason`: its connection is closed, and the pending
   * response or body read rejects with `reason`. Does nothing once the body has been read.
   */
  abort(reason: unknown): void;
}

/** A client transport faster than the runtime's fetch: pooled keep-alive connections (Node: node:http). */
export interface HttpTransport {
  /** Starts one request (a synchronous failure of the arguments is thrown). */
  send(request: TransportRequest): TransportCall;
}

/** HTTP on one runtime. */
export interface HttpAdapter {
  /** Starts the runtime's HTTP server. */
  serve: ServeAdapter;
  /**
   * A `Response` class that `serve` writes faster than the runtime's own, and that is one
   * to any other code; absent where the runtime's own is the fastest (Deno, Bun).
   */
  fastResponse?: typeof Response;
  /**
   * The client's own transport, used instead of fetch unless a request asks for fetch;
   * absent where fetch is the fastest client the runtime has (Deno, Bun).
   */
  transport?: HttpTransport;
  /**
   * The runtime's `fetch`, trusting extra CA certificates; absent where fetch cannot be
   * given any (Node): requests with extra CAs go through `transport` there.
   */
  fetchWithCa?: FetchWithCa;
  /**
   * The runtime's `fetch` sent through a proxy, or straight to the server even when the
   * environment names a proxy that the runtime's fetch would use; absent on Node, where
   * requests through a proxy take `transport`.
   */
  fetchRouted?: FetchRouted;
  /**
   * A handle to abort one fetch without giving it a signal, or `undefined` when the
   * runtime cannot do that yet (Node before its fetch has loaded). Absent on runtimes
   * where a signal is cheap (Deno, Bun).
   */
  abortWithoutSignal?(): FetchAbortHandle | undefined;
  /**
   * True where fetch makes a request from a `Request` it is given (copying its URL, method
   * and headers) faster than from a URL and options it must parse and check (Deno, Bun):
   * the client then builds a call that it repeats as one `Request`, once, and fetches that.
   */
  fetchCopiesRequests?: boolean;
}
