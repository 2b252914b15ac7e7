/**
 * A stream between an accepted TCP socket and the `node:tls` layer on top of it, for
 * Deno's TLS listeners.
 *
 * Deno's `node:tls` loses the end of the stream when reading stops for a while: a
 * TLSSocket that is paused (or whose buffer fills) and then resumed never emits `end`,
 * so a client's half-close was never seen once backpressure had paused the socket once.
 * Here the TLS layer reads from this JavaScript stream instead of from the TCP handle
 * itself, and flow control pauses the TCP socket underneath, where Deno keeps its end
 * of stream; the TLS socket above keeps flowing.
 *
 * @module
 */
import type net from "node:net";
import { Duplex } from "node:stream";

/** The bytes of `tcp`, as a stream a `tls.TLSSocket` can run on; paused while the TLS layer or the reader asks. */
export class TcpFeed extends Duplex {
  readonly #tcp: net.Socket;
  /** The TLS layer asked for more (read()) since the last push it did not want. */
  #tlsWantsMore = true;
  /** The reader above the TLS socket has too much unread (see `pauseReader`). */
  #readerPaused = false;

  constructor(tcp: net.Socket) {
    super({ allowHalfOpen: true });
    this.#tcp = tcp;
    tcp.on("data", (chunk: Uint8Array) => {
      if (!this.push(chunk)) {
        this.#tlsWantsMore = false;
        this.#update();
      }
    });
    tcp.on("end", () => this.push(null));
    tcp.on("error", (error) => this.destroy(error));
    tcp.on("close", () => this.destroy());
  }

  /** Stops reading the TCP socket until `resumeReader()`: the reader of the TLS socket has enough. */
  pauseReader(): void {
    this.#readerPaused = true;
    this.#update();
  }

  resumeReader(): void {
    this.#readerPaused = false;
    this.#update();
  }

  #update(): void {
    if (this.#tlsWantsMore && !this.#readerPaused) this.#tcp.resume();
    else this.#tcp.pause();
  }

  override _read(): void {
    this.#tlsWantsMore = true;
    this.#update();
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#tcp.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#tcp.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#tcp.destroy();
    callback(error);
  }
}
