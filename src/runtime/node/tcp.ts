/**
 * TCP and TLS on Node.js (`node:net`, `node:tls`).
 *
 * Node buffers every write itself; a write here settles from its callback, that is
 * once Node has handed the bytes to the kernel, so the caller may reuse the buffer and
 * a writer that awaits each write is held back by a slow peer.
 *
 * @module
 */
import net from "node:net";
import { globalProcess } from "../_shared/global_process.ts";
import type tls from "node:tls";
import { EventStreamSocket, RESOLVED } from "../_shared/event_socket.ts";
import { nodeTls } from "../_shared/node_tls.ts";
import { closedError, handshakeAbandonedError } from "../_shared/adapter_errors.ts";
import type { NativeEcho } from "../_shared/native_echo.ts";
import { TcpFeed } from "../_shared/tcp_feed.ts";
import type { SocketAddr, StreamListener, StreamSocket, TcpConnectRequest, TcpListenRequest } from "../types.ts";
import { Handoff } from "../_shared/handoff.ts";
import { PendingTlsHandshake } from "../_shared/tls_handshake.ts";

const process = globalProcess();

/** The server's side of a TLS handshake that Node runs on an accepted TCP socket. */
class NodeTlsHandshake extends PendingTlsHandshake {
  /** @param fail Fails the connection's reads and writes with the reason, and closes it. */
  constructor(socket: tls.TLSSocket, fail: (reason: unknown) => void) {
    super(fail);
    socket.once("secure", () => this.finish());
    // Node leaves a server-side handshake that the peer abandons with a FIN half-open
    // for good (CLOSE-WAIT, with allowHalfOpen): no 'secure', no error. End it here.
    socket.once("end", () => {
      if (!this.over) this.abort(handshakeAbandonedError());
    });
    socket.once("close", () => this.finish());
  }
}

/** Stops and restarts reading from the peer. */
interface FlowControl {
  pause(): void;
  resume(): void;
}

class NodeStreamSocket extends EventStreamSocket {
  readonly #socket: net.Socket;
  readonly #tcp: net.Socket;
  readonly #flow: FlowControl;
  readonly handshake: NodeTlsHandshake | undefined;

  /**
   * @param socket The socket to read and write (a TLSSocket over `tcp` for a TLS server).
   * @param tcp The TCP socket, whose addresses Node knows at accept.
   * @param flow What stops and restarts reading: `socket` itself, unless given.
   */
  constructor(socket: net.Socket, tcp: net.Socket = socket, flow: FlowControl = socket) {
    super({ hostname: tcp.localAddress, port: tcp.localPort }, { hostname: tcp.remoteAddress, port: tcp.remotePort });
    this.#socket = socket;
    this.#tcp = tcp;
    this.#flow = flow;
    this.handshake = socket !== tcp
      ? new NodeTlsHandshake(socket as tls.TLSSocket, (reason) => this.#fail(reason))
      : undefined;
    socket.on("data", (chunk: Uint8Array) => this.received(chunk));
    socket.on("end", () => this.inputEnded());
    socket.on("error", (error) => {
      this.failure = error;
      this.failReads(error);
    });
    socket.on("close", () => this.inputEnded());
  }

  protected pauseReading(): void {
    this.#flow.pause();
  }

  protected resumeReading(): void {
    this.#flow.resume();
  }

  protected override echoStarted(echo: NativeEcho): void {
    // Node buffers what the kernel does not take; reading pauses while more than its
    // high-water mark waits, as socket.pipe(socket) does, and resumes on drain.
    this.#socket.on("drain", () => {
      if (!echo.stopped && !echo.finished) this.#flow.resume();
    });
  }

  protected echoChunk(chunk: Uint8Array): void {
    const echo = this.echoing!;
    // A chunk already on its way when stop() paused the socket is still echoed.
    if (this.closed || this.#socket.writableEnded) return;
    const taken = this.#socket.write(chunk);
    echo.onProgress(chunk.byteLength);
    if (!taken) this.#flow.pause();
  }

  /** Fails every read and write with `reason` (already an error callers may see) and closes the socket. */
  #fail(reason: unknown): void {
    this.failure ??= reason;
    this.failReads(reason);
    this.closed = true;
    this.#socket.destroy();
    this.#tcp.destroy();
  }

  protected negotiatedAlpn(): unknown {
    return (this.#socket as tls.TLSSocket).alpnProtocol;
  }

  peerCertificate(): Uint8Array | undefined {
    const socket = this.#socket as tls.TLSSocket;
    const raw = typeof socket.getPeerCertificate === "function" ? socket.getPeerCertificate().raw : undefined;
    return raw ? new Uint8Array(raw) : undefined;
  }

  write(data: Uint8Array): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.map(this.failure, "write"));
    if (this.#socket.destroyed || !this.#socket.writable) return Promise.reject(this.map(closedError(), "write"));
    let settle: ((error: Error | null | undefined) => void) | undefined;
    let early: { error: Error | null | undefined } | undefined;
    this.#socket.write(data, (error) => (settle ? settle(error) : (early = { error })));
    // Nothing left in Node's buffer: the kernel took it all during write(), so the
    // caller may reuse the buffer now, without a promise per chunk.
    if (early === undefined && this.#socket.writableLength === 0) return RESOLVED;
    if (early !== undefined) {
      return early.error ? Promise.reject(this.map(this.failure ?? early.error, "write")) : RESOLVED;
    }
    return new Promise((resolve, reject) => {
      settle = (error) => (error ? reject(this.map(this.failure ?? error, "write")) : resolve());
    });
  }

  closeWrite(): Promise<void> {
    // Before the handshake is over there is no TLS session to end, and the TLS socket's
    // end() would wait for one: the FIN goes out on the TCP socket underneath.
    const socket = this.handshake && !this.handshake.over ? this.#tcp : this.#socket;
    if (socket.destroyed || socket.writableEnded) return RESOLVED;
    return new Promise((resolve) => socket.end(() => resolve()));
  }

  protected release(how: "close" | "reset"): void {
    if (how === "close") {
      this.#socket.destroy();
      if (this.#tcp !== this.#socket) this.#tcp.destroy();
      return;
    }
    // While an end() is being carried out (Node asked libuv for the shutdown, which runs
    // on the next turn of the loop), libuv refuses to reset, and Node then marks the
    // socket closing without ever closing it: the process hangs for good when it exits.
    // The end of stream is on its way anyway, so this one is closed instead.
    if (this.#tcp.writableEnded && !this.#tcp.writableFinished) {
      this.#socket.destroy();
      this.#tcp.destroy();
      return;
    }
    // resetAndDestroy() works on a TCP handle only (a TLS socket's is the TLS layer):
    // reset the TCP socket underneath, or close where there is none to reach.
    if (this.#tcp !== this.#socket) this.#socket.destroy();
    try {
      this.#tcp.resetAndDestroy();
    } catch {
      this.#tcp.destroy();
    }
  }

  setNoDelay(noDelay: boolean): void {
    this.#socket.setNoDelay(noDelay);
  }

  setKeepAlive(enable: boolean, initialDelayMs: number): void {
    this.#socket.setKeepAlive(enable, initialDelayMs);
  }
}

/** What a TLS listener wraps each accepted TCP socket with. */
interface NodeTlsServerSetup {
  secureContext: tls.SecureContext;
  alpnProtocols: string[] | undefined;
  /** Run TLS over a {@linkcode TcpFeed} rather than on the TCP socket itself (for Deno). */
  throughStream: boolean;
}

/** How {@linkcode nodeListenTcp} runs TLS. */
export interface NodeTlsListenOptions {
  /**
   * Put TLS on a JavaScript stream over each TCP socket instead of on the socket's
   * handle: Deno's `node:tls` loses the end of the stream on a handle whose reading
   * was paused (see `../_shared/tcp_feed.ts`). @default false
   */
  throughStream?: boolean;
}

class NodeStreamListener implements StreamListener {
  readonly #server: net.Server;
  readonly #tls: NodeTlsServerSetup | undefined;
  readonly #pending = new Handoff<NodeStreamSocket>();
  #closed = false;
  readonly addr: SocketAddr;

  constructor(server: net.Server, addr: SocketAddr, tlsSetup: NodeTlsServerSetup | undefined) {
    this.#server = server;
    this.addr = addr;
    this.#tls = tlsSetup;
  }

  deliver(tcp: net.Socket): void {
    if (this.#closed) {
      tcp.destroy();
      return;
    }
    // Errors before the first read are reported through read(); until then a listener
    // must exist, or Node would throw the error out of the event loop.
    tcp.on("error", () => {});
    if (!this.#tls) {
      this.#pending.put(new NodeStreamSocket(tcp));
      return;
    }
    // The TLS layer goes on here rather than in tls.createServer, which hands a socket
    // out only after its handshake: the connection counts from the TCP accept, so that
    // limits apply to handshakes, and a stalled or abandoned one can be closed (Node's
    // own handshakeTimeout reports the timeout but leaves the socket open).
    const feed = this.#tls.throughStream ? new TcpFeed(tcp) : undefined;
    const secure = new (nodeTls().TLSSocket)(feed ?? tcp, {
      isServer: true,
      secureContext: this.#tls.secureContext,
      ALPNProtocols: this.#tls.alpnProtocols,
    });
    const flow = feed ? { pause: () => feed.pauseReader(), resume: () => feed.resumeReader() } : secure;
    this.#pending.put(new NodeStreamSocket(secure, tcp, flow));
  }

  accept(): Promise<StreamSocket | null> {
    return this.#pending.take();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    for (const socket of this.#pending.drain()) socket.close();
    this.#pending.end();
  }
}

/** Why this Node cannot share a port between listeners, or undefined when it can. */
export function nodeReusePortProblem(): string | undefined {
  // server.listen({ reusePort }) arrived in Node 22.12 / 23.1; older versions ignore it.
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  const supported = major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  return supported ? undefined : `reusePort needs Node 22.12 or later (this is ${process.versions.node})`;
}

/** Opens a TCP or TLS listener with `node:net` / `node:tls`. */
export async function nodeListenTcp(
  request: TcpListenRequest,
  tlsOptions: NodeTlsListenOptions = {},
): Promise<StreamListener> {
  const reuseProblem = request.reusePort ? nodeReusePortProblem() : undefined;
  if (reuseProblem) throw Object.assign(new Error(reuseProblem), { code: "ERR_NOT_SUPPORTED" });
  // Assigned once the server listens; connections cannot arrive before that.
  // deno-lint-ignore prefer-const
  let listener: NodeStreamListener | undefined;
  const tlsSetup = request.tls
    ? {
      // Made once: a bad certificate or key fails listen(), not each connection.
      secureContext: nodeTls().createSecureContext({ cert: request.tls.cert, key: request.tls.key }),
      alpnProtocols: request.tls.alpnProtocols,
      throughStream: tlsOptions.throughStream === true,
    }
    : undefined;
  const server = net.createServer(
    { allowHalfOpen: true, pauseOnConnect: false },
    (socket: net.Socket) => listener?.deliver(socket),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const options: net.ListenOptions & { reusePort?: boolean } = { host: request.hostname, port: request.port };
    if (request.reusePort) options.reusePort = true;
    server.listen(options, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", () => {});
  const address = server.address() as net.AddressInfo;
  listener = new NodeStreamListener(server, { hostname: address.address, port: address.port }, tlsSetup);
  return listener;
}

/** Opens a TCP or TLS connection with `node:net` / `node:tls`. */
export function nodeConnectTcp(request: TcpConnectRequest): Promise<StreamSocket> {
  return new Promise((resolve, reject) => {
    const { tls: tlsConfig } = request;
    let socket: net.Socket;
    const readyEvent = tlsConfig ? "secureConnect" : "connect";
    if (tlsConfig) {
      const tls = nodeTls();
      socket = tls.connect({
        host: request.hostname,
        port: request.port,
        servername: tlsConfig.sni,
        checkServerIdentity: (_host, cert) => tls.checkServerIdentity(tlsConfig.serverName, cert),
        // `ca` replaces Node's roots: keep them and add the caller's.
        ca: tlsConfig.caCerts.length > 0 ? [...tls.rootCertificates, ...tlsConfig.caCerts] : undefined,
        ALPNProtocols: tlsConfig.alpnProtocols,
        rejectUnauthorized: true,
        allowHalfOpen: true,
      } as tls.ConnectionOptions);
    } else {
      socket = net.connect({ host: request.hostname, port: request.port, allowHalfOpen: true });
    }
    const { signal } = request;
    const onAbort = () => {
      socket.destroy();
      reject(signal.reason);
    };
    const onError = (error: Error) => {
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      reject(error);
    };
    socket.once("error", onError);
    signal.addEventListener("abort", onAbort, { once: true });
    // A TLS socket emits "connect" for its TCP connection, then "secureConnect".
    if (request.onConnected) socket.once("connect", request.onConnected);
    socket.once(readyEvent, () => {
      signal.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      resolve(new NodeStreamSocket(socket));
    });
  });
}
