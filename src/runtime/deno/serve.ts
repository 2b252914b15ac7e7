/**
 * `serve()` on Deno: Deno's native HTTP server (hyper), one connection at a time.
 *
 * `Deno.serve` accepts connections itself and offers no limit of any kind: it keeps idle
 * keep-alive connections and half-sent headers open for ever, reads and discards a body
 * nobody wants to its end, and when accepting fails (no file descriptor left) its loop
 * ends with an uncaught error that ends the process. So this adapter accepts connections
 * itself (`Deno.listen`, `Deno.listenTls`), backs off and retries when accepting fails,
 * and serves each connection with the same native server through
 * `serveHttpOnConnection`, which `Deno.serve` is built on and which Deno exposes through
 * `Deno[Deno.internal]`. Owning each connection is what lets it close the idle and slow
 * ones. Should a Deno release drop that function, the adapter falls back to `Deno.serve`
 * (and loses those limits).
 *
 * @module
 */
import type {
  AdapterHandler,
  AdapterServeOptions,
  AdapterServer,
  RequestFraming,
  RequestInfo,
  ServeAdapter,
} from "../http_types.ts";
import type { ReportedAddr } from "../types.ts";
import { deno, type DenoConn, type DenoHandler, type DenoHandlerInfo, type DenoListener } from "./deno_api.ts";
import { denoReuseOption, isAcceptedConnectionGone } from "./tcp.ts";
import { abortQuietly } from "./abort_quietly.ts";

interface ConnectionServer {
  finished: Promise<void>;
  shutdown(): Promise<void>;
}

type ServeHttpOnConnection = (
  conn: DenoConn,
  signal: AbortSignal,
  handler: DenoHandler,
  onError: (error: unknown) => Response,
  onListen: () => void,
) => ConnectionServer;

/** Deno's internals, where `serveHttpOnConnection` is found (not in Deno's declarations). */
interface DenoInternals {
  internal?: symbol;
  [key: symbol]: { serveHttpOnConnection?: ServeHttpOnConnection } | undefined;
}

/**
 * After the answer to a request whose body was left unread, the connection stays open
 * this long before it is cut, so that the client can read the answer before the reset
 * that closing a socket with unread data sends (hyper reads and discards meanwhile).
 */
const LINGER_MS = 500;

/** The longest wait between two attempts to accept when accepting fails. */
const MAX_ACCEPT_BACKOFF_MS = 1000;

const internalServerError = () => new Response("Internal Server Error\n", { status: 500 });

/** One accepted connection and what the time limits need to know of it. */
class Connection {
  /**
   * The info of its latest request until the sweep finds that request done (see
   * {@linkcode requestInProgress}); undefined when none is in progress. HTTP/1.1 has one
   * request at a time on a connection, and hyper serves pipelined ones in turn.
   */
  current: DenoHandlerInfo | undefined;
  /** Whether a request has arrived (then the idle limit applies between requests, else the headers limit). */
  served = false;
  /** When it was last seen with nothing in progress (or was accepted). */
  since: number = Date.now();
  server!: ConnectionServer;
  /** Set once the native server is done with it. */
  ended = false;
  /** The cut after a last answer (see {@linkcode LINGER_MS}). */
  linger: ReturnType<typeof setTimeout> | undefined;
  readonly abort: AbortController = new AbortController();
  readonly conn: DenoConn;
  /**
   * The client's address, read once: every request on the connection comes from it, and
   * asking each request's info for it costs Deno a call into its native side.
   */
  readonly remoteAddr: ReportedAddr;

  constructor(conn: DenoConn) {
    this.conn = conn;
    this.remoteAddr = { hostname: conn.remoteAddr.hostname, port: conn.remoteAddr.port };
  }

  /**
   * Closes it at once, request or not. (Closing the Deno.Conn itself would not do: while
   * the native server holds it, the socket stays open. Not even this closes a TLS
   * connection whose handshake has not finished: Deno keeps it until the client sends
   * or leaves.)
   */
  kill(): void {
    // Aborting a connection the native server has already closed throws from inside the
    // abort event (an uncaught error, fatal), so never after the end; and the native side
    // can close it before the end reaches JavaScript, which abortQuietly() survives.
    if (!this.ended) abortQuietly(this.abort);
  }
}

function closeQuietly(listener: DenoListener): void {
  try {
    listener.close();
  } catch {
    // Already closed.
  }
}

/**
 * Whether Deno still serves the request `info` came with. Its `remoteAddr` throws once
 * Deno has let go of the request (the answer handed to the native side, or its body
 * stream finished), the moment its `completed` promise would settle: the sweep asks this
 * of each connection's latest request, where a `completed` promise and its reactions for
 * every request cost about a microsecond each.
 */
function requestInProgress(info: DenoHandlerInfo): boolean {
  try {
    void info.remoteAddr;
    return true;
  } catch {
    return false;
  }
}

/** What a Request that Deno made keeps of the native request: one header at a time. */
interface NativeRequest {
  header(name: string): string | null;
}

/** The key of the native request on a Request Deno made: found on the first request, null when there is none. */
let nativeRequestKey: symbol | null | undefined;

function nativeRequest(request: Request): NativeRequest | undefined {
  const fields = request as unknown as Record<symbol, NativeRequest | undefined>;
  nativeRequestKey ??=
    Object.getOwnPropertySymbols(request).find((key) =>
      key.description === "request" && typeof fields[key]?.header === "function"
    ) ?? null;
  const native = nativeRequestKey === null ? undefined : fields[nativeRequestKey];
  return typeof native?.header === "function" ? native : undefined;
}

function toInfo(info: DenoHandlerInfo): RequestInfo {
  return { remoteAddr: { hostname: info.remoteAddr.hostname, port: info.remoteAddr.port } };
}

/** Starts a server on Deno that runs `handler` for each request. */
export const serveDeno: ServeAdapter = (handler: AdapterHandler, options: AdapterServeOptions) => {
  const Deno = deno();
  const internals = Deno as unknown as DenoInternals;
  const serveOn = internals.internal === undefined ? undefined : internals[internals.internal]?.serveHttpOnConnection;
  if (typeof serveOn !== "function") return serveWithDenoServe(handler, options);

  const { idleMs, headersMs } = options.timeouts;
  const tls = options.tls;
  const listener = tls
    ? Deno.listenTls({
      hostname: options.hostname,
      port: options.port,
      cert: tls.cert,
      key: tls.key,
      // HTTP/1.1 only, as on Node and Bun: over HTTP/2 a connection carries many requests,
      // and cutting one (after a body left unread, or too slow) would cut them all.
      alpnProtocols: ["http/1.1"],
      ...denoReuseOption(options.reusePort === true),
    })
    : Deno.listen({ hostname: options.hostname, port: options.port, ...denoReuseOption(options.reusePort === true) });
  const connections = new Set<Connection>();
  let stopped = false;

  /**
   * The shared core's method and URL rules and the body's framing, read through the
   * native request: `request.headers` would build a Headers object, and Deno then copies
   * every header and answers through a promise (about 2 µs a request). Undefined, so that
   * the core checks through `request.headers`, for a request the core refuses or whose
   * URL it rewrites, and on a Deno without a native request to ask.
   */
  const framing = (request: Request): RequestFraming | undefined => {
    const native = nativeRequest(request);
    if (native === undefined || options.refusedMethod(request.method) !== undefined) return undefined;
    const raw = request.url;
    if (options.requestUrl(raw, native.header("host")) !== raw) return undefined;
    const contentLength = native.header("content-length");
    const declaresBody = (contentLength !== null && contentLength !== "0") ||
      native.header("transfer-encoding") !== null;
    return { contentLength, declaresBody };
  };

  const onRequest = (connection: Connection, request: Request, info: DenoHandlerInfo) => {
    connection.current = info;
    connection.served = true;
    const answered = handler(request, { remoteAddr: connection.remoteAddr, checked: framing(request) });
    if (answered instanceof Response) return lastAnswer(connection, answered, info);
    return answered.then((response) => lastAnswer(connection, response, info));
  };

  /**
   * The shared core marks the last answer on a connection; hyper would still read the
   * rest of the request body to its end, so the connection is cut after a linger.
   */
  const lastAnswer = (connection: Connection, response: Response, info: DenoHandlerInfo) => {
    if (options.isLastAnswer(response)) {
      const cut = () => {
        connection.linger ??= setTimeout(() => connection.kill(), LINGER_MS);
      };
      info.completed.then(cut, cut);
    }
    return response;
  };

  const serveConnection = (connection: Connection) => {
    connection.server = serveOn(
      connection.conn,
      connection.abort.signal,
      (request, info) => onRequest(connection, request, info),
      internalServerError,
      () => {},
    );
    const gone = () => {
      connection.ended = true;
      clearTimeout(connection.linger);
      connections.delete(connection);
    };
    // A connection that breaks (a reset, a cut, a failed TLS handshake) ends here, not as
    // an uncaught error.
    connection.server.finished.then(gone, gone);
  };

  const acceptLoop = async () => {
    let backoff = 0;
    while (!stopped) {
      let conn: DenoConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopped) return;
        // A client that reset before its connection was accepted: nothing to wait for, as
        // a pause per such client would let a flood of them stall everyone else.
        if (isAcceptedConnectionGone(error)) continue;
        // Out of file descriptors (or another passing failure): the connections already
        // open go on, new ones wait in the kernel's queue until one closes.
        if (backoff === 0) {
          console.error(
            `serve: cannot accept connections on ${options.hostname}:${listener.addr.port}: ${
              error instanceof Error ? error.message : String(error)
            }; retrying`,
          );
        }
        backoff = Math.min(MAX_ACCEPT_BACKOFF_MS, backoff === 0 ? 10 : backoff * 2);
        await new Promise((resolve) => setTimeout(resolve, backoff));
        continue;
      }
      backoff = 0;
      const connection = new Connection(conn);
      connections.add(connection);
      serveConnection(connection);
    }
  };

  // One sweep closes every connection past its limit, rather than a timer per connection
  // and request (as Node checks its own limits). A request found done counts as ended at
  // that sweep: a connection is cut at most one sweep later than its limit says.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const connection of connections) {
      if (connection.current !== undefined) {
        if (requestInProgress(connection.current)) continue;
        connection.current = undefined;
        connection.since = now;
      }
      if (now - connection.since > (connection.served ? idleMs : headersMs)) connection.kill();
    }
  }, Math.min(1000, Math.max(10, Math.floor(Math.min(idleMs, headersMs) / 4))));

  void acceptLoop();
  let closing: Promise<void> | undefined;
  const result: AdapterServer = {
    forwardSignal: false,
    addr: { hostname: listener.addr.hostname, port: listener.addr.port },
    close() {
      closing ??= (async () => {
        stopped = true;
        closeQuietly(listener);
        // Connections that never had a request are cut, not waited for: one whose TLS
        // handshake never starts would never end (see Connection.kill).
        const served = [...connections].filter((connection) => connection.served);
        for (const connection of connections) {
          if (connection.served) connection.server.shutdown().catch(() => connection.kill());
          else connection.kill();
        }
        // The sweep goes on meanwhile, so a slow client cannot hold close() open.
        await Promise.all(served.map((connection) => connection.server.finished.catch(() => {})));
        clearInterval(sweep);
      })();
      return closing;
    },
  };
  return Promise.resolve(result);
};

/** The plain `Deno.serve`, for a Deno without `serveHttpOnConnection`: no time limits. */
async function serveWithDenoServe(handler: AdapterHandler, options: AdapterServeOptions): Promise<AdapterServer> {
  const Deno = deno();
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const server = Deno.serve(
    {
      hostname: options.hostname,
      port: options.port,
      ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : {}),
      // Deno.serve prints "Listening on …" unless onListen is given.
      onListen: () => listening(),
    },
    (request, info) => handler(request, toInfo(info)),
  );
  // When accepting fails, Deno.serve's loop ends with this promise rejected: the server
  // stops, but the process must not end with an uncaught error.
  server.finished.catch((error) => console.error(`serve: the server stopped: ${String(error)}`));
  await ready;
  let closing: Promise<void> | undefined;
  return {
    forwardSignal: false,
    addr: { hostname: server.addr.hostname, port: server.addr.port },
    close() {
      closing ??= server.shutdown();
      return closing;
    },
  };
}
