/**
 * Addresses and options of the portable socket API.
 *
 * @module
 */
import type { NetError } from "./errors.ts";

/** A socket address: an IP address (or a name, where one is accepted) and a port. */
export interface NetAddr {
  /** IP address such as `"127.0.0.1"` or `"::1"`; a host name where the API says so. */
  hostname: string;
  /** Port number, 0 to 65535. */
  port: number;
}

/** TLS settings of a server. */
export interface TlsServerOptions {
  /** PEM certificate chain (the text, not a path). */
  cert: string;
  /** PEM private key (the text, not a path). */
  key: string;
  /** ALPN protocols the server agrees to, in order of preference. @default none */
  alpnProtocols?: string[];
  /**
   * Milliseconds a client may take to finish the TLS handshake, counted from the TCP
   * accept. A connection still handshaking then is closed, and its reads and writes
   * reject with a `TimedOutError`: a client that stalls, or never starts, cannot hold a
   * socket for long. @default 10000
   */
  handshakeTimeout?: number;
}

/**
 * TLS settings of a client. The server's certificate and name are always verified;
 * there is deliberately no option to switch that off. Trust a private CA with `caCerts`.
 */
export interface TlsClientOptions {
  /** Extra PEM CA certificates trusted on top of the system's roots. @default [] */
  caCerts?: string[];
  /** The name sent as SNI and checked against the certificate. @default the `hostname` connected to */
  serverName?: string;
  /** ALPN protocols to offer, such as `["h2", "http/1.1"]`. @default none */
  alpnProtocols?: string[];
}

/** Options of {@linkcode listen}. */
export interface ListenOptions {
  /** Address to listen on; `"0.0.0.0"` or `"::"` for all interfaces. @default "127.0.0.1" */
  hostname?: string;
  /** Port; 0 picks a free one (read it from `listener.addr`). */
  port: number;
  /** Serve TLS with this certificate and key. @default plain TCP */
  tls?: TlsServerOptions;
  /** Let several listeners share the port (Linux `SO_REUSEPORT`; Deno, Bun, Node 22.12+). @default false */
  reusePort?: boolean;
  /** Closes the listener when aborted. */
  signal?: AbortSignal;
  /**
   * Called for each connection dropped before it could be handed out: the peer reset it
   * before the runtime could read its address. Such a connection never ends the
   * iteration; the count is `listener.droppedConnections`. For logging; an exception it
   * throws is ignored. @default none
   */
  onDroppedConnection?: (error: NetError) => void;
}

/** Options of {@linkcode connect}. */
export interface ConnectOptions {
  /** Host name or IP address to connect to. @default "127.0.0.1" */
  hostname?: string;
  /** Port, 1 to 65535. */
  port: number;
  /** Use TLS: `true` for the defaults, or client options. @default plain TCP */
  tls?: boolean | TlsClientOptions;
  /** Give up after this many milliseconds (connect and TLS handshake) with a `TimedOutError`. @default no limit */
  timeout?: number;
  /** Aborts the attempt; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Options of {@linkcode bindUdp}. */
export interface BindUdpOptions {
  /** Address to bind. @default "127.0.0.1" */
  hostname?: string;
  /** Port; 0 picks a free one. @default 0 */
  port?: number;
  /** Closes the socket when aborted. */
  signal?: AbortSignal;
}

/** A datagram received by a {@linkcode UdpSocket}. */
export interface UdpMessage {
  /** The payload. */
  data: Uint8Array;
  /** Who sent it. */
  addr: NetAddr;
}
