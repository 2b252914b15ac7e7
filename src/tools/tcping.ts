import {
  checkDelayMs,
  checkHostname,
  checkOptionsObject,
  checkPem,
  checkPort,
  checkSignal,
  checkStringList,
  refuse,
} from "../_argument_checks.ts";
import { formatAddr, lookupHost, NetError, TimedOutError, type TlsClientOptions } from "../net/mod.ts";
import { connectMarked } from "../net/connect.ts";
import { isIpAddress } from "../net/_ip.ts";
import { sleep } from "../_sleep.ts";

/** TLS settings of a {@linkcode tcping} with a handshake after each connect. */
export interface TcpingTlsOptions {
  /** Extra PEM CA certificates trusted on top of the system's roots (a private CA). @default [] */
  caCerts?: string[];
  /** The name the certificate must be valid for, sent as SNI. @default the `hostname` probed */
  serverName?: string;
}

/** Options of {@linkcode tcping}. */
export interface TcpingOptions {
  /** Host name or IP address of the service. @default "127.0.0.1" */
  hostname?: string;
  /** TCP port of the service, 1 to 65535. */
  port: number;
  /** How many probes; `Infinity` probes until `signal` aborts. @default 4 */
  count?: number;
  /** Milliseconds from the start of one probe to the start of the next. @default 1000 */
  interval?: number;
  /** Milliseconds a probe waits for the lookup, connection and handshake before it counts as failed. @default 2000 */
  timeout?: number;
  /** Only addresses of this IP family (`4` or `6`); a host without one fails each probe. @default either, IPv4 first */
  family?: 4 | 6;
  /** After each connect, a TLS handshake (certificate and name verified), timed apart. @default plain TCP */
  tls?: boolean | TcpingTlsOptions;
  /** Stops probing; the probe in flight is dropped and the summary covers the finished ones. */
  signal?: AbortSignal;
}

/** Where a failed probe stopped. */
export type TcpingStage = "dns" | "connect" | "tls";

/** The outcome of one connection attempt. */
export interface TcpingProbe {
  /** 1 for the first probe. */
  seq: number;
  /** When the probe started. */
  timestamp: Date;
  /** Whether the connection (and the TLS handshake, with `tls`) was made. */
  ok: boolean;
  /** The IP address probed; absent when the lookup failed. */
  address?: string;
  /** Milliseconds the name lookup took (0 for an IP address, which needs none); absent when it failed. */
  dnsMs?: number;
  /** Milliseconds from the start of the TCP connect until it was made; absent when it was not. */
  connectMs?: number;
  /** Milliseconds of the TLS handshake after the connect (with `tls`); absent when it failed. */
  tlsMs?: number;
  /**
   * The connect time (`connectMs`) of a probe that worked, which the summary is over; for
   * a failed one, the milliseconds from its start until the failure.
   */
  timeMs: number;
  /**
   * The server's certificate (with `tls`): its DER bytes (on Deno the probe's handshake
   * goes through Deno's node:tls for it, as `Deno.TlsConn` does not expose it).
   */
  peerCertificate?: Uint8Array;
  /** Where a failed probe stopped. */
  failedAt?: TcpingStage;
  /** Why it failed: a `NetError` (`ConnectionRefusedError`, `TimedOutError`, `HostNotFoundError` …). */
  error?: NetError;
}

/** Figures over all probes, like ping's last lines. */
export interface TcpingSummary {
  /** `HOST:PORT` probed. */
  target: string;
  /** Probes finished. */
  probes: number;
  /** Probes that connected. */
  ok: number;
  /** Percentage of probes that failed, 0 to 100 (0 when there were no probes). */
  failedPercent: number;
  /** Fastest connect time in milliseconds (`null` when no probe connected); so are the next three. */
  minMs: number | null;
  /** Mean connect time. */
  avgMs: number | null;
  /** Slowest connect time. */
  maxMs: number | null;
  /** Mean deviation as ping computes it: the standard deviation of the connect times. */
  mdevMs: number | null;
}

/**
 * Summarizes probes as ping does (min/avg/max/mdev over the successful ones).
 *
 * @param target The `HOST:PORT` probed, for the summary.
 * @param probes The probes.
 * @returns The summary.
 * @example Two probes
 * ```ts
 * import { summarizeTcping } from "anynet/tools";
 * const s = summarizeTcping("127.0.0.1:80", [{ seq: 1, ok: true, timeMs: 1 }, { seq: 2, ok: true, timeMs: 3 }]);
 * console.assert(s.avgMs === 2 && s.mdevMs === 1);
 * ```
 */
export function summarizeTcping(
  target: string,
  probes: readonly (Pick<TcpingProbe, "ok" | "timeMs"> & Partial<TcpingProbe>)[],
): TcpingSummary {
  const times = probes.filter((p) => p.ok).map((p) => p.timeMs);
  const n = times.length;
  const failedPercent = probes.length === 0 ? 0 : (100 * (probes.length - n)) / probes.length;
  if (n === 0) {
    return { target, probes: probes.length, ok: 0, failedPercent, minMs: null, avgMs: null, maxMs: null, mdevMs: null };
  }
  const avg = times.reduce((a, b) => a + b, 0) / n;
  const meanSquare = times.reduce((a, b) => a + b * b, 0) / n;
  return {
    target,
    probes: probes.length,
    ok: n,
    failedPercent,
    minMs: Math.min(...times),
    avgMs: avg,
    maxMs: Math.max(...times),
    mdevMs: Math.sqrt(Math.max(0, meanSquare - avg * avg)),
  };
}

/**
 * Measures TCP connect times to a service, the way ping measures ICMP round trips
 * (the JavaScript runtimes cannot send ICMP). Each probe looks the name up, opens a
 * connection, with `tls` makes a TLS handshake over it, and closes it at once; the
 * three times are reported apart. The name is looked up again by each probe (ping looks
 * it up once): a probe then shows what a new client meets, a slow or failing resolver
 * and a changed address included.
 *
 * @param options The service and how to probe; see {@linkcode TcpingOptions}.
 * @returns An async generator that yields each probe as it finishes and returns the summary.
 * @throws {TypeError | RangeError} For bad options, before any probe.
 * @example Probe a port three times
 * ```ts
 * import { tcping } from "anynet/tools";
 * const probes = tcping({ hostname: "127.0.0.1", port: 65432, count: 3, interval: 200 });
 * for (let r = await probes.next(); ; r = await probes.next()) {
 *   if (r.done) { console.log(`${r.value.ok}/${r.value.probes} ok`); break; }
 *   console.log(r.value.seq, r.value.ok ? `${r.value.timeMs.toFixed(2)} ms` : r.value.error?.code);
 * }
 * ```
 */
export function tcping(options: TcpingOptions): AsyncGenerator<TcpingProbe, TcpingSummary, void> {
  const action = "tcping";
  checkOptionsObject(action, options, ["hostname", "port", "count", "interval", "timeout", "family", "tls", "signal"]);
  const hostname = checkHostname(action, options.hostname ?? "127.0.0.1");
  const port = checkPort(action, options.port, 1);
  const count = options.count ?? 4;
  if (!(count === Infinity || (Number.isInteger(count) && count >= 1))) {
    refuse(action, `'count' must be a positive integer or Infinity: got ${String(count)}`, RangeError);
  }
  const interval = checkDelayMs(action, "interval", options.interval ?? 1000);
  const timeout = checkDelayMs(action, "timeout", options.timeout ?? 2000);
  const family = options.family;
  if (family !== undefined && family !== 4 && family !== 6) {
    refuse(action, `'family' must be 4 or 6: got ${String(family)}`);
  }
  const tls = tlsOptions(action, options.tls, hostname);
  const signal = checkSignal(action, options.signal);
  const target = formatAddr({ hostname, port });
  return (async function* probe(): AsyncGenerator<TcpingProbe, TcpingSummary, void> {
    const probes: TcpingProbe[] = [];
    for (let seq = 1; seq <= count && !signal?.aborted; seq++) {
      const started = performance.now();
      const result = await probeOnce(seq, { hostname, port, family, tls, timeout, signal });
      if (!result) break; // aborted
      probes.push(result);
      yield result;
      if (seq < count) {
        await sleep(Math.max(0, interval - (performance.now() - started)), { signal, onAbort: "resolve" });
      }
    }
    return summarizeTcping(target, probes);
  })();
}

function tlsOptions(action: string, tls: TcpingOptions["tls"], hostname: string): TlsClientOptions | undefined {
  if (tls === undefined || tls === false) return undefined;
  const t: TcpingTlsOptions = tls === true ? {} : checkOptionsObject(action, tls, ["caCerts", "serverName"], "tls.");
  // Checked here, before any probe, rather than by each probe's connect().
  const caCerts = checkStringList(action, "tls.caCerts", t.caCerts) ?? [];
  caCerts.forEach((pem, i) => checkPem(action, `tls.caCerts[${i}]`, pem));
  return { caCerts, serverName: t.serverName === undefined ? hostname : checkHostname(action, t.serverName) };
}

interface ProbeTarget {
  hostname: string;
  port: number;
  family: 4 | 6 | undefined;
  tls: TlsClientOptions | undefined;
  timeout: number;
  signal: AbortSignal | undefined;
}

/** One probe: lookup, connect, handshake, each timed; `undefined` when `signal` stopped it. */
async function probeOnce(seq: number, t: ProbeTarget): Promise<TcpingProbe | undefined> {
  const timestamp = new Date();
  const started = performance.now();
  const failed = (stage: TcpingStage, error: unknown, known: Partial<TcpingProbe>): TcpingProbe => {
    const netError = error instanceof NetError ? error : new NetError("EUNKNOWN", String(error), { cause: error });
    return {
      seq,
      timestamp,
      ok: false,
      ...known,
      timeMs: performance.now() - started,
      failedAt: stage,
      error: netError,
    };
  };
  let address: string;
  try {
    address = await withinTime(lookupHost(t.hostname, t.family), t.timeout, `look up ${t.hostname}`, t.signal);
  } catch (error) {
    return t.signal?.aborted ? undefined : failed("dns", error, {});
  }
  // An address needs no lookup: 0, not the few microseconds of lookupHost()'s own checks.
  const dnsMs = isIpAddress(t.hostname) ? 0 : performance.now() - started;
  const remaining = Math.max(1, t.timeout - dnsMs);
  const connectStart = performance.now();
  let connectMs: number | undefined;
  const onConnected = () => (connectMs = performance.now() - connectStart);
  try {
    const conn = await connectMarked(
      { hostname: address, port: t.port, timeout: remaining, signal: t.signal, ...(t.tls ? { tls: t.tls } : {}) },
      { onConnected, wantsPeerCertificate: t.tls !== undefined },
    );
    const done = performance.now() - connectStart;
    connectMs ??= done;
    const peerCertificate = t.tls ? conn.peerCertificate : undefined;
    conn.close();
    return {
      seq,
      timestamp,
      ok: true,
      address,
      dnsMs,
      connectMs,
      ...(t.tls ? { tlsMs: done - connectMs } : {}),
      ...(peerCertificate ? { peerCertificate } : {}),
      timeMs: connectMs,
    };
  } catch (error) {
    if (t.signal?.aborted) return undefined;
    return failed(connectMs === undefined ? "connect" : "tls", error, {
      address,
      dnsMs,
      ...(connectMs === undefined ? {} : { connectMs }),
    });
  }
}

/** A lookup cannot be aborted on every runtime: stop waiting for it after `ms`, or on `signal`. */
async function withinTime<T>(work: Promise<T>, ms: number, action: string, signal?: AbortSignal): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOutError(`Cannot ${action}: no answer within ${ms} ms`)), ms);
    onAbort = () => reject(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort!);
  }
}
