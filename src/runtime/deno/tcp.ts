/**
 * TCP and TLS on Deno (`Deno.listen`, `Deno.connect`, `Deno.startTls`; TLS listeners use
 * `node:tls`, see {@linkcode denoListenTcp}).
 *
 * `Deno.Conn.write()` may take only part of the buffer: writes loop until all is taken.
 * Reads go into a reused buffer and are copied out at their real size, which costs
 * far less than a fresh 64 KiB buffer per read.
 *
 * @module
 */
import { nodeConnectTcp, nodeListenTcp } from "../node/tcp.ts";
import { deno, type DenoConn, type DenoListener } from "./deno_api.ts";
import type {
  ErrorMapper,
  ReportedAddr,
  SocketAddr,
  StreamListener,
  StreamSocket,
  TcpConnectRequest,
  TcpListenRequest,
} from "../types.ts";
import { MIN_READ_BUFFER, nextReadBuffer } from "../_shared/read_buffer.ts";
import { closedError } from "../_shared/adapter_errors.ts";

class DenoStreamSocket implements StreamSocket {
  readonly #conn: DenoConn;
  #buffer: Uint8Array | undefined;
  readonly localAddr: ReportedAddr;
  readonly remoteAddr: ReportedAddr;
  readonly prefersReadInto = true;
  #alpn: string | null = null;
  #closed = false;
  #map: ErrorMapper = (error) => error;
  #lastWrite: Promise<void> = Promise.resolve();
  #inFlight = 0;
  #lastRead: Promise<unknown> = Promise.resolve();
  #readsInFlight = 0;

  constructor(conn: DenoConn) {
    this.#conn = conn;
    this.localAddr = { hostname: conn.localAddr?.hostname, port: conn.localAddr?.port };
    this.remoteAddr = { hostname: conn.remoteAddr?.hostname, port: conn.remoteAddr?.port };
  }

  setAlpn(protocol: string | null): void {
    this.#alpn = protocol;
  }

  alpnProtocol(): string | null {
    return this.#alpn;
  }

  mapErrors(map: ErrorMapper): void {
    this.#map = map;
  }

  // Reads run one after another: two Deno reads in flight at once would share the
  // buffer and could hand out data in either order. A reader that awaits each read
  // never waits, and pays no extra promise for it.
  read(): Promise<Uint8Array | null> {
    this.#readsInFlight++;
    const run = this.#readsInFlight === 1
      ? this.#readChunk()
      : this.#lastRead.then(() => this.#readChunk(), () => this.#readChunk());
    this.#lastRead = run;
    return run;
  }

  readInto(buffer: Uint8Array): Promise<number | null> {
    this.#readsInFlight++;
    if (this.#readsInFlight === 1 && !this.#closed) {
      // The hot path of a loop that reuses one buffer (the echo server): Deno's own
      // promise plus one `then`, instead of an async function around it.
      const run = this.#conn.read(buffer).then(this.#readDone, this.#readFailed);
      this.#lastRead = run;
      return run;
    }
    const run = this.#readsInFlight === 1
      ? this.#readIntoBuffer(buffer)
      : this.#lastRead.then(() => this.#readIntoBuffer(buffer), () => this.#readIntoBuffer(buffer));
    this.#lastRead = run;
    return run;
  }

  async #readChunk(): Promise<Uint8Array | null> {
    try {
      if (this.#closed) return null;
      this.#buffer ??= new Uint8Array(MIN_READ_BUFFER);
      const n = await this.#conn.read(this.#buffer);
      if (n === null) return null;
      const chunk = this.#buffer.slice(0, n);
      this.#buffer = nextReadBuffer(this.#buffer, n);
      return chunk;
    } catch (error) {
      if (this.#closed) return null;
      throw this.#map(error, "read");
    } finally {
      this.#readsInFlight--;
    }
  }

  readonly #readDone = (n: number | null): number | null => {
    this.#readsInFlight--;
    return n;
  };

  readonly #readFailed = (error: unknown): null => {
    this.#readsInFlight--;
    if (this.#closed) return null;
    throw this.#map(error, "read");
  };

  async #readIntoBuffer(buffer: Uint8Array): Promise<number | null> {
    try {
      if (this.#closed) return null;
      return await this.#conn.read(buffer);
    } catch (error) {
      if (this.#closed) return null;
      throw this.#map(error, "read");
    } finally {
      this.#readsInFlight--;
    }
  }

  write(data: Uint8Array): Promise<void> {
    // Deno writes may be partial: two writes in flight at once would interleave their
    // pieces, so a write waits for the one before it. A writer that awaits each write
    // never waits here, and pays no extra promise for it.
    this.#inFlight++;
    if (this.#inFlight === 1 && !this.#closed) {
      // The hot path: Deno usually takes the whole buffer at once; only a partial
      // write falls back to the loop.
      const run = this.#conn.write(data).then(
        (n) => n === data.byteLength ? this.#writeDone() : this.#writeRest(data, n),
        (error) => this.#writeFailed(error),
      );
      this.#lastWrite = run;
      return run;
    }
    const run = this.#inFlight === 1
      ? this.#writeAll(data)
      : this.#lastWrite.then(() => this.#writeAll(data), () => this.#writeAll(data));
    this.#lastWrite = run;
    return run;
  }

  #writeDone(): void {
    this.#inFlight--;
  }

  #writeFailed(error: unknown): never {
    this.#inFlight--;
    // A write cut short by our own close() fails as "closed", not as Deno's EINTR.
    throw this.#map(this.#closed ? closedError(error) : error, "write");
  }

  async #writeRest(data: Uint8Array, offset: number): Promise<void> {
    try {
      while (offset < data.byteLength) offset += await this.#conn.write(data.subarray(offset));
    } catch (error) {
      this.#writeFailed(error);
    }
    this.#writeDone();
  }

  async #writeAll(data: Uint8Array): Promise<void> {
    try {
      if (this.#closed) throw closedError();
      let offset = 0;
      while (offset < data.byteLength) {
        offset += await this.#conn.write(offset === 0 ? data : data.subarray(offset));
      }
    } catch (error) {
      this.#writeFailed(error);
    }
    this.#writeDone();
  }

  async closeWrite(): Promise<void> {
    if (this.#inFlight > 0) await this.#lastWrite.catch(() => {});
    if (this.#closed) return;
    try {
      await this.#conn.closeWrite();
    } catch (error) {
      // Closing the write side twice, or after the peer reset, is not worth a failure.
      if (error instanceof deno().errors.BadResource || (error as { code?: string }).code === "ENOTCONN") return;
      throw this.#map(error, "closeWrite");
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed by the runtime
    }
  }

  reset(): void {
    // Deno has no SO_LINGER; a close with unread data pending makes the kernel send RST.
    this.close();
  }

  setNoDelay(noDelay: boolean): void {
    this.#conn.setNoDelay?.(noDelay);
  }

  setKeepAlive(enable: boolean, _initialDelayMs: number): void {
    // Deno cannot set the idle time before the first probe; the system default applies.
    this.#conn.setKeepAlive?.(enable);
  }
}

/**
 * Errors of Deno's accept() that mean "this one connection is gone", the next one may be
 * fine: Deno asks for the peer's address as it accepts, and for a peer that has already
 * reset there is none (NotConnected, ENOTCONN; ConnectionAborted where the kernel says so).
 */
const CONNECTION_GONE = new Set(["NotConnected", "ConnectionAborted", "ConnectionReset"]);

/** Whether an error of Deno's accept() concerns only the one connection (see above), for every Deno accept loop. */
export function isAcceptedConnectionGone(error: unknown): boolean {
  return CONNECTION_GONE.has((error as Error | null)?.name ?? "");
}

class DenoStreamListener implements StreamListener {
  readonly #listener: DenoListener;
  readonly #onDropped: (cause: unknown) => void;
  #closed = false;
  readonly addr: SocketAddr;

  constructor(listener: DenoListener, onDropped: (cause: unknown) => void) {
    this.#listener = listener;
    this.#onDropped = onDropped;
    this.addr = { hostname: listener.addr.hostname, port: listener.addr.port };
  }

  async accept(): Promise<StreamSocket | null> {
    while (!this.#closed) {
      try {
        const conn = await this.#listener.accept();
        return new DenoStreamSocket(conn);
      } catch (error) {
        if (this.#closed || error instanceof deno().errors.BadResource || error instanceof deno().errors.Interrupted) {
          return null;
        }
        if (isAcceptedConnectionGone(error)) {
          this.#onDropped(error);
          continue;
        }
        // Anything else (too many open files for a moment) leaves the connection queued
        // in the kernel: wait a little instead of spinning on it, and never stop the server.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    return null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
  }
}

/** Why this Deno cannot share a port between listeners, or undefined when it can. */
export function denoReusePortProblem(): string | undefined {
  // Deno.listenDatagram exists exactly when --unstable-net is on.
  return typeof deno().listenDatagram === "function" ? undefined : "reusePort on Deno needs the --unstable-net flag";
}

/**
 * The `Deno.listen` (and `Deno.listenTls`) option that shares the port, when `reusePort` is asked for. Throws
 * (`ERR_NOT_SUPPORTED`) where it is unavailable: `Deno.listen({ reusePort })` without
 * --unstable-net ends the process instead of throwing.
 */
export function denoReuseOption(reusePort: boolean): { reusePort?: true } {
  if (!reusePort) return {};
  const problem = denoReusePortProblem();
  if (problem) throw Object.assign(new Error(problem), { code: "ERR_NOT_SUPPORTED" });
  return { reusePort: true };
}

/**
 * Opens a TCP listener with `Deno.listen`, or a TLS one with `node:net` and `node:tls`:
 * a connection from `Deno.listenTls` whose handshake stalls stays open even after
 * close() (Deno's TLS stream keeps trying to finish the handshake in the background), so
 * a client that never completes one would hold a socket for good. The TLS layer runs on
 * a stream over the TCP socket (see `../_shared/tcp_feed.ts`), as Deno's `node:tls` loses the end
 * of the stream on a socket whose reading was paused.
 */
export function denoListenTcp(request: TcpListenRequest): Promise<StreamListener> {
  const { hostname, port, tls } = request;
  let reuse: { reusePort?: true };
  try {
    reuse = denoReuseOption(request.reusePort === true);
  } catch (error) {
    return Promise.reject(error);
  }
  if (tls) return nodeListenTcp(request, { throughStream: true });
  const listener = deno().listen({ hostname, port, transport: "tcp", ...reuse });
  return Promise.resolve(new DenoStreamListener(listener, request.onDropped));
}

/**
 * Opens a TCP or TLS connection; TLS runs over `Deno.startTls` so SNI can differ from the
 * address, or over Deno's node:tls when the caller wants the server's certificate.
 */
export async function denoConnectTcp(request: TcpConnectRequest): Promise<StreamSocket> {
  // Deno's TlsConn does not hand over the server's certificate; its node:tls does.
  if (request.tls && request.wantsPeerCertificate) return nodeConnectTcp(request);
  const { signal } = request;
  const conn = await deno().connect({ hostname: request.hostname, port: request.port, transport: "tcp", signal });
  request.onConnected?.();
  if (!request.tls) return new DenoStreamSocket(conn);
  // startTls takes the plain connection over: from then on only the TLS one can close the
  // socket (closing the plain one throws, and the socket stayed open after a failed handshake).
  let current: { close(): void } = conn;
  const onAbort = () => {
    try {
      current.close();
    } catch {
      // closed already
    }
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const tlsConn = await deno().startTls(conn, {
      // The name to verify, and the SNI unless it is an IP address: Deno (rustls) never
      // sends an address as SNI, as `request.tls.sni` would have it.
      hostname: request.tls.serverName,
      caCerts: request.tls.caCerts,
      alpnProtocols: request.tls.alpnProtocols,
    });
    current = tlsConn;
    const info = await tlsConn.handshake!();
    const socket = new DenoStreamSocket(tlsConn);
    socket.setAlpn(info.alpnProtocol);
    return socket;
  } catch (error) {
    onAbort();
    throw signal.aborted ? signal.reason : error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
