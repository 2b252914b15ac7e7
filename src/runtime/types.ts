import type { RuntimeName } from "./detect.ts";
import type { HttpAdapter } from "./http_types.ts";

/**
 * The contract every runtime adapter (`node/adapter.ts`, `deno/adapter.ts`, `bun/adapter.ts`) implements.
 *
 * Only the adapters touch `Deno`, `Bun` or `node:*` networking; everything above them
 * (src/net, src/echo, src/http, src/tools, the CLI) is written once against this
 * interface. Each capability lives in its own interface so that an adapter can be
 * read one concern at a time.
 *
 * Adapters throw the runtime's own errors; `src/_error_kind.ts` is the one place that
 * reads them (what kind of failure, which code, which words), and `src/net` and
 * `src/http` each turn a kind into their own typed error.
 */
export interface RuntimeAdapter {
  /** Which runtime this adapter drives. */
  readonly runtime: RuntimeName;
  /** TCP and TLS streams, UDP datagrams, name resolution. */
  readonly net: NetAdapter;
  /** The HTTP server, fetch with extra CAs, and aborting a fetch without a signal. */
  readonly http: HttpAdapter;
  /** Timers that must not keep the process alive. */
  readonly timers: TimerAdapter;
  /** What the runtime lets this program do. */
  readonly permissions: PermissionAdapter;
}

/** The permissions asked about, in Deno's terms. */
export type PermissionDescriptor =
  | { name: "write"; path: string }
  | { name: "sys"; kind: "networkInterfaces" }
  | { name: "env"; variable: string };

/** A permission the runtime withholds, and the flag that grants it. */
export interface MissingPermission {
  /** `"Deno"` or `"Node"`. */
  runtime: string;
  /** The flag to add to the runtime's command line: `--allow-write=PATH`, `--allow-fs-write=PATH`. */
  flag: string;
}

/**
 * What one runtime lets this program do. Deno grants files, network, environment and
 * system information per flag, and Node does so too when started with `--permission`;
 * Bun allows everything. A command asks before it starts, so that a missing permission
 * is one clear line at once, not a failure after a whole run.
 */
export interface PermissionAdapter {
  /** Whether the runtime grants `descriptor` now, without asking anyone. */
  isGranted(descriptor: PermissionDescriptor): boolean;
  /**
   * Whether this program may write `path`, or what it lacks. On a terminal Deno asks its
   * user first, as it would at the write itself, but now, before the work.
   */
  missingWrite(path: string): MissingPermission | undefined;
  /**
   * The command line that runs this program again, with the same arguments, with the
   * permission `flag` (`--allow-net`) added to those granted now; `undefined` where the
   * runtime grants by no such flag (Bun; Node, whose `--permission` is all or nothing per
   * kind and rarely used).
   */
  commandWith(flag: string): string | undefined;
}

/** Timers on one runtime. */
export interface TimerAdapter {
  /**
   * Lets the process end while `timer` is still pending (a timeout that guards work
   * nobody waits for any more must not hold the program open).
   */
  unref(timer: ReturnType<typeof setTimeout>): void;
}

/** A socket address as the runtime reports it. */
export interface SocketAddr {
  /** An IP address (`"127.0.0.1"`, `"::1"`). */
  hostname: string;
  /** The port number. */
  port: number;
}

/**
 * A socket address as the runtime reported it, unchecked. A runtime may report none:
 * Node and Bun give `undefined` for a connection the peer reset before anyone looked at
 * it. `src/net` checks every reported address in one place (`_socket_addr.ts`).
 */
export interface ReportedAddr {
  hostname: string | undefined;
  port: number | undefined;
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
  /** The name (or IP address) the certificate must be valid for. */
  serverName: string;
  /**
   * The name to send as SNI: `serverName` when it is a host name, absent when it is an
   * IP address (RFC 6066 §3 allows host names only). Decided once, in `src/net`.
   */
  sni: string | undefined;
  /** ALPN protocols the client offers. */
  alpnProtocols?: string[];
}

/** What the adapter needs to open a TCP (or TLS) listener. Arguments are already checked. */
export interface TcpListenRequest {
  /** An IP address (names are resolved before they get here, the same way on every runtime). */
  hostname: string;
  port: number;
  tls?: TlsServerConfig;
  reusePort?: boolean;
  /**
   * Called for a connection the runtime reported as failed before it could be accepted
   * (Deno's accept() rejects with ConnectionAborted for a peer that already reset); such
   * a connection is not returned by `accept()`.
   */
  onDropped(cause: unknown): void;
}

/** What the adapter needs to open a TCP (or TLS) connection. Arguments are already checked. */
export interface TcpConnectRequest {
  hostname: string;
  port: number;
  tls?: TlsClientConfig;
  /** Aborts the attempt: the adapter closes the half-open socket and rejects with the reason. */
  signal: AbortSignal;
  /**
   * Called once the TCP connection is made, before a TLS handshake starts, so that a
   * caller can time the two apart (`anynet tcping --tls`).
   */
  onConnected?(): void;
  /**
   * The caller will ask for the server's certificate (`anynet tcping --tls`): a runtime
   * whose own TLS client does not expose it connects through one that does (Deno: its
   * node:tls, since `Deno.TlsConn` has no accessor for it).
   */
  wantsPeerCertificate?: boolean;
}

/** Turns a runtime's error into the error callers see; `op` says what failed. */
export type ErrorMapper = (error: unknown, op: "read" | "write" | "closeWrite") => unknown;

/**
 * The TLS handshake of a server-side connection, still going on when `accept()` returned
 * it: the connection counts as accepted from the TCP accept on, so that limits on
 * connections and idle time apply to handshakes too.
 */
export interface TlsHandshake {
  /** Resolves once the handshake is over, done or failed (a failure reaches read() and write()). Never rejects. */
  readonly done: Promise<void>;
  /** Ends the handshake and the connection now; pending and later reads and writes reject with `reason`. */
  abort(reason: unknown): void;
}

/** A connected stream socket (TCP or TLS over TCP). */
export interface StreamSocket {
  readonly localAddr: ReportedAddr;
  readonly remoteAddr: ReportedAddr;
  /** A server-side TLS socket's handshake until it is over; absent for plain TCP and for client sockets. */
  readonly handshake?: TlsHandshake;
  /** The ALPN protocol agreed on, or `null` (plain TCP, or none agreed). */
  alpnProtocol(): string | null;
  /**
   * The DER bytes of the certificate the server presented, on a client TLS socket; absent
   * where the runtime does not expose it (a Deno `TlsConn`: see `wantsPeerCertificate`).
   */
  peerCertificate?(): Uint8Array | undefined;
  /**
   * Sets how failures of read, write and closeWrite are reported: the adapter passes the
   * runtime's error through `map` and rejects with the result. Set once, right after
   * the socket is made, so the hot path needs no extra promise to translate errors.
   */
  mapErrors(map: ErrorMapper): void;
  /**
   * The next chunk the peer sent (owned by the caller), or `null` once the peer has
   * closed its side. While nobody reads, the adapter stops reading from the kernel
   * after a bounded amount, so the peer feels TCP backpressure.
   */
  read(): Promise<Uint8Array | null>;
  /**
   * Like read(), but into the caller's buffer: the number of bytes placed at its
   * start, or `null` at the end. Lets a loop reuse one buffer instead of allocating
   * a chunk per read (Deno reads straight into it).
   */
  readInto(buffer: Uint8Array): Promise<number | null>;
  /**
   * Whether `readInto()` is the cheaper way to read: true where the runtime reads into
   * a caller's buffer (Deno), false where `read()` hands out the chunks the runtime
   * allocated anyway and `readInto()` would add a copy (Node, Bun).
   */
  readonly prefersReadInto: boolean;
  /** Settles once every byte of `data` has been handed to the operating system. */
  write(data: Uint8Array): Promise<void>;
  /**
   * Optional: sends everything the peer sends straight back, from the runtime's own
   * events (no promise per chunk). Reading stops while echoed bytes wait for the peer
   * to read them, so memory stays bounded. Bytes already waiting for `read()` are
   * echoed first. Adapters without it get the read/write loop of `Connection.echoBack()`.
   * Not combined with `read()` on the same socket. `onProgress` gets each chunk's size
   * as it is handed back for sending.
   */
  echo?(onProgress: (echoedBytes: number) => void): EchoSession;
  /** Sends FIN after the pending writes; reading goes on. */
  closeWrite(): Promise<void>;
  /**
   * Closes both directions at once; pending reads settle with `null`. Idempotent. Also
   * during a TLS handshake: the socket is released, not left to finish it.
   */
  close(): void;
  /** Aborts the connection with a reset (RST) where the runtime can. */
  reset(): void;
  setNoDelay(noDelay: boolean): void;
  setKeepAlive(enable: boolean, initialDelayMs: number): void;
}

/** A running echo of a connection's bytes back to its peer (see `StreamSocket.echo`). */
export interface EchoSession {
  /**
   * Settles once the peer has half-closed and every byte read was handed back to the
   * runtime for sending, once `stop()` took effect, or once the socket was closed;
   * rejects (with the mapped error) when the socket fails. It does not close or
   * half-close the socket.
   */
  readonly done: Promise<void>;
  /** Stops reading; `done` settles once what was read has been handed back for sending. */
  stop(): void;
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
  /** Resolves a hostname to one IP address, IPv4 first, or of the one `family` asked for. */
  resolve(hostname: string, family?: 4 | 6): Promise<string>;
  /** Which UDP implementation this runtime uses, for the docs and `--help`. */
  readonly udpImplementation: string;
  /**
   * Why listeners cannot share a port here (`reusePort`, Linux `SO_REUSEPORT`), in one
   * line naming the fix, or undefined when they can.
   */
  reusePortProblem(): string | undefined;
}
