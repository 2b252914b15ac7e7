/**
 * The part of a {@linkcode StreamSocket} that the runtimes with event-driven sockets
 * (Node's `data`/`end`/`error` events, Bun's socket handlers) share: reading through a
 * {@linkcode ChunkQueue}, the error mapper, the ALPN answer, the start of a native echo,
 * and what close() and reset() settle. Each runtime's subclass supplies what really
 * differs: writing, pausing and resuming reads, half-closing and letting the socket go.
 *
 * @module
 */
import { ChunkQueue, readIntoFrom } from "./chunk_queue.ts";
import { NativeEcho } from "./native_echo.ts";
import type { PendingTlsHandshake } from "./tls_handshake.ts";
import type { EchoSession, ErrorMapper, ReportedAddr, StreamSocket } from "../types.ts";

/** An already settled write: most writes are taken whole at once and need no promise of their own. */
export const RESOLVED: Promise<void> = Promise.resolve();

const passThrough: ErrorMapper = (error) => error;

/** A socket whose runtime pushes events at it, seen through the pull-based StreamSocket contract. */
export abstract class EventStreamSocket implements StreamSocket {
  readonly localAddr: ReportedAddr;
  readonly remoteAddr: ReportedAddr;
  readonly prefersReadInto: boolean = false;
  /** A server-side TLS socket's handshake, until it is over. */
  abstract readonly handshake: PendingTlsHandshake | undefined;
  /** Chunks received and not read yet; pauses the socket while too much waits. */
  protected readonly queue: ChunkQueue;
  /** close() or reset() was called, or the runtime closed the socket. */
  protected closed: boolean = false;
  /** The runtime's first error (or the reason a handshake was aborted), unmapped. */
  protected failure: unknown = undefined;
  /** Turns the runtime's errors into the caller's (see `mapErrors()`). */
  protected map: ErrorMapper = passThrough;
  /** The native echo, once `echo()` started it: data then goes back to the peer instead of into the queue. */
  protected echoing: NativeEcho | undefined = undefined;

  constructor(localAddr: ReportedAddr, remoteAddr: ReportedAddr) {
    this.localAddr = localAddr;
    this.remoteAddr = remoteAddr;
    this.queue = new ChunkQueue(() => this.pauseReading(), () => this.resumeReading());
  }

  /** Stops taking data from the runtime (the kernel's buffer then fills, and the peer is held back). */
  protected abstract pauseReading(): void;
  /** Takes data from the runtime again. */
  protected abstract resumeReading(): void;
  /** Sends a received chunk straight back (native echo), holding reading back while the peer does not read. */
  protected abstract echoChunk(chunk: Uint8Array): void;
  /** Lets go of the socket: gracefully for `"close"`, with a reset (RST) where the runtime can for `"reset"`. */
  protected abstract release(how: "close" | "reset"): void;
  /** The ALPN protocol as the runtime reports it (a string, or `false`/`null`/`undefined` for none). */
  protected abstract negotiatedAlpn(): unknown;
  /** Called once the native echo has started, before the queued chunks are echoed. */
  protected echoStarted(_echo: NativeEcho): void {}

  abstract write(data: Uint8Array): Promise<void>;
  abstract closeWrite(): Promise<void>;
  abstract setNoDelay(noDelay: boolean): void;
  abstract setKeepAlive(enable: boolean, initialDelayMs: number): void;

  /** The runtime delivered a chunk. */
  protected received(chunk: Uint8Array): void {
    if (this.echoing) this.echoChunk(chunk);
    else this.queue.push(chunk);
  }

  /** The peer half-closed, or the socket closed: reads end, and so does an echo. */
  protected inputEnded(): void {
    this.queue.end();
    this.echoing?.finish();
  }

  /** Fails pending and later reads, and an echo, with `error` as the mapper turns it. */
  protected failReads(error: unknown): void {
    const mapped = this.map(error, "read");
    this.queue.fail(mapped);
    this.echoing?.fail(mapped);
  }

  mapErrors(map: ErrorMapper): void {
    this.map = map;
  }

  alpnProtocol(): string | null {
    const protocol = this.negotiatedAlpn();
    return typeof protocol === "string" ? protocol : null;
  }

  read(): Promise<Uint8Array | null> {
    return this.queue.read();
  }

  readInto(buffer: Uint8Array): Promise<number | null> {
    return readIntoFrom(this.queue, buffer);
  }

  echo(onProgress: (echoedBytes: number) => void): EchoSession {
    const echo = new NativeEcho(onProgress, () => this.pauseReading());
    const { chunks, ended, error } = this.queue.takeAll();
    this.echoing = echo;
    this.echoStarted(echo);
    for (const chunk of chunks) this.echoChunk(chunk);
    if (error !== undefined) echo.fail(error);
    else if (ended || this.closed) echo.finish();
    return echo;
  }

  close(): void {
    this.#end("close");
  }

  reset(): void {
    this.#end("reset");
  }

  #end(how: "close" | "reset"): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.discard();
    this.echoing?.finish();
    this.release(how);
    this.handshake?.finish();
  }
}
