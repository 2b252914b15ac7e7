import type { RuntimeName } from "./detect.ts";

/**
 * The contract every runtime adapter (`node.ts`, `deno.ts`, `bun.ts`) implements.
 *
 * Only the adapters touch `Deno`, `Bun` or `node:*` networking; everything above them
 * (src/net, src/echo, src/http, src/tools, the CLI) is written once against this
 * interface. Each capability lives in its own interface so that an adapter can be
 * read one concern at a time.
 *
 * Adapters throw the runtime's own errors; `src/net` turns them into typed errors, so
 * the mapping from runtime quirks to stable codes lives in one place.
 */
export interface RuntimeAdapter {
  /** Which runtime this adapter drives. */
  readonly runtime: RuntimeName;
  /** TCP and TLS streams, UDP datagrams. */
  readonly net: NetAdapter;
}

/** A socket address as the runtime reports it. */
export interface SocketAddr {
  /** An IP address (`"127.0.0.1"`, `"::1"`). */
  hostname: string;
  /** The port number. */
  port: number;
}

/** TLS settings of a server: PEM certificate chain and private key. */
export interface TlsServerConfig {
  /** PEM certificate chain. */
  cert: string;
  /** PEM private key. */
  key: string;
  /** ALPN protocols the server offers, in order of preference. */
  alpnProtocols?: string[];
}

/** TLS settings of a client. Verification of certificate and hostname is always on. */
export interface TlsClientConfig {
  /** Extra PEM CA certificates trusted on top of the system's roots. */
  caCerts: string[];
  /** The name sent as SNI and checked against the certificate. */
  serverName: string;
  /** ALPN protocols the client offers. */
  alpnProtocols?: string[];
}

/** What the adapter needs to open a TCP (or TLS) listener. Arguments are already checked. */
export interface TcpListenRequest {
  hostname: string;
  port: number;
  tls?: TlsServerConfig;
  reusePort?: boolean;
}

/** What the adapter needs to open a TCP (or TLS) connection. Arguments are already checked. */
export interface TcpConnectRequest {
  hostname: string;
  port: number;
  tls?: TlsClientConfig;
  /** Aborts the attempt: the adapter closes the half-open socket and rejects with the reason. */
  signal: AbortSignal;
}

/** A connected stream socket (TCP or TLS over TCP). */
export interface StreamSocket {
  readonly localAddr: SocketAddr;
  readonly remoteAddr: SocketAddr;
  /** The ALPN protocol agreed on, or `null` (plain TCP, or none agreed). */
  alpnProtocol(): string | null;
  /**
   * The next chunk the peer sent (owned by the caller), or `null` once the peer has
   * closed its side. While nobody reads, the adapter stops reading from the kernel
   * after a bounded amount, so the peer feels TCP backpressure.
   */
  read(): Promise<Uint8Array | null>;
  /** Settles once every byte of `data` has been handed to the operating system. */
  write(data: Uint8Array): Promise<void>;
  /** Sends FIN after the pending writes; reading goes on. */
  closeWrite(): Promise<void>;
  /** Closes both directions at once; pending reads settle with `null`. Idempotent. */
  close(): void;
  /** Aborts the connection with a reset (RST) where the runtime can. */
  reset(): void;
  setNoDelay(noDelay: boolean): void;
  setKeepAlive(enable: boolean, initialDelayMs: number): void;
}

/** A listening stream socket. */
export interface StreamListener {
  readonly addr: SocketAddr;
  /** The next accepted connection, or `null` once the listener is closed. */
  accept(): Promise<StreamSocket | null>;
  /** Stops accepting; pending `accept()` calls settle with `null`. Idempotent. */
  close(): void;
}

/** A received datagram. */
export interface Datagram {
  data: Uint8Array;
  addr: SocketAddr;
}

/** A bound UDP socket. */
export interface DatagramSocket {
  readonly addr: SocketAddr;
  /** Settles when the datagram has been handed to the operating system. */
  send(data: Uint8Array, to: SocketAddr): Promise<void>;
  /** The next datagram, or `null` once the socket is closed. */
  receive(): Promise<Datagram | null>;
  close(): void;
}

/** What {@linkcode NetAdapter.bindUdp} needs; the hostname is an IP address or a name to resolve. */
export interface UdpBindRequest {
  hostname: string;
  port: number;
}

/** Sockets on one runtime. */
export interface NetAdapter {
  listenTcp(request: TcpListenRequest): Promise<StreamListener>;
  connectTcp(request: TcpConnectRequest): Promise<StreamSocket>;
  bindUdp(request: UdpBindRequest): Promise<DatagramSocket>;
  /** Resolves a hostname to one IP address (the first the resolver gives). */
  resolve(hostname: string): Promise<string>;
  /** Which UDP implementation this runtime uses, for the docs and `--help`. */
  readonly udpImplementation: string;
}
