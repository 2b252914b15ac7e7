import type { StreamSocket } from "../runtime/types.ts";
import { toNetError } from "./_classify.ts";
import { SocketClosedError } from "./errors.ts";
import type { NetAddr } from "./types.ts";

const encoder = new TextEncoder();

/**
 * A TCP (or TLS) connection, the same on Node, Deno and Bun. Made by
 * {@linkcode connect} or accepted from a {@linkcode Listener}.
 *
 * Use `read()`/`write()` for a tight loop, or the `readable`/`writable` web streams
 * (but not both for the same direction at once). Failures reject with a
 * {@linkcode NetError} subclass.
 *
 * @example Send a line, half-close, read the answer
 * ```ts
 * import { connect } from "anynet/net";
 * await using conn = await connect({ hostname: "127.0.0.1", port: 65432 });
 * await conn.write("hello\n");
 * await conn.closeWrite();
 * for (let chunk = await conn.read(); chunk; chunk = await conn.read()) console.log(chunk.length);
 * ```
 */
export class Connection implements AsyncDisposable {
  readonly #socket: StreamSocket;
  readonly #name: string;
  #closed = false;
  #readable: ReadableStream<Uint8Array> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;

  /** Wraps an adapter's socket. Not for direct use: call {@linkcode connect} or {@linkcode listen}. */
  constructor(socket: StreamSocket) {
    this.#socket = socket;
    this.#name = `${formatAddr(socket.remoteAddr)}`;
  }

  /** This end's address. */
  get localAddr(): NetAddr {
    return { ...this.#socket.localAddr };
  }

  /** The peer's address. */
  get remoteAddr(): NetAddr {
    return { ...this.#socket.remoteAddr };
  }

  /** The ALPN protocol agreed in the TLS handshake, or `null`. */
  get alpnProtocol(): string | null {
    return this.#socket.alpnProtocol();
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Reads the next chunk the peer sent.
   *
   * @returns The bytes (yours to keep), or `null` once the peer has closed its side or
   *   this connection was closed.
   * @throws {NetError} `ConnectionResetError` when the peer reset the connection, `TlsError` …
   */
  async read(): Promise<Uint8Array | null> {
    if (this.#closed) return null;
    try {
      return await this.#socket.read();
    } catch (error) {
      if (this.#closed) return null;
      throw toNetError(error, `read from ${this.#name}`);
    }
  }

  /**
   * Writes bytes (or a string, as UTF-8). Settles when every byte has been handed to the
   * operating system, so awaiting each write is backpressure; after that the buffer may
   * be reused.
   *
   * @throws {NetError} `SocketClosedError` after `close()`, `ConnectionResetError` when the peer is gone.
   */
  async write(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (this.#closed) throw new SocketClosedError(`Cannot write to ${this.#name}: the connection is closed`);
    if (bytes.byteLength === 0) return;
    try {
      await this.#socket.write(bytes);
    } catch (error) {
      throw toNetError(error, `write to ${this.#name}`);
    }
  }

  /** Half-closes: sends FIN once pending writes are out; reading goes on until the peer closes. */
  async closeWrite(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#socket.closeWrite();
    } catch (error) {
      throw toNetError(error, `close the write side to ${this.#name}`);
    }
  }

  /** Closes both directions now. Pending and later reads give `null`. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }

  /** Aborts the connection with a TCP reset where the runtime allows (Deno closes instead). */
  reset(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.reset();
  }

  /**
   * Turns Nagle's algorithm off (`true`, for small interactive writes) or on.
   * @param noDelay @default true
   */
  setNoDelay(noDelay = true): void {
    if (!this.#closed) this.#socket.setNoDelay(noDelay);
  }

  /**
   * Turns TCP keep-alive probes on or off.
   * @param enable @default true
   * @param initialDelayMs Idle time before the first probe (ignored on Deno). @default 0 (system default)
   */
  setKeepAlive(enable = true, initialDelayMs = 0): void {
    if (!this.#closed) this.#socket.setKeepAlive(enable, initialDelayMs);
  }

  /** The incoming bytes as a web stream; cancelling it closes the connection. */
  get readable(): ReadableStream<Uint8Array> {
    this.#readable ??= new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const chunk = await this.read();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
      cancel: () => this.close(),
    }, { highWaterMark: 0 });
    return this.#readable;
  }

  /** The outgoing bytes as a web stream; closing it half-closes, aborting it closes the connection. */
  get writable(): WritableStream<Uint8Array> {
    this.#writable ??= new WritableStream<Uint8Array>({
      write: (chunk) => this.write(chunk),
      close: () => this.closeWrite(),
      abort: () => this.close(),
    });
    return this.#writable;
  }

  /** Closes the connection (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/** `127.0.0.1:80`, `[::1]:80`. */
export function formatAddr(addr: NetAddr): string {
  return addr.hostname.includes(":") ? `[${addr.hostname}]:${addr.port}` : `${addr.hostname}:${addr.port}`;
}
