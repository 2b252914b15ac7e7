/// <reference lib="esnext.disposable" preserve="true" />
import { formatAddr } from "../_address.ts";
import { adapter } from "../runtime/mod.ts";
import type { StreamListener, StreamSocket } from "../runtime/types.ts";
import { toNetError } from "./_to_net_error.ts";
import { isIpAddress } from "./_ip.ts";
import { realSocketAddr } from "./_socket_addr.ts";
import {
  brieflyShown,
  checkDelayMs,
  checkFunction,
  checkHostname,
  checkOptionsObject,
  checkPem,
  checkPort,
  checkSignal,
  checkStringList,
} from "../_argument_checks.ts";
import { Connection } from "./connection.ts";
import { ConnectionResetError, type NetError, TimedOutError } from "./errors.ts";
import type { ListenOptions, NetAddr } from "./types.ts";

/** How long a TLS handshake may take by default, in ms (see `TlsServerOptions.handshakeTimeout`). */
const DEFAULT_TLS_HANDSHAKE_TIMEOUT = 10_000;

/**
 * Connections dropped before they could be handed out: counted, and each reported to
 * `onDroppedConnection` with the same words on every runtime, whether the adapter
 * dropped it (Deno) or the listener did (Node, Bun: no peer address).
 */
class DroppedConnections {
  count = 0;
  /** The listener's address, for the message; set once it listens. */
  addr: NetAddr = { hostname: "", port: 0 };
  readonly #onDropped: ((error: NetError) => void) | undefined;

  constructor(onDropped: ((error: NetError) => void) | undefined) {
    this.#onDropped = onDropped;
  }

  readonly add = (cause: unknown): void => {
    this.count++;
    if (!this.#onDropped) return;
    const error = new ConnectionResetError(
      `Cannot accept a connection on ${formatAddr(this.addr)}: the peer reset it before it could be served`,
      { cause },
    );
    try {
      this.#onDropped(error);
    } catch {
      // a logging callback must not take the listener down
    }
  };
}

/** What a {@linkcode Listener} needs besides the adapter's listener. */
interface ListenerSettings {
  /** ms a TLS handshake may take (TLS listeners only). */
  handshakeTimeout: number | undefined;
  drops: DroppedConnections;
}

/**
 * A listening TCP (or TLS) socket: an async iterable of accepted {@linkcode Connection}s.
 * Iteration ends when the listener is closed.
 *
 * A connection that fails before it can be handed out (its peer reset it before the
 * runtime could read its address) never ends the iteration: it is dropped and counted
 * in {@linkcode Listener.droppedConnections}. A TLS connection is handed out as soon as
 * TCP accepted it; its handshake runs under a time limit (`tls.handshakeTimeout`).
 */
export class Listener implements AsyncIterable<Connection>, AsyncDisposable {
  readonly #listener: StreamListener;
  readonly #settings: ListenerSettings;
  #closed = false;

  /** Wraps an adapter's listener. Not for direct use: call {@linkcode listen}. */
  constructor(listener: StreamListener, settings: ListenerSettings) {
    this.#listener = listener;
    this.#settings = settings;
  }

  /** The address listened on, with the real port when 0 was asked for. */
  get addr(): NetAddr {
    return { ...this.#listener.addr };
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** How many connections were dropped before they could be handed out (see `onDroppedConnection`). */
  get droppedConnections(): number {
    return this.#settings.drops.count;
  }

  /**
   * Waits for the next connection.
   * @returns The connection, or `null` once the listener is closed.
   * @throws {NetError} When the listening socket itself fails (never for one connection's failure).
   */
  async accept(): Promise<Connection | null> {
    for (;;) {
      if (this.#closed) return null;
      let socket: StreamSocket | null;
      try {
        socket = await this.#listener.accept();
      } catch (error) {
        if (this.#closed) return null;
        throw toNetError(error, `accept on ${formatAddr(this.#listener.addr)}`);
      }
      if (!socket) return null;
      const conn = this.#admit(socket);
      if (conn) return conn;
    }
  }

  /** The connection for an accepted socket, or undefined when it was dropped. */
  #admit(socket: StreamSocket): Connection | undefined {
    const localAddr = realSocketAddr(socket.localAddr);
    const remoteAddr = realSocketAddr(socket.remoteAddr);
    if (!localAddr || !remoteAddr) {
      socket.close();
      this.#settings.drops.add(undefined);
      return undefined;
    }
    const conn = new Connection(socket, localAddr, remoteAddr);
    const { handshake } = socket;
    const limit = this.#settings.handshakeTimeout;
    if (handshake && limit !== undefined) {
      const timer = setTimeout(() => {
        handshake.abort(
          new TimedOutError(
            `Cannot accept a TLS connection from ${formatAddr(remoteAddr)}: ` +
              `the TLS handshake did not finish within ${limit} ms`,
          ),
        );
      }, limit);
      handshake.done.then(() => clearTimeout(timer));
    }
    return conn;
  }

  /** Stops accepting. Accepted connections stay open. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Connection> {
    for (;;) {
      const conn = await this.accept();
      if (!conn) return;
      yield conn;
    }
  }

  /** Closes the listener (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/**
 * Listens for TCP connections, or TLS ones with `tls: { cert, key }`.
 *
 * @param options Where to listen; see {@linkcode ListenOptions}.
 * @returns The listener, already accepting.
 * @throws {TypeError | RangeError} For bad options, before any I/O.
 * @throws {NetError} `AddressInUseError`, `PermissionDeniedError`, `AddressNotAvailableError` …
 * @example Echo one connection
 * ```ts
 * import { listen } from "anynet/net";
 * // `await using`: native on Deno, Bun, Node 24+; on Node 22 call close() in finally, or compile with tsc.
 * await using listener = await listen({ hostname: "127.0.0.1", port: 0 });
 * console.log(`listening on port ${listener.addr.port}`);
 * for await (const conn of listener) {
 *   for (let chunk = await conn.read(); chunk; chunk = await conn.read()) await conn.write(chunk);
 *   conn.close();
 *   break;
 * }
 * ```
 */
export async function listen(options: ListenOptions): Promise<Listener> {
  const action = "listen";
  const o = checkOptionsObject(
    action,
    options,
    ["hostname", "port", "tls", "reusePort", "signal", "onDroppedConnection"],
    "",
    brieflyShown,
  );
  let hostname = checkHostname(action, o.hostname ?? "127.0.0.1");
  const port = checkPort(action, o.port, 0);
  const signal = checkSignal(action, o.signal);
  if (o.onDroppedConnection !== undefined) checkFunction(action, "onDroppedConnection", o.onDroppedConnection);
  let tls: { cert: string; key: string; alpnProtocols?: string[] } | undefined;
  let handshakeTimeout: number | undefined;
  if (o.tls !== undefined) {
    const t = checkOptionsObject(
      action,
      o.tls,
      ["cert", "key", "alpnProtocols", "handshakeTimeout"],
      "tls.",
      brieflyShown,
    );
    tls = {
      cert: checkPem(action, "tls.cert", t.cert),
      key: checkPem(action, "tls.key", t.key),
      alpnProtocols: checkStringList(action, "tls.alpnProtocols", t.alpnProtocols),
    };
    handshakeTimeout = t.handshakeTimeout === undefined
      ? DEFAULT_TLS_HANDSHAKE_TIMEOUT
      : checkDelayMs(action, "tls.handshakeTimeout", t.handshakeTimeout);
  }
  signal?.throwIfAborted();
  const drops = new DroppedConnections(o.onDroppedConnection as ListenOptions["onDroppedConnection"]);
  let raw: StreamListener;
  try {
    // A name is resolved here, as bindUdp() does, so that every runtime listens on (and
    // reports) the same address: Bun would report the name itself.
    if (!isIpAddress(hostname)) hostname = await adapter.net.resolve(hostname);
    raw = await adapter.net.listenTcp({ hostname, port, tls, reusePort: o.reusePort === true, onDropped: drops.add });
  } catch (error) {
    throw toNetError(error, `listen on ${formatAddr({ hostname, port })}`);
  }
  drops.addr = raw.addr;
  const listener = new Listener(raw, { handshakeTimeout, drops });
  if (signal) {
    if (signal.aborted) listener.close();
    else signal.addEventListener("abort", () => listener.close(), { once: true });
  }
  return listener;
}
