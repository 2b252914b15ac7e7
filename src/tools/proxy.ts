/// <reference lib="esnext.disposable" preserve="true" />
import {
  checkChoice,
  checkDelayMs,
  checkDelayMsOrOff,
  checkHostname,
  checkIntegerRange,
  checkOptionsObject,
  checkPort,
  checkSignal,
} from "../_argument_checks.ts";
import {
  connect,
  type Connection,
  ConnectionResetError,
  formatAddr,
  listen,
  type Listener,
  type NetAddr,
  NetError,
} from "../net/mod.ts";
import { Activity, idleSweepInterval } from "../_idle.ts";
import { ABANDON_AFTER_MS, safeEventCallback, Service } from "../_service.ts";
import { sleep } from "../_sleep.ts";
import { Balancer, type ProxyStrategy } from "./proxy_balancer.ts";
import {
  type ConnectTimeStats,
  MAX_BACKEND_WEIGHT,
  newConnectTime,
  parseBackend,
  recordConnectTime,
  type WeightedAddr,
} from "./proxy_backend.ts";
import { BackendHealth, type BackendState, type HealthChange } from "./proxy_health.ts";
import { proxyProtocolHeader, proxyProtocolLocalHeader, type ProxyProtocolVersion } from "./proxy_protocol.ts";
import { pipeConnections } from "./proxy_pipe.ts";
import { reachesListener } from "./proxy_loop.ts";
import { DEFAULT_IDLE_TIMEOUT_MS, MAX_PROXY_CONNECTIONS } from "./proxy_limits.ts";

export type { ProxyStrategy } from "./proxy_balancer.ts";
export type { ConnectTimeStats, WeightedAddr } from "./proxy_backend.ts";
export type { BackendState } from "./proxy_health.ts";
export type { ProxyProtocolVersion } from "./proxy_protocol.ts";

/** The strategies a proxy balances with, in the order its error message lists them. */
const STRATEGIES: readonly ProxyStrategy[] = ["round-robin", "least-connections"];

/** The PROXY protocol versions, in the order the error message lists them. */
const PROXY_PROTOCOL_VERSIONS: readonly ProxyProtocolVersion[] = ["v1", "v2"];

/** The most failures in a row a `maxFails`, `rise` or `fall` count may ask for. */
const MAX_IN_A_ROW = 1000;

/** Options of {@linkcode startProxy}. */
export interface ProxyOptions {
  /** Address to listen on. @default "127.0.0.1" */
  hostname?: string;
  /** Port to listen on; 0 picks a free one (read it from `proxy.addr`). */
  port: number;
  /** Share the port with other listeners (see `ListenOptions.reusePort` in anynet/net). @default false */
  reusePort?: boolean;
  /**
   * The servers to spread connections over: addresses (with an optional `weight`), or
   * `"HOST:PORT"` / `"HOST:PORT@WEIGHT"` texts. At least one. A backend of weight 3 gets
   * three connections for each one a backend of weight 1 gets, interleaved.
   */
  backends: readonly (WeightedAddr | string)[];
  /** How to pick a backend for a new connection. @default "round-robin" */
  strategy?: ProxyStrategy;
  /** Milliseconds between background health checks (a TCP connect to each backend). @default 2000 */
  healthInterval?: number;
  /**
   * Client connection attempts that must fail in a row (refused, timed out) for a backend
   * to be taken out of service until health checks bring it back. @default 1
   */
  maxFails?: number;
  /** Health checks that must fail in a row to take a backend out of service (HAProxy's `fall`). @default 3 */
  fall?: number;
  /** Health checks that must pass in a row to bring a backend back into service (HAProxy's `rise`). @default 2 */
  rise?: number;
  /**
   * Milliseconds over which a backend that came back ramps from a small share of its
   * weight to the full weight; 0 gives it the full weight at once. @default 0
   */
  slowStart?: number;
  /**
   * Write a PROXY protocol header (HAProxy's spec, `"v1"` text or `"v2"` binary) to each
   * backend connection before any byte of the client's, so the backend sees the client's
   * address. @default none
   */
  sendProxy?: ProxyProtocolVersion;
  /** Milliseconds a connection attempt to a backend may take, for clients and health checks alike. @default 3000 */
  connectTimeout?: number;
  /** Milliseconds `close()` lets open connections finish before it resets them. @default 10000 */
  drainTimeout?: number;
  /**
   * Milliseconds a session may pass no byte in either direction before the proxy closes
   * both its connections (client and backend); 0 turns the limit off. A session busy in
   * one direction only (a long download) is not idle. @default 300000 (5 minutes)
   */
  idleTimeout?: number;
  /**
   * Client sessions open at once. A client beyond it is closed as soon as it is accepted,
   * without a backend connection, and counted as `refused`. @default no limit
   */
  maxConnections?: number;
  /** Drains and stops the proxy when aborted, as `close()` does. */
  signal?: AbortSignal;
  /**
   * Called on backend state changes, connection failures, idle sessions closed and clients
   * refused (for logging). Exceptions it throws are ignored.
   */
  onEvent?: (event: ProxyEvent) => void;
}

/**
 * Something worth logging that happened in the proxy. Clients and backends are named
 * `HOST:PORT`. A client that reset its connection before the proxy could read its
 * address is gone before it is served and is no event, nor is an accept that failed
 * because its client gave up.
 */
export type ProxyEvent =
  | { type: "backend-down"; backend: string; reason: string }
  | { type: "backend-up"; backend: string; slowStart: number }
  | { type: "no-backend"; client: string; reason: string }
  | { type: "connection-error"; client: string; backend: string; error: unknown }
  | { type: "idle"; client: string; backend: string; idleTimeout: number }
  | { type: "refuse"; client: string; reason: string }
  | { type: "accept-error"; error: unknown }
  /** The proxy stopped accepting; `open` sessions get up to `drainTimeout` ms to finish. */
  | { type: "draining"; open: number; drainTimeout: number }
  /** `reset` sessions were still open when the drain timeout passed, and were reset. */
  | { type: "drain-timeout"; reset: number; drainTimeout: number }
  /** `sessions` had not ended `after` ms after that reset: the proxy stopped without them. */
  | { type: "abandoned"; sessions: number; after: number };

/** Counters of one backend. */
export interface ProxyBackendStats {
  /** `HOST:PORT`. */
  backend: string;
  /** Whether it is in service (`state` is not `"down"`). */
  healthy: boolean;
  /** In service (`up`), ramping up after coming back (`slow-start`), or out of service (`down`). */
  state: BackendState;
  /** Its configured weight. */
  weight: number;
  /** The weight it has now: less while slowly starting, 0 while down. */
  effectiveWeight: number;
  /** Client connections sent to it so far (including the open ones). */
  connections: number;
  /** Connections open through it now. */
  active: number;
  /** Connection attempts (for clients) it refused or did not answer in time. */
  connectFailures: number;
  /** Connections through it that ended in a reset or another failure rather than cleanly. */
  brokenConnections: number;
  /** Bytes sent from clients to it. */
  bytesUp: number;
  /** Bytes sent from it to clients. */
  bytesDown: number;
  /** How long its connections took to open. */
  connectTime: ConnectTimeStats;
}

/** Counters of the whole proxy. */
export interface ProxyStats {
  /** `HOST:PORT` listened on. */
  listen: string;
  /** The strategy in use. */
  strategy: ProxyStrategy;
  /** Clients taken on: joined to a backend, or turned away for lack of one (`refused` ones are not counted here). */
  accepted: number;
  /** Client connections open now. */
  active: number;
  /** Clients turned away because no backend could be reached. */
  rejected: number;
  /** Clients closed as soon as they were accepted because `maxConnections` sessions were open. */
  refused: number;
  /** Sessions closed (both sides) because no byte passed either way for `idleTimeout`. */
  idleClosed: number;
  /** Per backend, in the order given. */
  backends: ProxyBackendStats[];
}

/** A running proxy. */
export interface ProxyServer extends AsyncDisposable {
  /** The address listened on, with the real port. */
  readonly addr: NetAddr;
  /** The counters now. */
  stats(): ProxyStats;
  /** Settles with the final counters once the proxy has stopped and every connection is finished. */
  readonly finished: Promise<ProxyStats>;
  /**
   * Drains: stops accepting, lets open connections finish (up to `drainTimeout`, then
   * resets them) and stops the health checks.
   * @returns The `finished` promise.
   */
  close(): Promise<ProxyStats>;
}

/** Counters of a backend that only grow or go up and down with its connections. */
type BackendCounters = Omit<ProxyBackendStats, "healthy" | "state" | "weight" | "effectiveWeight">;

/** A backend: its address, its state and the counters `stats()` reports for it. */
interface Backend {
  addr: NetAddr;
  weight: number;
  health: BackendHealth;
  counters: BackendCounters;
  /** Its weight now, for the balancer. */
  readonly currentWeight: number;
  readonly active: number;
}

interface Session {
  client: Connection;
  /** `HOST:PORT` of the client. */
  clientName: string;
  backend?: Connection;
  /** `HOST:PORT` of the backend once one is chosen. */
  backendName?: string;
  /** Set once the backend is connected: the idle limit applies from then on. */
  activity?: Activity;
  /** Closed by the idle limit: how its pipe ended is not a failure. */
  closedIdle?: boolean;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}

/**
 * Starts a TCP load balancer: each accepted connection is joined to one of the backends
 * in service, chosen by smooth weighted round robin or by fewest open connections per
 * unit of weight. A backend that refuses makes the connection try the next one (nothing
 * has been read from the client yet, so nothing is lost) and, after `maxFails` failures
 * in a row, is taken out of service; background health checks (a TCP connect; `fall`
 * failures in a row take a backend out, `rise` passes bring it back) return it, with a
 * `slowStart` ramp of its weight when asked. With `sendProxy`, each backend connection
 * starts with a PROXY protocol header carrying the client's address. When every backend
 * is out of service, clients are closed at once.
 *
 * Bytes pass unchanged and in order; a half-close is passed on in both directions; a
 * slow reader slows its writer (no unbounded buffering); a reset on one side resets
 * the other (on Deno, whose connections cannot send a reset, closes it: its peer sees
 * an early end of stream).
 *
 * A session with no byte either way for `idleTimeout` (5 minutes unless told) is closed
 * on both sides; with `maxConnections`, a client beyond the limit is closed as soon as
 * it is accepted, before any backend is asked.
 *
 * @param options Where to listen and the backends; see {@linkcode ProxyOptions}.
 * @returns The running proxy.
 * @throws {TypeError | RangeError} For bad options, before any I/O.
 * @throws {NetError} When it cannot listen (`AddressInUseError` …).
 * @example Balance two echo servers
 * ```ts
 * import { serveEcho, echo } from "anynet/echo";
 * import { startProxy } from "anynet/tools";
 * // `await using`: native on Deno, Bun, Node 24+; on Node 22 call close() in finally, or compile with tsc.
 * await using a = await serveEcho({ port: 0 });
 * await using b = await serveEcho({ port: 0 });
 * await using proxy = await startProxy({ port: 0, backends: [a.addr, b.addr] });
 * console.assert(await echo("hi", { port: proxy.addr.port }) === "hi");
 * console.log(proxy.stats().backends.map((s) => s.connections));
 * ```
 */
export async function startProxy(options: ProxyOptions): Promise<ProxyServer> {
  const action = "start proxy";
  checkOptionsObject(action, options, [
    "hostname",
    "port",
    "reusePort",
    "backends",
    "strategy",
    "healthInterval",
    "maxFails",
    "fall",
    "rise",
    "slowStart",
    "sendProxy",
    "connectTimeout",
    "drainTimeout",
    "idleTimeout",
    "maxConnections",
    "signal",
    "onEvent",
  ]);
  const hostname = checkHostname(action, options.hostname ?? "127.0.0.1");
  const port = checkPort(action, options.port, 0);
  const strategy = checkChoice(action, "strategy", options.strategy ?? "round-robin", STRATEGIES);
  const healthInterval = checkDelayMs(action, "healthInterval", options.healthInterval ?? 2000);
  const connectTimeout = checkDelayMs(action, "connectTimeout", options.connectTimeout ?? 3000);
  const drainTimeout = checkDelayMs(action, "drainTimeout", options.drainTimeout ?? 10000);
  const idleTimeout = checkDelayMsOrOff(action, "idleTimeout", options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_MS);
  const maxConnections = options.maxConnections === undefined
    ? undefined
    : checkIntegerRange(action, "maxConnections", options.maxConnections, 1, MAX_PROXY_CONNECTIONS);
  if (!Array.isArray(options.backends) || options.backends.length === 0) {
    throw new TypeError(`Cannot ${action}: 'backends' must be a non-empty array of addresses`);
  }
  const rules = {
    maxFails: checkIntegerRange(action, "maxFails", options.maxFails ?? 1, 1, MAX_IN_A_ROW),
    fall: checkIntegerRange(action, "fall", options.fall ?? 3, 1, MAX_IN_A_ROW),
    rise: checkIntegerRange(action, "rise", options.rise ?? 2, 1, MAX_IN_A_ROW),
    slowStart: checkDelayMsOrOff(action, "slowStart", options.slowStart ?? 0),
  };
  const sendProxy = options.sendProxy === undefined
    ? undefined
    : checkChoice(action, "sendProxy", options.sendProxy, PROXY_PROTOCOL_VERSIONS);
  const backends: Backend[] = options.backends.map((b, i) => {
    let addr: NetAddr, weight: number;
    if (typeof b === "string") {
      try {
        ({ weight, ...addr } = parseBackend(b));
      } catch (error) {
        throw new TypeError(`Cannot ${action}: backends[${i}]: ${(error as Error).message}`);
      }
    } else {
      if (typeof b !== "object" || b === null) {
        throw new TypeError(`Cannot ${action}: backends[${i}] must be an address`);
      }
      addr = { hostname: checkHostname(action, b.hostname ?? "127.0.0.1"), port: checkPort(action, b.port, 1) };
      weight = checkIntegerRange(action, `backends[${i}].weight`, b.weight ?? 1, 1, MAX_BACKEND_WEIGHT);
    }
    const health = new BackendHealth(rules);
    const counters: BackendCounters = {
      backend: formatAddr(addr),
      connections: 0,
      active: 0,
      connectFailures: 0,
      brokenConnections: 0,
      bytesUp: 0,
      bytesDown: 0,
      connectTime: newConnectTime(),
    };
    return {
      addr,
      weight,
      health,
      counters,
      get currentWeight() {
        return weight * health.weightShare(Date.now());
      },
      get active() {
        return counters.active;
      },
    };
  });
  const signal = checkSignal(action, options.signal);
  signal?.throwIfAborted();
  const emit = safeEventCallback<ProxyEvent>(options.onEvent);

  const listener: Listener = await listen({ hostname, port, reusePort: options.reusePort === true });
  const listenName = formatAddr(listener.addr);
  const loops = await Promise.all(backends.map((b) => reachesListener(b.addr, listener.addr)));
  const loop = backends.find((_, i) => loops[i]);
  if (loop) {
    listener.close();
    throw new TypeError(
      `Cannot ${action}: backend ${loop.counters.backend} is the proxy's own address ${listenName}: ` +
        "every connection would be passed back to the proxy itself",
    );
  }
  const balancer = new Balancer(backends, strategy);
  const sessions = new Set<Session>();
  let accepted = 0, rejected = 0, refused = 0, idleClosed = 0;

  /** Logs what a piece of evidence changed about a backend. */
  const report = (backend: Backend, change: HealthChange) => {
    if (change?.type === "down") {
      emit({ type: "backend-down", backend: backend.counters.backend, reason: change.reason });
    }
    if (change?.type === "up") {
      emit({ type: "backend-up", backend: backend.counters.backend, slowStart: rules.slowStart });
    }
  };

  const stats = (): ProxyStats => {
    const now = Date.now();
    return {
      listen: listenName,
      strategy,
      accepted,
      active: sessions.size,
      rejected,
      refused,
      idleClosed,
      backends: backends.map(({ weight, health, counters }) => {
        const { backend, ...rest } = structuredClone(counters);
        return {
          backend,
          healthy: health.inService,
          state: health.state(now),
          weight,
          effectiveWeight: weight * health.weightShare(now),
          ...rest,
        };
      }),
    };
  };

  async function handle(session: Session): Promise<void> {
    const { client, clientName } = session;
    client.setNoDelay(true);
    if (backends.every((b) => !b.health.inService)) {
      // As HAProxy and nginx do: no connection attempts to backends known to be down; the
      // health checks bring one back.
      rejected++;
      emit({ type: "no-backend", client: clientName, reason: `every backend is down` });
      client.close();
      return;
    }
    let chosen: Backend | undefined;
    let lastError: unknown;
    // Nothing is read from the client before a backend is connected, so trying the
    // next backend after a refusal cannot lose or reorder a byte.
    for (const backend of balancer.order()) {
      const started = performance.now();
      try {
        session.backend = await connect({ ...backend.addr, timeout: connectTimeout });
        recordConnectTime(backend.counters.connectTime, (performance.now() - started) / 1000);
        session.backendName = backend.counters.backend;
        chosen = backend;
        report(backend, backend.health.connected(Date.now()));
        break;
      } catch (error) {
        if (!(error instanceof NetError)) throw error;
        lastError = error;
        backend.counters.connectFailures++;
        report(backend, backend.health.connectFailed(reason(error)));
      }
    }
    if (!chosen || !session.backend) {
      rejected++;
      emit({ type: "no-backend", client: clientName, reason: reason(lastError) });
      client.close();
      return;
    }
    const counters = chosen.counters;
    counters.connections++;
    counters.active++;
    session.backend.setNoDelay(true);
    const activity = new Activity(Date.now());
    session.activity = activity;
    try {
      // The header goes first, before the pipe reads any byte from the client.
      if (sendProxy) await session.backend.write(proxyProtocolHeader(sendProxy, client.remoteAddr, client.localAddr));
      const result = await pipeConnections(client, session.backend, () => activity.chunks++);
      counters.bytesUp += result.bytesUp;
      counters.bytesDown += result.bytesDown;
      // Closing an idle session can fail a write that was waiting on a peer that does
      // not read: that is the limit at work, not a broken connection.
      if (result.error !== undefined && !session.closedIdle) {
        counters.brokenConnections++;
        emit({ type: "connection-error", client: clientName, backend: counters.backend, error: result.error });
      }
    } finally {
      counters.active--;
    }
  }

  /**
   * The next client, or `null` once the listener is closed (a stop closes it). A failed
   * accept is waited out here: it never ends the proxy.
   */
  const acceptClient = async (): Promise<Connection | null> => {
    for (;;) {
      try {
        return await listener.accept();
      } catch (error) {
        // A client that reset before it was served costs nothing; a pause for it would
        // let a flood of such clients slow down everyone else's accept.
        if (error instanceof ConnectionResetError) continue;
        // Out of file descriptors and the like: log, breathe, go on.
        emit({ type: "accept-error", error });
        await sleep(100, { signal: service.stopSignal, onAbort: "resolve" });
      }
    }
  };

  const serveClient = (client: Connection): Promise<void> | undefined => {
    // A client that reset before its address could be read never gets here: listen()
    // drops it (and counts it), so every log line names a real client.
    if (maxConnections !== undefined && sessions.size >= maxConnections) {
      // Closed before a backend is asked: a flood of clients costs the backends nothing.
      refused++;
      emit({
        type: "refuse",
        client: formatAddr(client.remoteAddr),
        reason: `more than ${maxConnections} connections`,
      });
      client.close();
      return undefined;
    }
    accepted++;
    const session: Session = { client, clientName: formatAddr(client.remoteAddr) };
    sessions.add(session);
    return handle(session).catch((error) => {
      emit({
        type: "connection-error",
        client: session.clientName,
        backend: session.backendName ?? "no backend yet",
        error,
      });
      client.reset();
      session.backend?.reset();
    }).finally(() => {
      sessions.delete(session);
    });
  };

  const service = new Service<Connection>({
    accept: acceptClient,
    serve: serveClient,
    discard: (client) => client.close(),
    onStop: () => {
      listener.close();
      emit({ type: "draining", open: sessions.size, drainTimeout });
    },
    gracePeriod: drainTimeout,
    // Drained or not: what is still open after drainTimeout is reset.
    endRemaining() {
      if (sessions.size > 0) emit({ type: "drain-timeout", reset: sessions.size, drainTimeout });
      for (const session of sessions) {
        session.client.reset();
        session.backend?.reset();
      }
    },
    onAbandoned: (sessions) => emit({ type: "abandoned", sessions, after: ABANDON_AFTER_MS }),
    onFinished: () => clearInterval(idleSweep),
    signal,
  });

  const checking = (async () => {
    // The first round runs at once: a backend down from the start begins its count of
    // failed checks before most clients arrive.
    for (let round = 0; !service.stopping; round++) {
      if (round > 0) await sleep(healthInterval, { signal: service.stopSignal, onAbort: "resolve" });
      if (service.stopping) break;
      await Promise.all(backends.map(async (backend) => {
        try {
          const conn = await connect({
            ...backend.addr,
            timeout: Math.min(connectTimeout, healthInterval),
            signal: service.stopSignal,
          });
          // The check's own header, so that a backend expecting one does not log a broken one.
          if (sendProxy) await conn.write(proxyProtocolLocalHeader(sendProxy)).catch(() => {});
          conn.close();
          report(backend, backend.health.checkPassed(Date.now()));
        } catch (error) {
          // The first round counts like any other: one check can also time out because
          // this process's event loop was held up, and a backend down from the start is
          // taken out by the first client it fails (maxFails), which then tries the next.
          if (!service.stopping) report(backend, backend.health.checkFailed(reason(error)));
        }
      }));
    }
  })();

  const closeIdle = (session: Session) => {
    session.closedIdle = true;
    idleClosed++;
    emit({ type: "idle", client: session.clientName, backend: session.backendName!, idleTimeout });
    // A close, not a reset: a quiet session ends as one that finished. (In a session
    // stalled by a peer that stopped reading, the side still sending meets a reset all
    // the same: the kernel sends one for a socket closed with received bytes unread.)
    session.client.close();
    session.backend?.close();
  };
  // Sessions still waiting for a backend are not looked at: connectTimeout bounds them.
  // The sweep goes on while draining, so idle sessions do not hold up a shutdown.
  const idleSweep = idleTimeout === 0 ? undefined : setInterval(() => {
    const now = Date.now();
    for (const session of sessions) {
      if (!session.closedIdle && session.activity?.quietFor(idleTimeout, now)) closeIdle(session);
    }
  }, idleSweepInterval(idleTimeout));

  const finished = Promise.all([service.finished, checking]).then(() => stats());

  return {
    ...service.handle(finished),
    get addr() {
      return listener.addr;
    },
    stats,
  };
}
