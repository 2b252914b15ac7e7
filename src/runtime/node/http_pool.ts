/**
 * The HTTP client's connections on Node: keep-alive HTTP/1.1 connections on `node:net` and
 * `node:tls`, pooled per origin and set of trusted CAs. A connection carries one exchange
 * at a time (no pipelining); it goes back to its pool when the response has been read off
 * the wire to its end, and is closed instead after `Connection: close`, a body delimited by
 * the connection's end, bytes the response did not account for, or a request cut short.
 *
 * Limits: at most {@linkcode MAX_SOCKETS_PER_ORIGIN} connections per pool (more requests
 * wait for one); a connection idle for {@linkcode IDLE_MS} is closed (a second before the
 * server's `Keep-Alive: timeout` when that is sooner). An idle connection is unreferenced,
 * so it never keeps the process alive; one waiting for its response does.
 *
 * TLS verification cannot be switched off, not even by NODE_TLS_REJECT_UNAUTHORIZED.
 *
 * To change the pool's limits, edit the constants; to change how a connection is opened
 * (TLS options), edit `openSocket()`.
 *
 * @module
 */
import type { Socket } from "node:net";
import { globalProcess } from "../_shared/global_process.ts";
import type { SecureContext, TLSSocket } from "node:tls";
import type { ProxyRoute } from "../http_types.ts";
import { type HttpParseError, type ResponseHead, ResponseParser } from "./h1_parser.ts";
import { openTunnel } from "./http_tunnel.ts";
import { nodeTls } from "../_shared/node_tls.ts";
import type { TransportTimings } from "../http_types.ts";

const process = globalProcess();

/** The most connections one origin gets from one pool; further requests wait for a free one. */
export const MAX_SOCKETS_PER_ORIGIN = 256;

/** How long a connection may stay idle in the pool before it is closed, in ms (undici's default). */
export const IDLE_MS = 4000;

// Loaded on the first connection (node:tls through node_tls.ts, which keeps it).
const builtin = process.getBuiltinModule;
let net: typeof import("node:net") | undefined;

/** Where a request goes. */
export interface Origin {
  secure: boolean;
  /** Host name or address (an IPv6 address without its brackets). */
  hostname: string;
  port: number;
}

/** One request and its response, as a connection drives it. */
export interface Exchange {
  /** The method, which decides whether the response has a body (HEAD). */
  readonly method: string;
  /**
   * Whether the request may be sent again on another connection: idempotent, its body
   * (if any) still at hand, and not ended by the client.
   */
  readonly mayResend: boolean;
  /** The connection is this exchange's: write the request now. */
  start(connection: Connection): void;
  /** The response's head is in. */
  head(head: ResponseHead): void;
  /** Some of the response's body. */
  body(chunk: Buffer): void;
  /** The response has been read to its end; the connection is no longer the exchange's. */
  end(): void;
  /** The connection failed (before or after the head); it is no longer the exchange's. */
  fail(error: Error, afterHead: boolean): void;
}

/** Why a connection ended before its response did, when the socket gave no error of its own. */
function hangUp(): Error {
  return Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
}

/** One connection and the exchange it carries, if any. */
export class Connection {
  readonly socket: Socket;
  readonly #pool: OriginPool;
  readonly #parser: ResponseParser;
  #exchange: Exchange | undefined;
  #reusable: boolean;
  /** How long this connection may stay idle, from the server's Keep-Alive header. */
  idleMs: number;
  /** When it last went idle (Date.now()). */
  idleSince: number;
  #headSeen: boolean;
  /** How many exchanges this connection has carried, the current one included. */
  #runs: number;
  /** Whether any byte of the current exchange's response has come in. */
  #answered: boolean;
  /** When this new connection's lookup, connect and handshake ended: its first exchange's to take. */
  #phases: TransportTimings | undefined;

  constructor(pool: OriginPool, socket: Socket) {
    this.socket = socket;
    this.#pool = pool;
    this.#exchange = undefined;
    this.#reusable = true;
    this.idleMs = IDLE_MS;
    this.idleSince = 0;
    this.#headSeen = false;
    this.#runs = 0;
    this.#answered = false;
    const phases: TransportTimings = {};
    this.#phases = phases;
    socket.once("lookup", () => (phases.dns = performance.now()));
    socket.once("connect", () => (phases.connect = performance.now()));
    socket.once("secureConnect", () => (phases.tls = performance.now()));
    this.#parser = new ResponseParser({
      head: (head) => {
        this.#headSeen = true;
        if (head.close) this.#reusable = false;
        if (head.keepAliveMs !== undefined) {
          // A second before the server would close it: not worth the race otherwise.
          this.idleMs = Math.min(IDLE_MS, head.keepAliveMs - 1000);
          if (this.idleMs <= 0) this.#reusable = false;
        }
        this.#exchange?.head(head);
      },
      body: (chunk) => this.#exchange?.body(chunk),
    });
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", (error: Error) => this.#fail(error));
    socket.on("close", () => this.#onClose());
  }

  /** Whether the connection can carry another request. */
  get usable(): boolean {
    return this.#reusable && !this.socket.destroyed && this.socket.writable && !this.socket.readableEnded;
  }

  /** Starts `exchange` on this connection. */
  run(exchange: Exchange): void {
    this.#exchange = exchange;
    this.#headSeen = false;
    this.#runs++;
    this.#answered = false;
    this.#parser.expect(exchange.method);
    this.socket.ref();
    exchange.start(this);
  }

  /**
   * The timings of this connection's phases for its first exchange (filled in as they
   * end); undefined for a reused connection, which had none of them.
   */
  takePhases(): TransportTimings | undefined {
    const phases = this.#phases;
    this.#phases = undefined;
    return phases;
  }

  /** This connection must not carry another request (its request was cut short, say). */
  noReuse(): void {
    this.#reusable = false;
  }

  /** Closes the connection; its exchange, if any, is told with `error` (or not at all). */
  destroy(error?: Error): void {
    this.#reusable = false;
    if (error !== undefined) this.#fail(error);
    else {
      this.#exchange = undefined;
      this.socket.destroy();
    }
  }

  #onData(chunk: Buffer): void {
    this.#answered = true;
    const exchange = this.#exchange;
    if (exchange === undefined) {
      // Bytes no request asked for: the connection is out of step with the server.
      this.destroy();
      return;
    }
    let end: number;
    try {
      end = this.#parser.feed(chunk);
    } catch (error) {
      this.#fail(error as HttpParseError);
      return;
    }
    // An exchange that ended meanwhile (aborted from a body callback) has let go already.
    if (end < 0 || this.#exchange !== exchange) return;
    if (end < chunk.length) this.#reusable = false;
    this.#exchange = undefined;
    exchange.end();
    this.#pool.release(this);
  }

  #onClose(): void {
    this.#pool.forget(this);
    const exchange = this.#exchange;
    if (exchange === undefined) return;
    if (this.#parser.endsAtClose) {
      // A body without a length ends with the connection: that is its end.
      this.#exchange = undefined;
      exchange.end();
      return;
    }
    this.#fail(hangUp());
  }

  #fail(error: Error): void {
    this.#reusable = false;
    const exchange = this.#exchange;
    this.#exchange = undefined;
    this.socket.destroy();
    if (exchange === undefined) return;
    // A kept-alive connection that the server closed as it was being reused (some servers
    // and proxies close without saying "Connection: close"): the request got no answer at
    // all, so it is sent once more on a new connection, as RFC 9112 (9.3.1) allows for a
    // request that is safe to repeat. A new connection that fails is a failure.
    if (this.#runs > 1 && !this.#answered && exchange.mayResend) {
      this.#pool.resend(exchange);
      return;
    }
    exchange.fail(error, this.#headSeen);
  }
}

/**
 * The connections to one origin through one TLS context and proxy. Through a proxy, an
 * http origin's connections go to the proxy, and an https origin's are CONNECT tunnels
 * (http_tunnel.ts), opened before an exchange can start on them.
 */
class OriginPool {
  readonly #origin: Origin;
  readonly #secureContext: SecureContext | undefined;
  readonly #key: string;
  readonly #proxy: ProxyRoute | undefined;
  /** Proxy connections whose tunnel is being opened. */
  readonly #opening: Set<Socket>;
  /** Idle connections, the most recently used last. */
  readonly #idle: Connection[];
  readonly #all: Set<Connection>;
  readonly #waiting: Exchange[];
  #sweep: ReturnType<typeof setTimeout> | undefined;
  /** When the sweep timer fires (Date.now() time). */
  #sweepAt: number;
  /** The last TLS session, to resume it on the next connection. */
  #session: Buffer | undefined;

  constructor(origin: Origin, secureContext: SecureContext | undefined, key: string, proxy: ProxyRoute | undefined) {
    this.#origin = origin;
    this.#secureContext = secureContext;
    this.#key = key;
    this.#proxy = proxy;
    this.#opening = new Set();
    this.#idle = [];
    this.#all = new Set();
    this.#waiting = [];
    this.#sweep = undefined;
    this.#sweepAt = 0;
    this.#session = undefined;
  }

  /** Runs `exchange` on an idle connection, a new one, or the next one free. */
  send(exchange: Exchange): void {
    for (let connection = this.#idle.pop(); connection !== undefined; connection = this.#idle.pop()) {
      if (connection.usable) return connection.run(exchange);
      connection.destroy();
    }
    if (this.#all.size + this.#opening.size < MAX_SOCKETS_PER_ORIGIN) {
      if (this.#proxy !== undefined && this.#origin.secure) return this.#openTunnel(exchange);
      const connection = new Connection(this, this.#openSocket());
      this.#all.add(connection);
      return connection.run(exchange);
    }
    this.#waiting.push(exchange);
  }

  /** Sends again an exchange whose reused connection closed before any answer. */
  resend(exchange: Exchange): void {
    // The pool may have left the table when that connection closed: the table's pool for
    // the same key takes it, or this one goes back in.
    let pool = pools.get(this.#key);
    if (pool === undefined) pools.set(this.#key, pool = this);
    pool.send(exchange);
  }

  /** Takes back `exchange` if it is still waiting for a connection; whether it was. */
  withdraw(exchange: Exchange): boolean {
    const at = this.#waiting.indexOf(exchange);
    if (at < 0) return false;
    this.#waiting.splice(at, 1);
    // A tunnel nobody waits for any more must not keep the process alive.
    if (this.#waiting.length === 0) { for (const raw of this.#opening) raw.unref(); }
    return true;
  }

  /**
   * Opens a tunnel through the proxy for the next waiting exchange (`exchange` waits
   * meanwhile); a tunnel the proxy refuses fails the first one waiting.
   */
  #openTunnel(exchange: Exchange): void {
    const proxy = this.#proxy!;
    net ??= builtin("node:net");
    const raw = net.connect({ host: proxy.hostname, port: proxy.port, noDelay: true });
    this.#opening.add(raw);
    this.#waiting.push(exchange);
    const { hostname, port } = this.#origin;
    const authority = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
    // `host` as well: Node checks the certificate against it (not the proxy's, not "localhost").
    openTunnel(raw, proxy, authority, (socket) => this.#startTls({ socket, host: hostname })).then(
      (socket) => {
        this.#opening.delete(raw);
        const connection = new Connection(this, socket);
        this.#all.add(connection);
        socket.ref();
        this.release(connection);
      },
      (error: Error) => {
        this.#opening.delete(raw);
        this.#waiting.shift()?.fail(error, false);
        this.#dropIfUnused();
      },
    );
  }

  #openSocket(): Socket {
    const { secure, hostname, port } = this.#origin;
    if (!secure) {
      net ??= builtin("node:net");
      // Through a proxy, http requests go to the proxy (their request line names the URL).
      const to = this.#proxy ?? { hostname, port };
      return net.connect({ host: to.hostname, port: to.port, noDelay: true });
    }
    return this.#startTls({ host: hostname, port });
  }

  /** TLS to the origin, over a new connection (`host`, `port`) or a tunnel (`socket`). */
  #startTls(where: { host: string; port: number } | { socket: Socket; host: string }): TLSSocket {
    const hostname = this.#origin.hostname;
    net ??= builtin("node:net");
    const socket: TLSSocket = nodeTls().connect({
      ...where,
      // SNI names a host, never an address; the certificate is checked against it.
      servername: net.isIP(hostname) === 0 ? hostname : undefined,
      secureContext: this.#secureContext,
      rejectUnauthorized: true,
      session: this.#session,
      ALPNProtocols: ["http/1.1"],
    });
    socket.setNoDelay(true);
    socket.on("session", (session: Buffer) => (this.#session = session));
    return socket;
  }

  /** Takes back a connection whose exchange has ended. */
  release(connection: Connection): void {
    if (!connection.usable) {
      connection.destroy();
      return;
    }
    // A body read through a stream may have paused the socket on its last chunk: the next
    // exchange (or the idle watch for the server's close) must read again.
    connection.socket.resume();
    const next = this.#waiting.shift();
    if (next !== undefined) return connection.run(next);
    connection.idleSince = Date.now();
    connection.socket.unref();
    this.#idle.push(connection);
    // One timer per pool, set for the first connection due to close (a server may announce
    // a shorter Keep-Alive timeout than before); under steady use it is rarely moved.
    const due = connection.idleSince + connection.idleMs;
    if (this.#sweep === undefined || due < this.#sweepAt) {
      if (this.#sweep !== undefined) clearTimeout(this.#sweep);
      this.#sweepAt = due;
      this.#sweep = setTimeout(() => this.#closeIdle(), connection.idleMs).unref();
    }
  }

  /** Closes the connections idle for too long; comes back for the others. */
  #closeIdle(): void {
    this.#sweep = undefined;
    const now = Date.now();
    let next = Infinity;
    for (const connection of [...this.#idle]) {
      const left = connection.idleSince + connection.idleMs - now;
      if (left <= 0) connection.destroy();
      else next = Math.min(next, left);
    }
    if (next !== Infinity) {
      this.#sweepAt = now + next;
      this.#sweep = setTimeout(() => this.#closeIdle(), next).unref();
    }
  }

  /** A connection has closed: it leaves the pool, and a waiting request may open another. */
  forget(connection: Connection): void {
    if (!this.#all.delete(connection)) return;
    const at = this.#idle.indexOf(connection);
    if (at >= 0) this.#idle.splice(at, 1);
    const next = this.#waiting.shift();
    if (next !== undefined) this.send(next);
    this.#dropIfUnused();
  }

  /** Leaves the pool table once nothing is open, opening or waiting. */
  #dropIfUnused(): void {
    if (this.#all.size === 0 && this.#waiting.length === 0 && this.#opening.size === 0) {
      if (this.#sweep !== undefined) clearTimeout(this.#sweep);
      this.#sweep = undefined;
      pools.delete(this.#key);
    }
  }
}

const pools = new Map<string, OriginPool>();
const secureContexts = new Map<string, SecureContext>();

/**
 * Whether `ca` adds to the runtime's own roots rather than replacing them: false on Node,
 * whose `ca` replaces them, so that the system's are listed with it; true on Deno's
 * `node:tls`, whose `ca` adds to its roots and whose list of them would need
 * `--allow-sys=ca` (Deno would ask its user for it).
 */
let caAddsToRoots = false;

/** Tells the pools that `ca` adds to the runtime's roots (Deno's `node:tls`): see `caAddsToRoots`. */
export function caCertsAddToRoots(): void {
  caAddsToRoots = true;
}

/** A TLS context trusting the system's CAs and `caCerts`; built once per set. */
function secureContextFor(caCerts: readonly string[], key: string): SecureContext {
  let context = secureContexts.get(key);
  if (context === undefined) {
    const tls = nodeTls();
    context = tls.createSecureContext({ ca: caAddsToRoots ? [...caCerts] : [...tls.rootCertificates, ...caCerts] });
    // Bounded: a program that makes up new CA sets builds an old one again now and then.
    if (secureContexts.size >= 16) secureContexts.delete(secureContexts.keys().next().value!);
    secureContexts.set(key, context);
  }
  return context;
}

/** Sends `exchange` to `origin` through the pool for it, `caCerts` and `proxy`; returns that pool's key. */
export function sendThroughPool(
  origin: Origin,
  caCerts: readonly string[] | undefined,
  exchange: Exchange,
  proxy?: ProxyRoute,
): string {
  const caKey = origin.secure && caCerts !== undefined ? caCerts.join("\n") : "";
  let key = `${origin.secure ? "https" : "http"}://${origin.hostname}:${origin.port}\n${caKey}`;
  if (proxy !== undefined) key += `\n${proxy.origin}\n${proxy.authorization ?? ""}`;
  let pool = pools.get(key);
  if (pool === undefined) {
    const context = caKey === "" ? undefined : secureContextFor(caCerts!, caKey);
    pool = new OriginPool(origin, context, key, proxy);
    pools.set(key, pool);
  }
  pool.send(exchange);
  return key;
}

/** Takes back an exchange still waiting for a connection in the pool named `key`. */
export function withdrawFromPool(key: string, exchange: Exchange): boolean {
  return pools.get(key)?.withdraw(exchange) ?? false;
}
