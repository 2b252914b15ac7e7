/**
 * TCP and TLS on Bun (`Bun.listen`, `Bun.connect`).
 *
 * Bun's `socket.write()` does not buffer: it returns how many bytes the kernel took
 * (a 16 MiB write may take 4 MB, the next none). The rest waits here and is sent from
 * the `drain` handler; `write()` settles once every byte is out.
 *
 * @module
 */
import { EventStreamSocket, RESOLVED } from "../_shared/event_socket.ts";
import { closedError, handshakeAbandonedError, handshakeFailedError } from "../_shared/adapter_errors.ts";
import type { SocketAddr, StreamListener, StreamSocket, TcpConnectRequest, TcpListenRequest } from "../types.ts";
import { PendingTlsHandshake } from "../_shared/tls_handshake.ts";
import { bun, type BunListener, type BunSocket, type BunSocketHandlers } from "./bun_api.ts";
import { Handoff } from "../_shared/handoff.ts";
import { nodeTls } from "../_shared/node_tls.ts";

/** A Bun socket whose `data` is the adapter's wrapper, once it has one. */
type Socket = BunSocket<BunStreamSocket | undefined>;
type Handlers = BunSocketHandlers<BunStreamSocket | undefined>;

/** ALPN protocols in the TLS wire format (each name after its length byte): Bun takes no array. */
function alpnWire(protocols: string[] | undefined): Uint8Array | undefined {
  if (!protocols || protocols.length === 0) return undefined;
  const names = protocols.map((name) => new TextEncoder().encode(name));
  const wire = new Uint8Array(names.reduce((n, name) => n + 1 + name.byteLength, 0));
  let offset = 0;
  for (const name of names) {
    wire[offset++] = name.byteLength;
    wire.set(name, offset);
    offset += name.byteLength;
  }
  return wire;
}

interface PendingWrite {
  data: Uint8Array;
  offset: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const noop = (): void => {};

/** A native echo stops reading once this many echoed bytes wait for the peer to read them. */
const ECHO_HIGH_WATER_MARK = 256 * 1024;

/** One Bun socket seen through the pull-based StreamSocket contract. */
class BunStreamSocket extends EventStreamSocket {
  readonly #socket: Socket;
  readonly #writes: PendingWrite[] = [];
  readonly handshake: PendingTlsHandshake | undefined;
  #finPending: (() => void) | undefined;
  #shutDown = false;

  /** @param serverTls A server-side TLS socket whose handshake has not run yet. */
  constructor(socket: Socket, serverTls = false) {
    super({ hostname: socket.localAddress, port: socket.localPort }, {
      hostname: socket.remoteAddress,
      port: socket.remotePort,
    });
    this.#socket = socket;
    this.handshake = serverTls
      ? new PendingTlsHandshake((reason) => {
        this.onError(reason);
        this.closed = true;
        socket.terminate();
      })
      : undefined;
  }

  /** Bun's handshake handler: the result of a server-side handshake. */
  onHandshake(success: boolean, error: Error | null): void {
    if (!this.handshake || this.handshake.over) return;
    // A server does not ask for a client certificate: `authorizationError` only says
    // that none came. Success is the handshake's own result.
    // A failed handshake is closed by Bun itself, gracefully: a terminate() here would
    // reset a connection whose FIN this side had just sent (a refused one).
    if (!success) {
      this.onError(error ?? handshakeFailedError());
    }
    this.handshake.finish();
  }

  onData(data: Uint8Array): void {
    this.received(data);
  }

  onEnd(): void {
    this.inputEnded();
  }

  onDrain(): void {
    this.#flush();
  }

  onClose(error?: Error): void {
    this.closed = true;
    if (error) this.onError(error);
    this.inputEnded();
    this.#failWrites(this.failure ?? closedError());
    this.handshake?.finish();
  }

  onError(error: unknown): void {
    this.failure ??= error;
    this.failReads(error);
    this.#failWrites(error);
  }

  protected pauseReading(): void {
    this.#socket.pause();
  }

  protected resumeReading(): void {
    this.#socket.resume();
  }

  /** Writes a chunk back from the data handler; what the kernel does not take waits for drain, with reading paused. */
  protected echoChunk(data: Uint8Array): void {
    const echo = this.echoing!;
    // A chunk already on its way when stop() paused the socket is still echoed.
    if (this.closed || this.#finPending || this.#shutDown) return;
    echo.onProgress(data.byteLength);
    let taken = 0;
    if (this.#writes.length === 0) {
      taken = this.#socket.write(data);
      if (taken === data.byteLength) return;
      if (taken < 0) return; // closed under us: the close handler settles the echo
    }
    // Bun may reuse the buffer it passed to the data handler: keep a copy of the rest.
    const rest = data.slice(taken);
    this.#echoPending += rest.byteLength;
    const written = (): void => {
      this.#echoPending -= rest.byteLength;
    };
    this.#writes.push({ data: rest, offset: 0, resolve: written, reject: noop });
    // Pausing and resuming costs Bun a system call each: only once enough waits (a peer
    // that does not read), so a big message cut short by a full kernel buffer costs none.
    if (!this.#echoPaused && this.#echoPending >= ECHO_HIGH_WATER_MARK) {
      this.#echoPaused = true;
      this.#socket.pause();
    }
  }

  /** Bytes of echoed chunks still waiting for drain. */
  #echoPending = 0;
  #echoPaused = false;

  #failWrites(error: unknown): void {
    for (const write of this.#writes.splice(0)) write.reject(this.map(error, "write"));
    const fin = this.#finPending;
    this.#finPending = undefined;
    fin?.();
  }

  #flush(): void {
    while (this.#writes.length > 0) {
      const write = this.#writes[0]!;
      const written = this.#socket.write(write.data, write.offset, write.data.byteLength - write.offset);
      if (written < 0) {
        this.#failWrites(this.failure ?? closedError());
        return;
      }
      write.offset += written;
      if (write.offset < write.data.byteLength) return; // the kernel is full: wait for drain
      this.#writes.shift();
      write.resolve();
    }
    const echo = this.echoing;
    if (echo && this.#echoPaused && !echo.stopped && !echo.finished && !this.closed) {
      this.#echoPaused = false;
      this.#socket.resume();
    }
    const fin = this.#finPending;
    if (fin) {
      this.#finPending = undefined;
      this.#shutDown = true;
      this.#socket.shutdown();
      fin();
    }
  }

  protected negotiatedAlpn(): unknown {
    return this.#socket.alpnProtocol;
  }

  peerCertificate(): Uint8Array | undefined {
    const raw = this.#socket.getPeerCertificate?.()?.raw;
    return raw ? new Uint8Array(raw) : undefined;
  }

  write(data: Uint8Array): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.map(this.failure, "write"));
    if (this.closed) return Promise.reject(this.map(closedError(), "write"));
    if (this.#writes.length === 0) {
      // The common case: the kernel takes it all at once, no promise machinery needed.
      const written = this.#socket.write(data);
      if (written === data.byteLength) return RESOLVED;
      if (written < 0) return Promise.reject(this.map(this.failure ?? closedError(), "write"));
      return new Promise((resolve, reject) => this.#writes.push({ data, offset: written, resolve, reject }));
    }
    return new Promise((resolve, reject) => this.#writes.push({ data, offset: 0, resolve, reject }));
  }

  closeWrite(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.#writes.length === 0) {
      this.#shutDown = true;
      this.#socket.shutdown();
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.#finPending = resolve));
  }

  protected release(how: "close" | "reset"): void {
    this.#failWrites(closedError());
    // end() waits for a handshake in progress to send close_notify: a client that never
    // finishes it would keep the socket. terminate() lets go at once.
    if (how === "close" && !(this.handshake && !this.handshake.over)) this.#socket.end();
    else this.#socket.terminate();
  }

  setNoDelay(noDelay: boolean): void {
    this.#socket.setNoDelay(noDelay);
  }

  setKeepAlive(enable: boolean, initialDelayMs: number): void {
    this.#socket.setKeepAlive(enable, Math.round(initialDelayMs / 1000));
  }
}

function handlers(onOpen: (socket: Socket) => void): Handlers {
  return {
    open: onOpen,
    data: (socket, data) => socket.data?.onData(data),
    drain: (socket) => socket.data?.onDrain(),
    end: (socket) => socket.data?.onEnd(),
    close: (socket, error) => socket.data?.onClose(error),
    error: (socket, error) => socket.data?.onError(error),
    // Needed on a TLS server even for its result alone: without a handshake handler Bun
    // calls close() for a socket whose handshake is still going on, and keeps it open.
    handshake: (socket, success, error) => socket.data?.onHandshake(success, error),
  };
}

class BunStreamListener implements StreamListener {
  readonly #pending = new Handoff<BunStreamSocket>();
  readonly #tls: boolean;
  #listener: BunListener | undefined;
  #closed = false;
  addr: SocketAddr = { hostname: "", port: 0 };

  constructor(tls: boolean) {
    this.#tls = tls;
  }

  attach(listener: BunListener, hostname: string): void {
    this.#listener = listener;
    // Bun reports the hostname as it was given; it is an address already (src/net resolves names).
    this.addr = { hostname, port: listener.port };
  }

  deliver(socket: Socket): void {
    // Bun calls open at the TCP accept, TLS or not: the handshake follows.
    const wrapped = new BunStreamSocket(socket, this.#tls);
    socket.data = wrapped;
    if (this.#closed) {
      wrapped.close();
      return;
    }
    this.#pending.put(wrapped);
  }

  accept(): Promise<StreamSocket | null> {
    return this.#pending.take();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // stop(false): stop accepting, leave the accepted connections to their owners.
    this.#listener?.stop(false);
    for (const socket of this.#pending.drain()) socket.close();
    this.#pending.end();
  }
}

/** Opens a TCP or TLS listener with `Bun.listen`. */
export function bunListenTcp(request: TcpListenRequest): Promise<StreamListener> {
  const listener = new BunStreamListener(request.tls !== undefined);
  const tls = request.tls
    ? { cert: request.tls.cert, key: request.tls.key, ALPNProtocols: alpnWire(request.tls.alpnProtocols) }
    : undefined;
  const options = {
    hostname: request.hostname,
    port: request.port,
    allowHalfOpen: true,
    socket: handlers((socket) => listener.deliver(socket)),
    ...(tls ? { tls } : {}),
    ...(request.reusePort ? { reusePort: true } : {}),
  };
  listener.attach(bun().listen(options), request.hostname);
  return Promise.resolve(listener);
}

/**
 * Without SNI Bun checks the certificate against the hostname connected to; when the
 * name to verify is another (an IP address given as `serverName`), check that one too.
 */
function checkAddressIdentity(socket: Socket, request: TcpConnectRequest): Error | undefined {
  const tls = request.tls!;
  if (tls.sni !== undefined || tls.serverName === request.hostname) return undefined;
  const certificate = socket.getPeerCertificate?.();
  if (!certificate) return Object.assign(new Error("the server sent no certificate"), { code: "ERR_TLS_CERT" });
  return nodeTls().checkServerIdentity(tls.serverName, certificate);
}

/** Opens a TCP or TLS connection with `Bun.connect`; TLS verification stays on. */
export function bunConnectTcp(request: TcpConnectRequest): Promise<StreamSocket> {
  const { signal, tls } = request;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      action();
    };
    let raw: Socket | undefined;
    const onAbort = () =>
      settle(() => {
        raw?.terminate();
        reject(signal.reason);
      });
    signal.addEventListener("abort", onAbort, { once: true });
    const base = handlers((socket) => {
      raw = socket;
      // open() comes with the TCP connection, before a TLS handshake.
      request.onConnected?.();
      socket.data = new BunStreamSocket(socket);
      if (!tls) settle(() => resolve(socket.data!));
    });
    const socketHandlers: Handlers = {
      ...base,
      connectError: (_socket, error) => settle(() => reject(error)),
      close: (socket, error) => {
        base.close(socket, error);
        settle(() =>
          reject(
            error ?? handshakeAbandonedError(),
          )
        );
      },
      error: (socket, error) => {
        base.error(socket, error);
        settle(() => reject(error));
      },
    };
    if (tls) {
      socketHandlers.handshake = (socket, success, authorizationError) => {
        raw = socket;
        if (!socket.data) socket.data = new BunStreamSocket(socket);
        const identityError = success && !authorizationError ? checkAddressIdentity(socket, request) : undefined;
        if (success && !authorizationError && !identityError) {
          settle(() => resolve(socket.data!));
        } else {
          settle(() => {
            socket.terminate();
            reject(
              authorizationError ?? identityError ?? handshakeFailedError(),
            );
          });
        }
      };
    }
    bun().connect({
      hostname: request.hostname,
      port: request.port,
      allowHalfOpen: true,
      socket: socketHandlers,
      ...(tls
        ? {
          tls: {
            // `ca` replaces the built-in roots: keep them and add the caller's.
            ca: tls.caCerts.length > 0 ? [...nodeTls().rootCertificates, ...tls.caCerts] : undefined,
            // An empty serverName sends no SNI (Bun would send an IP address as one);
            // Bun then checks the certificate against the hostname connected to.
            serverName: tls.sni ?? "",
            rejectUnauthorized: true,
            ALPNProtocols: alpnWire(tls.alpnProtocols),
          },
        }
        : {}),
    }).then((socket) => {
      raw = socket;
      if (settled && signal.aborted) socket.terminate();
    }, (error) => settle(() => reject(error)));
  });
}
