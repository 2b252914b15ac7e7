/// <reference lib="esnext.disposable" preserve="true" />
import type { EchoSession, StreamSocket } from "../runtime/types.ts";
import { toNetError } from "./_to_net_error.ts";
import { formatAddr } from "../_address.ts";
import { CopyLoop } from "./_copy_loop.ts";
import { SocketClosedError } from "./errors.ts";
import type { NetAddr } from "./types.ts";

const encoder = new TextEncoder();
const RESOLVED: Promise<void> = Promise.resolve();
const RESOLVED_NULL: Promise<null> = Promise.resolve(null);

/** A running {@linkcode Connection.echoBack}. */
export interface ConnectionEcho {
  /**
   * Settles once the peer has half-closed and everything it sent was written back, once
   * `stop()` took effect, or once the connection was closed. Rejects with a
   * {@linkcode NetError} when the connection fails. The connection stays open (call
   * `closeWrite()` and `close()` after).
   */
  readonly done: Promise<void>;
  /** Stops reading; `done` settles once what was read has been written back. */
  stop(): void;
}

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
 * // `await using`: native on Deno, Bun, Node 24+; on Node 22 call close() in finally, or compile with tsc.
 * await using conn = await connect({ hostname: "127.0.0.1", port: 65432 });
 * await conn.write("hello\n");
 * await conn.closeWrite();
 * for (let chunk = await conn.read(); chunk; chunk = await conn.read()) console.log(chunk.length);
 * ```
 */
export class Connection implements AsyncDisposable {
  readonly #socket: StreamSocket;
  readonly #localAddr: NetAddr;
  readonly #remoteAddr: NetAddr;
  readonly #name: string;
  #closed = false;
  #readable: ReadableStream<Uint8Array> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;

  /**
   * Wraps an adapter's socket with its checked addresses. Not for direct use: call
   * {@linkcode connect} or {@linkcode listen}.
   */
  constructor(socket: StreamSocket, localAddr: NetAddr, remoteAddr: NetAddr) {
    this.#socket = socket;
    this.#localAddr = localAddr;
    this.#remoteAddr = remoteAddr;
    this.#name = formatAddr(remoteAddr);
    const name = this.#name;
    const actions = {
      read: `read from ${name}`,
      write: `write to ${name}`,
      closeWrite: `close the write side to ${name}`,
    };
    socket.mapErrors((error, op) => toNetError(error, actions[op]));
  }

  /** This end's address. */
  get localAddr(): NetAddr {
    return { ...this.#localAddr };
  }

  /** The peer's address. */
  get remoteAddr(): NetAddr {
    return { ...this.#remoteAddr };
  }

  /**
   * The ALPN protocol agreed in the TLS handshake, or `null`. On a connection from a TLS
   * {@linkcode Listener}, known once the handshake is over, that is once the first
   * `read()` has returned.
   */
  get alpnProtocol(): string | null {
    return this.#socket.alpnProtocol();
  }

  /**
   * The certificate the server presented (DER bytes), on a TLS connection made by
   * {@linkcode connect}. `undefined` on plain TCP, on a listener's connections, and on
   * Deno, whose TLS connections do not expose the peer's certificate (`anynet tcping
   * --tls` gets it there by making its probes through Deno's node:tls).
   */
  get peerCertificate(): Uint8Array | undefined {
    return this.#socket.peerCertificate?.();
  }

  /**
   * Whether {@linkcode Connection.readInto} is the faster way to read on this runtime:
   * `true` on Deno (it reads straight into your buffer; `read()` must copy), `false` on
   * Node and Bun (`read()` hands out the runtime's own chunks; `readInto()` copies).
   * Both work everywhere; hot loops such as proxies may pick by it.
   */
  get prefersReadInto(): boolean {
    return this.#socket.prefersReadInto;
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
  read(): Promise<Uint8Array | null> {
    // No async wrapper: the adapter already rejects with a NetError (see mapErrors),
    // and an echo loop makes this call once per chunk.
    if (this.#closed) return RESOLVED_NULL;
    return this.#socket.read();
  }

  /**
   * Reads the next bytes into `buffer` (at its start), so that a loop can reuse one
   * buffer instead of receiving a new chunk per read.
   *
   * @param buffer Where to put the bytes; at most its length is read.
   * @returns How many bytes were placed, or `null` at the end of the stream.
   * @throws {NetError} As {@linkcode Connection.read}.
   */
  readInto(buffer: Uint8Array): Promise<number | null> {
    if (this.#closed) return RESOLVED_NULL;
    if (!(buffer instanceof Uint8Array) || buffer.byteLength === 0) {
      return Promise.reject(new TypeError(`Cannot read from ${this.#name}: the buffer must be a non-empty Uint8Array`));
    }
    return this.#socket.readInto(buffer);
  }

  /**
   * Writes bytes (or a string, as UTF-8). Settles when every byte has been handed to the
   * operating system, so awaiting each write is backpressure; after that the buffer may
   * be reused.
   *
   * @throws {NetError} `SocketClosedError` after `close()`, `ConnectionResetError` when the peer is gone.
   */
  write(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (this.#closed) {
      return Promise.reject(new SocketClosedError(`Cannot write to ${this.#name}: the connection is closed`));
    }
    if (!(bytes instanceof Uint8Array)) {
      return Promise.reject(new TypeError(`Cannot write to ${this.#name}: data must be a Uint8Array or a string`));
    }
    if (bytes.byteLength === 0) return RESOLVED;
    return this.#socket.write(bytes);
  }

  /**
   * Sends everything the peer sends back to it, until the peer half-closes. Where the
   * runtime allows (Node, Bun) the bytes go back from the socket's own events, without a
   * promise per chunk; elsewhere a read/write loop over one reused buffer. A peer that
   * does not read is not read from either (backpressure). Do not call `read()` while it runs.
   *
   * @param onProgress Called with the size of each chunk as it is handed back for sending
   *   (the read/write loop also calls it with 0 when a chunk arrives); for accounting and
   *   idle timeouts.
   * @returns The running echo: `done`, and `stop()` to end it gracefully.
   * @example An echo server's connection handler
   * ```ts
   * import { listen } from "anynet/net";
   * const listener = await listen({ port: 0 });
   * for await (const conn of listener) {
   *   conn.echoBack().done.then(() => conn.closeWrite()).catch(() => {}).finally(() => conn.close());
   * }
   * ```
   */
  echoBack(onProgress: (echoedBytes: number) => void = () => {}): ConnectionEcho {
    if (this.#closed) return { done: RESOLVED, stop: () => {} };
    if (this.#socket.echo) return this.#socket.echo(onProgress);
    return this.#echoLoop(onProgress);
  }

  #echoLoop(onProgress: (echoedBytes: number) => void): EchoSession {
    // An echo is a copy from the connection to itself.
    return new CopyLoop(this, this, { onRead: () => onProgress(0), onWritten: onProgress });
  }

  /** Half-closes: sends FIN once pending writes are out; reading goes on until the peer closes. */
  closeWrite(): Promise<void> {
    if (this.#closed) return RESOLVED;
    return this.#socket.closeWrite();
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
