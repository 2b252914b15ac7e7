/// <reference lib="esnext.disposable" preserve="true" />
import { adapter } from "../runtime/mod.ts";
import type { StreamListener } from "../runtime/types.ts";
import { toNetError } from "./_classify.ts";
import { checkHostname, checkOptions, checkPem, checkPort, checkSignal, checkStringList } from "./_validate.ts";
import { Connection, formatAddr } from "./connection.ts";
import type { ListenOptions, NetAddr } from "./types.ts";

/**
 * A listening TCP (or TLS) socket: an async iterable of accepted {@linkcode Connection}s.
 * Iteration ends when the listener is closed.
 */
export class Listener implements AsyncIterable<Connection>, AsyncDisposable {
  readonly #listener: StreamListener;
  #closed = false;

  /** Wraps an adapter's listener. Not for direct use: call {@linkcode listen}. */
  constructor(listener: StreamListener) {
    this.#listener = listener;
  }

  /** The address listened on, with the real port when 0 was asked for. */
  get addr(): NetAddr {
    return { ...this.#listener.addr };
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Waits for the next connection.
   * @returns The connection, or `null` once the listener is closed.
   */
  async accept(): Promise<Connection | null> {
    if (this.#closed) return null;
    try {
      const socket = await this.#listener.accept();
      return socket ? new Connection(socket) : null;
    } catch (error) {
      if (this.#closed) return null;
      throw toNetError(error, `accept on ${formatAddr(this.#listener.addr)}`);
    }
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
  const o = checkOptions(action, options, ["hostname", "port", "tls", "reusePort", "signal"]);
  const hostname = checkHostname(action, o.hostname ?? "127.0.0.1");
  const port = checkPort(action, o.port, 0);
  const signal = checkSignal(action, o.signal);
  let tls: { cert: string; key: string; alpnProtocols?: string[] } | undefined;
  if (o.tls !== undefined) {
    const t = checkOptions(action, o.tls, ["cert", "key", "alpnProtocols"], "tls.");
    tls = {
      cert: checkPem(action, "tls.cert", t.cert),
      key: checkPem(action, "tls.key", t.key),
      alpnProtocols: checkStringList(action, "tls.alpnProtocols", t.alpnProtocols),
    };
  }
  signal?.throwIfAborted();
  let raw: StreamListener;
  try {
    raw = await adapter.net.listenTcp({ hostname, port, tls, reusePort: o.reusePort === true });
  } catch (error) {
    throw toNetError(error, `listen on ${formatAddr({ hostname, port })}`);
  }
  const listener = new Listener(raw);
  if (signal) {
    if (signal.aborted) listener.close();
    else signal.addEventListener("abort", () => listener.close(), { once: true });
  }
  return listener;
}
