/**
 * TCP and TLS on Deno (`Deno.listen`, `Deno.connect`, `Deno.listenTls`, `Deno.startTls`).
 *
 * `Deno.Conn.write()` may take only part of the buffer: writes loop until all is taken.
 * Reads go into a reused buffer and are copied out at their real size, which costs
 * far less than a fresh 64 KiB buffer per read.
 *
 * @module
 */
import type { SocketAddr, StreamListener, StreamSocket, TcpConnectRequest, TcpListenRequest } from "./types.ts";

interface DenoNetAddr {
  hostname: string;
  port: number;
}

interface DenoConn {
  readonly localAddr: DenoNetAddr;
  readonly remoteAddr: DenoNetAddr;
  read(buffer: Uint8Array): Promise<number | null>;
  write(data: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
  setKeepAlive?(keepAlive?: boolean): void;
  handshake?(): Promise<{ alpnProtocol: string | null }>;
}

interface DenoListener {
  readonly addr: DenoNetAddr;
  accept(): Promise<DenoConn>;
  close(): void;
}

interface DenoNamespace {
  listen(options: { hostname: string; port: number; transport: "tcp"; reusePort?: boolean }): DenoListener;
  listenTls(options: {
    hostname: string;
    port: number;
    cert: string;
    key: string;
    alpnProtocols?: string[];
    reusePort?: boolean;
  }): DenoListener;
  connect(options: { hostname: string; port: number; transport: "tcp"; signal?: AbortSignal }): Promise<DenoConn>;
  startTls(
    conn: DenoConn,
    options: { hostname: string; caCerts?: string[]; alpnProtocols?: string[] },
  ): Promise<DenoConn>;
  resolveDns?(query: string, type: "A" | "AAAA"): Promise<string[]>;
  errors: { BadResource: new (...args: never[]) => Error; Interrupted: new (...args: never[]) => Error };
}

function deno(): DenoNamespace {
  return (globalThis as unknown as { Deno: DenoNamespace }).Deno;
}

const READ_BUFFER_SIZE = 64 * 1024;

class DenoStreamSocket implements StreamSocket {
  readonly #conn: DenoConn;
  readonly #buffer = new Uint8Array(READ_BUFFER_SIZE);
  readonly localAddr: SocketAddr;
  readonly remoteAddr: SocketAddr;
  #alpn: string | null = null;
  #closed = false;
  #handshake: Promise<void> | undefined;

  constructor(conn: DenoConn, handshakeFirst: boolean) {
    this.#conn = conn;
    this.localAddr = { hostname: conn.localAddr.hostname, port: conn.localAddr.port };
    this.remoteAddr = { hostname: conn.remoteAddr.hostname, port: conn.remoteAddr.port };
    if (handshakeFirst && conn.handshake) {
      // Deno runs a server's TLS handshake lazily; doing it here (on first use, not in
      // accept) gives its result to whoever reads or writes first.
      this.#handshake = conn.handshake().then((info) => {
        this.#alpn = info.alpnProtocol;
      });
      this.#handshake.catch(() => {});
    }
  }

  setAlpn(protocol: string | null): void {
    this.#alpn = protocol;
  }

  alpnProtocol(): string | null {
    return this.#alpn;
  }

  async read(): Promise<Uint8Array | null> {
    if (this.#closed) return null;
    if (this.#handshake) await this.#handshake;
    let n: number | null;
    try {
      n = await this.#conn.read(this.#buffer);
    } catch (error) {
      if (this.#closed) return null;
      throw error;
    }
    if (n === null) return null;
    return this.#buffer.slice(0, n);
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.#handshake) await this.#handshake;
    let offset = 0;
    while (offset < data.byteLength) {
      offset += await this.#conn.write(offset === 0 ? data : data.subarray(offset));
    }
  }

  async closeWrite(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#conn.closeWrite();
    } catch (error) {
      // Closing the write side twice, or after the peer reset, is not worth a failure.
      if (!(error instanceof deno().errors.BadResource) && (error as { code?: string }).code !== "ENOTCONN") throw error;
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

class DenoStreamListener implements StreamListener {
  readonly #listener: DenoListener;
  readonly #tls: boolean;
  #closed = false;
  readonly addr: SocketAddr;

  constructor(listener: DenoListener, tls: boolean) {
    this.#listener = listener;
    this.#tls = tls;
    this.addr = { hostname: listener.addr.hostname, port: listener.addr.port };
  }

  async accept(): Promise<StreamSocket | null> {
    while (!this.#closed) {
      try {
        const conn = await this.#listener.accept();
        return new DenoStreamSocket(conn, this.#tls);
      } catch (error) {
        if (this.#closed || error instanceof deno().errors.BadResource || error instanceof deno().errors.Interrupted) {
          return null;
        }
        // A connection that failed between the kernel's accept and ours (reset early,
        // too many open files for a moment) must not stop the server.
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

/** Opens a TCP or TLS listener with `Deno.listen` / `Deno.listenTls`. */
export function denoListenTcp(request: TcpListenRequest): Promise<StreamListener> {
  const { hostname, port, tls } = request;
  const reuse = request.reusePort ? { reusePort: true } : {};
  const listener = tls
    ? deno().listenTls({ hostname, port, cert: tls.cert, key: tls.key, alpnProtocols: tls.alpnProtocols, ...reuse })
    : deno().listen({ hostname, port, transport: "tcp", ...reuse });
  return Promise.resolve(new DenoStreamListener(listener, Boolean(tls)));
}

/** Opens a TCP or TLS connection; TLS runs over `Deno.startTls` so SNI can differ from the address. */
export async function denoConnectTcp(request: TcpConnectRequest): Promise<StreamSocket> {
  const { signal } = request;
  const conn = await deno().connect({ hostname: request.hostname, port: request.port, transport: "tcp", signal });
  if (!request.tls) return new DenoStreamSocket(conn, false);
  const onAbort = () => {
    try {
      conn.close();
    } catch {
      // closed already
    }
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const tlsConn = await deno().startTls(conn, {
      hostname: request.tls.serverName,
      caCerts: request.tls.caCerts,
      alpnProtocols: request.tls.alpnProtocols,
    });
    const info = await tlsConn.handshake!();
    const socket = new DenoStreamSocket(tlsConn, false);
    socket.setAlpn(info.alpnProtocol);
    return socket;
  } catch (error) {
    onAbort();
    throw signal.aborted ? signal.reason : error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
