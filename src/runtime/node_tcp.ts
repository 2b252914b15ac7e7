/**
 * TCP and TLS on Node.js (`node:net`, `node:tls`).
 *
 * Node buffers every write itself; a write here settles from its callback, that is
 * once Node has handed the bytes to the kernel, so the caller may reuse the buffer and
 * a writer that awaits each write is held back by a slow peer.
 *
 * @module
 */
import { lookup } from "node:dns/promises";
import net from "node:net";
import process from "node:process";
import tls from "node:tls";
import { ChunkQueue, readIntoFrom } from "./_chunk_queue.ts";
import { NativeEcho } from "./_native_echo.ts";
import type {
  EchoSession,
  ErrorMapper,
  SocketAddr,
  StreamListener,
  StreamSocket,
  TcpConnectRequest,
  TcpListenRequest,
} from "./types.ts";
import { Handoff } from "./_handoff.ts";

function addrOf(address: string | undefined, port: number | undefined): SocketAddr {
  return { hostname: address ?? "", port: port ?? 0 };
}

class NodeStreamSocket implements StreamSocket {
  readonly #socket: net.Socket;
  readonly #queue: ChunkQueue;
  readonly localAddr: SocketAddr;
  readonly remoteAddr: SocketAddr;
  readonly prefersReadInto = false;
  #closed = false;
  #failure: unknown;
  #map: ErrorMapper = (error) => error;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    this.localAddr = addrOf(socket.localAddress, socket.localPort);
    this.remoteAddr = addrOf(socket.remoteAddress, socket.remotePort);
    this.#queue = new ChunkQueue(() => socket.pause(), () => socket.resume());
    socket.on("data", (chunk: Uint8Array) => this.#echo ? this.#echoChunk(chunk) : this.#queue.push(chunk));
    socket.on("end", () => {
      this.#queue.end();
      this.#echo?.finish();
    });
    socket.on("error", (error) => {
      this.#failure = error;
      const mapped = this.#map(error, "read");
      this.#queue.fail(mapped);
      this.#echo?.fail(mapped);
    });
    socket.on("close", () => {
      this.#queue.end();
      this.#echo?.finish();
    });
  }

  #echo: NativeEcho | undefined;

  echo(onProgress: (echoedBytes: number) => void): EchoSession {
    const socket = this.#socket;
    const echo = new NativeEcho(onProgress, () => socket.pause());
    const { chunks, ended, error } = this.#queue.takeAll();
    this.#echo = echo;
    // Node buffers what the kernel does not take; reading pauses while more than its
    // high-water mark waits, as socket.pipe(socket) does, and resumes on drain.
    socket.on("drain", () => {
      if (!echo.stopped && !echo.finished) socket.resume();
    });
    for (const chunk of chunks) this.#echoChunk(chunk);
    if (error !== undefined) echo.fail(error);
    else if (ended || this.#closed) echo.finish();
    return echo;
  }

  #echoChunk(chunk: Uint8Array): void {
    const echo = this.#echo!;
    // A chunk already on its way when stop() paused the socket is still echoed.
    if (this.#closed || this.#socket.writableEnded) return;
    const taken = this.#socket.write(chunk);
    echo.onProgress(chunk.byteLength);
    if (!taken) this.#socket.pause();
  }

  mapErrors(map: ErrorMapper): void {
    this.#map = map;
  }

  alpnProtocol(): string | null {
    const protocol = (this.#socket as tls.TLSSocket).alpnProtocol;
    return typeof protocol === "string" ? protocol : null;
  }

  read(): Promise<Uint8Array | null> {
    return this.#queue.read();
  }

  readInto(buffer: Uint8Array): Promise<number | null> {
    return readIntoFrom(this.#queue, buffer);
  }

  write(data: Uint8Array): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#map(this.#failure, "write"));
    if (this.#socket.destroyed || !this.#socket.writable) return Promise.reject(this.#map(closedError(), "write"));
    let settle: ((error: Error | null | undefined) => void) | undefined;
    let early: { error: Error | null | undefined } | undefined;
    this.#socket.write(data, (error) => (settle ? settle(error) : (early = { error })));
    // Nothing left in Node's buffer: the kernel took it all during write(), so the
    // caller may reuse the buffer now, without a promise per chunk.
    if (early === undefined && this.#socket.writableLength === 0) return RESOLVED;
    if (early !== undefined) {
      return early.error ? Promise.reject(this.#map(this.#failure ?? early.error, "write")) : RESOLVED;
    }
    return new Promise((resolve, reject) => {
      settle = (error) => (error ? reject(this.#map(this.#failure ?? error, "write")) : resolve());
    });
  }

  closeWrite(): Promise<void> {
    if (this.#socket.destroyed || this.#socket.writableEnded) return RESOLVED;
    return new Promise((resolve) => this.#socket.end(() => resolve()));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.discard();
    this.#echo?.finish();
    this.#socket.destroy();
  }

  reset(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.discard();
    this.#echo?.finish();
    this.#socket.resetAndDestroy();
  }

  setNoDelay(noDelay: boolean): void {
    this.#socket.setNoDelay(noDelay);
  }

  setKeepAlive(enable: boolean, initialDelayMs: number): void {
    this.#socket.setKeepAlive(enable, initialDelayMs);
  }
}

const RESOLVED: Promise<void> = Promise.resolve();

function closedError(): Error {
  return Object.assign(new Error("the connection is closed"), { code: "ERR_SOCKET_CLOSED" });
}

class NodeStreamListener implements StreamListener {
  readonly #server: net.Server;
  readonly #pending = new Handoff<net.Socket>();
  #closed = false;
  readonly addr: SocketAddr;

  constructor(server: net.Server, addr: SocketAddr) {
    this.#server = server;
    this.addr = addr;
  }

  deliver(socket: net.Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    // Errors before the first read are reported through read(); until then a listener
    // must exist, or Node would throw the error out of the event loop.
    socket.on("error", () => {});
    this.#pending.put(socket);
  }

  async accept(): Promise<StreamSocket | null> {
    const socket = await this.#pending.take();
    return socket ? new NodeStreamSocket(socket) : null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    for (const socket of this.#pending.drain()) socket.destroy();
    this.#pending.end();
  }
}

function nodeSupportsReusePort(): boolean {
  // server.listen({ reusePort }) arrived in Node 22.12 / 23.1; older versions ignore it.
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/** Opens a TCP or TLS listener with `node:net` / `node:tls`. */
export async function nodeListenTcp(request: TcpListenRequest): Promise<StreamListener> {
  if (request.reusePort && !nodeSupportsReusePort()) {
    throw Object.assign(new Error(`reusePort needs Node 22.12 or later (this is ${process.versions.node})`), {
      code: "ERR_NOT_SUPPORTED",
    });
  }
  // Assigned once the server listens; connections cannot arrive before that.
  // deno-lint-ignore prefer-const
  let listener: NodeStreamListener | undefined;
  const onSocket = (socket: net.Socket) => listener?.deliver(socket);
  const server = request.tls
    ? tls.createServer({
      cert: request.tls.cert,
      key: request.tls.key,
      ALPNProtocols: request.tls.alpnProtocols,
      allowHalfOpen: true,
    }, onSocket)
    : net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, onSocket);
  // A client that fails its TLS handshake (plain text on the TLS port) is dropped by
  // Node itself; the event only needs a listener so that it is not an uncaught error.
  server.on("tlsClientError", () => {});
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
  listener = new NodeStreamListener(server, { hostname: address.address, port: address.port });
  return listener;
}

/** Opens a TCP or TLS connection with `node:net` / `node:tls`. */
export function nodeConnectTcp(request: TcpConnectRequest): Promise<StreamSocket> {
  return new Promise((resolve, reject) => {
    const { tls: tlsConfig } = request;
    let socket: net.Socket;
    const readyEvent = tlsConfig ? "secureConnect" : "connect";
    if (tlsConfig) {
      socket = tls.connect({
        host: request.hostname,
        port: request.port,
        // Node refuses an IP address as SNI; the certificate is still checked against it.
        servername: net.isIP(tlsConfig.serverName) ? undefined : tlsConfig.serverName,
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
    socket.once(readyEvent, () => {
      signal.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      resolve(new NodeStreamSocket(socket));
    });
  });
}

/**
 * Resolves a name to one address with the system resolver, IPv4 first: resolvers
 * differ in the order they give (`localhost` is `::1` first on some), and an IPv4
 * answer works with the IPv4 sockets most callers bind.
 */
export async function nodeResolve(hostname: string): Promise<string> {
  const addresses = await lookup(hostname, { all: true });
  const chosen = addresses.find((a) => a.family === 4) ?? addresses[0];
  if (!chosen) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return chosen.address;
}
