/**
 * The part of Bun's API that the Bun adapter uses, in one place: `Bun.listen`,
 * `Bun.connect`, `Bun.udpSocket` and `Bun.serve`, and what they hand back.
 *
 * Node's TypeScript and `deno check` compile these files too (every adapter is part of
 * the one package), and Bun's declarations (`bun-types`) cannot join them: they redeclare
 * globals such as `URL` and `ReadableStream` for the whole program. So the adapter is
 * written against this subset, and `npm run check` proves the subset against Bun's own
 * declarations (typecheck/bun_api.ts, compiled with `bun-types` by
 * typecheck/tsconfig.bun.json, along with this folder): when Bun changes one of these
 * APIs, the check fails.
 *
 * Functions are declared as properties, not methods, so that the check compares their
 * parameters strictly (TypeScript compares method parameters both ways).
 *
 * @module
 */
import type { PeerCertificate } from "node:tls";

/** A TCP or TLS socket (`Bun.Socket`); `data` carries the adapter's own object for it. */
export interface BunSocket<Data> {
  data: Data;
  write: (data: Uint8Array, byteOffset?: number, byteLength?: number) => number;
  end: () => void;
  shutdown: (halfClose?: boolean) => void;
  terminate: () => void;
  pause: () => void;
  resume: () => void;
  setNoDelay: (noDelay?: boolean) => boolean;
  setKeepAlive: (enable?: boolean, initialDelay?: number) => boolean;
  // Bun leaves these undefined for a connection the peer reset before Bun looked at it.
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly alpnProtocol: string | false | null;
  getPeerCertificate?: () => PeerCertificate | undefined;
}

/** The handlers Bun calls for a socket's events (`Bun.SocketHandler`). */
export interface BunSocketHandlers<Data> {
  open: (socket: BunSocket<Data>) => void;
  data: (socket: BunSocket<Data>, data: Uint8Array) => void;
  drain: (socket: BunSocket<Data>) => void;
  end: (socket: BunSocket<Data>) => void;
  close: (socket: BunSocket<Data>, error?: Error) => void;
  error: (socket: BunSocket<Data>, error: Error) => void;
  handshake?: (socket: BunSocket<Data>, success: boolean, authorizationError: Error | null) => void;
  connectError?: (socket: BunSocket<Data>, error: Error) => void;
}

/** TLS settings of `Bun.listen` and `Bun.connect`. */
export interface BunTlsOptions {
  cert?: string;
  key?: string;
  ca?: string[];
  serverName?: string;
  rejectUnauthorized?: boolean;
  /** ALPN protocols in the TLS wire format (each name after its length byte). */
  ALPNProtocols?: Uint8Array;
}

/** A TCP or TLS listener (`Bun.TCPSocketListener`). */
export interface BunListener {
  readonly hostname: string;
  readonly port: number;
  stop: (closeActiveConnections?: boolean) => void;
}

/** What `Bun.listen` takes. */
export interface BunListenOptions<Data> {
  hostname: string;
  port: number;
  tls?: BunTlsOptions;
  reusePort?: boolean;
  allowHalfOpen: boolean;
  socket: BunSocketHandlers<Data>;
}

/** What `Bun.connect` takes. */
export interface BunConnectOptions<Data> {
  hostname: string;
  port: number;
  tls?: BunTlsOptions;
  allowHalfOpen: boolean;
  socket: BunSocketHandlers<Data>;
}

/** A bound UDP socket (`Bun.udp.Socket`). */
export interface BunUdpSocket {
  readonly address: { address: string; port: number };
  send: (data: Uint8Array, port: number, address: string) => boolean;
  close: () => void;
}

/** What `Bun.udpSocket` takes. */
export interface BunUdpOptions {
  hostname: string;
  port: number;
  socket: {
    data: (socket: BunUdpSocket, data: Uint8Array, port: number, address: string) => void;
    drain: (socket: BunUdpSocket) => void;
    error?: (socket: BunUdpSocket, error: Error) => void;
  };
}

/** A running `Bun.serve` server. */
export interface BunServer {
  // Undefined for a server on a Unix socket, which the adapter never starts.
  readonly port: number | undefined;
  readonly hostname: string | undefined;
  stop: (closeActiveConnections?: boolean) => Promise<void>;
  requestIP: (request: Request) => { address: string; port: number } | null;
  timeout: (request: Request, seconds: number) => void;
}

/** What `Bun.serve` takes. */
export interface BunServeOptions {
  hostname: string;
  port: number;
  reusePort?: boolean;
  tls?: { cert: string; key: string };
  maxRequestBodySize?: number;
  idleTimeout?: number;
  fetch: (request: Request, server: BunServer) => Response | Promise<Response>;
}

/** The `Bun` global, as far as the adapter uses it. */
export interface BunApi {
  listen: <Data>(options: BunListenOptions<Data>) => BunListener;
  connect: <Data>(options: BunConnectOptions<Data>) => Promise<BunSocket<Data>>;
  udpSocket: (options: BunUdpOptions) => Promise<BunUdpSocket>;
  serve: (options: BunServeOptions) => BunServer;
}

/** The `Bun` global; only called on Bun. */
export function bun(): BunApi {
  return (globalThis as unknown as { Bun: BunApi }).Bun;
}
