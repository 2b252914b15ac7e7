/// <reference lib="esnext.disposable" preserve="true" />
import {
  type Connection,
  formatAddr,
  listen,
  type Listener,
  type NetAddr,
  type NetError,
  type TlsServerOptions,
} from "../net/mod.ts";
import { Activity, idleSweepInterval } from "../_idle.ts";
import { safeEventCallback, Service } from "../_service.ts";
import { checkEchoOptions } from "./_options.ts";
import type { EchoEvent } from "./events.ts";

/** How long a refused connection is read (and its bytes dropped) after its FIN before it is closed anyway, in ms. */
const REFUSAL_LINGER_MS = 1000;

/** Options of {@linkcode serveEcho}. */
export interface ServeEchoOptions {
  /** Address to listen on; all interfaces only when asked for (`"0.0.0.0"`, `"::"`). @default "127.0.0.1" */
  hostname?: string;
  /** Port; 0 picks a free one. @default 65432 */
  port?: number;
  /** Share the port with other listeners (see `ListenOptions.reusePort` in anynet/net). @default false */
  reusePort?: boolean;
  /** Serve TLS with this PEM certificate and key. @default plain TCP */
  tls?: TlsServerOptions;
  /**
   * Connections served at once, TLS handshakes in progress included; more are closed as
   * soon as they are accepted, cleanly: FIN first, before any echo. @default no limit
   */
  maxConnections?: number;
  /**
   * Close a connection after this many milliseconds without progress in either direction
   * (a TLS handshake that has not finished counts as no progress). @default no limit
   */
  idleTimeout?: number;
  /** Serve this many connections, then stop accepting and finish (1 for the classic one-shot server). @default no limit */
  maxClients?: number;
  /** How long `close()` waits for connections to finish before closing them. @default 5000 */
  gracePeriod?: number;
  /** Stops the server gracefully when aborted. */
  signal?: AbortSignal;
  /** Called for each connection event (for logging). Exceptions it throws are ignored. */
  onEvent?: (event: EchoEvent) => void;
}

/** A running echo server. */
export interface EchoServer extends AsyncDisposable {
  /** The address listened on, with the real port. */
  readonly addr: NetAddr;
  /** Connections being served now. */
  readonly activeConnections: number;
  /**
   * Connections dropped before they could be served: the peer reset them before the
   * runtime could read their address (each is also reported as a `drop` event).
   */
  readonly droppedConnections: number;
  /** Settles when the server has stopped and every connection is finished. */
  readonly finished: Promise<void>;
  /**
   * Stops gracefully: stops accepting, lets each connection finish echoing what it has
   * read, then closes it; connections still busy after `gracePeriod` are closed.
   * @returns The `finished` promise.
   */
  close(): Promise<void>;
}

interface ConnectionState {
  conn: Connection;
  /** Counts chunks as bytes arrive or go back: what the idle sweep looks at. */
  activity: Activity;
  /** Ends the echo gracefully (set once it runs). */
  stopEcho: (() => void) | undefined;
}

/**
 * Starts a TCP (or TLS) echo server that serves many clients at once: every byte a
 * client sends comes back in order; a client's FIN is answered with FIN after the last
 * echoed byte. A client that does not read is not read from either (backpressure), so
 * memory stays bounded; a misbehaving client never disturbs the others.
 *
 * @param options Where and how to serve; see {@linkcode ServeEchoOptions}.
 * @returns The running server.
 * @throws {TypeError | RangeError} For bad options, before any I/O.
 * @throws {NetError} `AddressInUseError`, `PermissionDeniedError` …
 * @example Serve on a free port and stop
 * ```ts
 * import { echo, serveEcho } from "anynet/echo";
 * // `await using`: native on Deno, Bun, Node 24+; on Node 22 call close() in finally, or compile with tsc.
 * await using server = await serveEcho({ port: 0 });
 * console.assert(await echo("hi", { port: server.addr.port }) === "hi");
 * ```
 */
export async function serveEcho(options: ServeEchoOptions = {}): Promise<EchoServer> {
  const o = checkEchoOptions("serve echo", options, [
    "hostname",
    "port",
    "reusePort",
    "tls",
    "maxConnections",
    "idleTimeout",
    "maxClients",
    "gracePeriod",
    "signal",
    "onEvent",
  ]);
  const idleTimeout = o.idleTimeout;
  const onEvent = options.onEvent;
  const emit = safeEventCallback(onEvent);
  const listener: Listener = await listen({
    hostname: o.hostname,
    port: o.port,
    reusePort: options.reusePort,
    tls: options.tls,
    onDroppedConnection: (error) =>
      emit({ type: "drop", what: "connection", remoteAddr: undefined, reason: reasonOf(error) }),
  });
  const active = new Set<ConnectionState>();
  /** Connections being refused: each releases itself once its FIN is out. */
  const refusals = new Set<() => void>();
  let served = 0;

  const sweep = idleTimeout === undefined ? undefined : setInterval(() => {
    const now = Date.now();
    for (const state of active) {
      if (state.activity.quietFor(idleTimeout, now)) {
        emit({ type: "idle", remoteAddr: state.conn.remoteAddr });
        state.conn.close();
      }
    }
  }, idleSweepInterval(idleTimeout));

  async function serve(state: ConnectionState): Promise<void> {
    const { conn } = state;
    let bytes = 0;
    try {
      // echoBack() sends the bytes back from the runtime's own events where it can
      // (Node, Bun), so an echo costs no promise per chunk; see docs/benchmarks.md.
      const echo = conn.echoBack((echoed) => {
        state.activity.chunks++;
        bytes += echoed;
      });
      state.stopEcho = echo.stop;
      if (service.stopping) echo.stop();
      await echo.done;
      if (!conn.closed) await conn.closeWrite();
      emit({ type: "close", remoteAddr: conn.remoteAddr, bytes });
    } catch (error) {
      emit({ type: "error", remoteAddr: conn.remoteAddr, bytes, error });
    } finally {
      conn.close();
      active.delete(state);
    }
  }

  /**
   * Closes a connection the server has no room for, the same way on every runtime: FIN
   * first, then whatever the client still sends is read and dropped until it closes its
   * side too (at most REFUSAL_LINGER_MS), then the close. The client reads the end of the
   * stream before anything else. Closing at once would send a reset instead wherever the
   * client's bytes (a TLS ClientHello, say) had arrived unread, and the client may see
   * that reset first, depending on timing; Deno cannot reset on purpose at all.
   */
  function refuse(conn: Connection): void {
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const release = () => {
      clearTimeout(timer);
      refusals.delete(release);
      conn.close();
    };
    refusals.add(release);
    timer = setTimeout(release, REFUSAL_LINGER_MS);
    (async () => {
      await conn.closeWrite();
      while ((await conn.read()) !== null);
    })().then(release, release);
  }

  const service = new Service<Connection>({
    accept: () => listener.accept(),
    serve(conn) {
      if (o.maxConnections !== undefined && active.size >= o.maxConnections) {
        emit({ type: "refuse", remoteAddr: conn.remoteAddr, reason: `more than ${o.maxConnections} connections` });
        refuse(conn);
        return undefined;
      }
      served++;
      const state: ConnectionState = {
        conn,
        activity: new Activity(Date.now()),
        stopEcho: undefined,
      };
      active.add(state);
      emit({ type: "open", remoteAddr: conn.remoteAddr });
      const handler = serve(state);
      // The last client (maxClients): the loop ends, the connections run on.
      if (o.maxClients !== undefined && served >= o.maxClients) listener.close();
      return handler;
    },
    discard: (conn) => conn.close(),
    onStop() {
      listener.close();
      // Each connection stops reading and finishes once it has echoed what it read.
      for (const state of active) state.stopEcho?.();
    },
    gracePeriod: o.gracePeriod,
    endRemaining() {
      for (const state of active) state.conn.close();
      for (const release of refusals) release();
    },
    onFinished() {
      if (sweep !== undefined) clearInterval(sweep);
      listener.close();
    },
    signal: o.signal,
  });

  return {
    ...service.handle(service.finished),
    get addr() {
      return listener.addr;
    },
    get activeConnections() {
      return active.size;
    },
    get droppedConnections() {
      return listener.droppedConnections;
    },
  };
}

/** The reason in a NetError's message, without its "Cannot accept a connection on ADDR: ". */
function reasonOf(error: NetError): string {
  return error.message.replace(/^Cannot .+?: /, "");
}

/** `HOST:PORT` of a server, for the `listening on` line. */
export function describeAddr(addr: NetAddr): string {
  return formatAddr(addr);
}
