import {
  checkDelayMs,
  checkHostname,
  checkOptionsObject,
  checkPort,
  checkSignal,
  refuse,
} from "../_argument_checks.ts";
import { connect, formatAddr, NetError } from "../net/mod.ts";
import { sleep } from "../_sleep.ts";

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
  /** Milliseconds a probe waits for the connection before it counts as failed. @default 2000 */
  timeout?: number;
  /** Stops probing; the probe in flight is dropped and the summary covers the finished ones. */
  signal?: AbortSignal;
}

/** The outcome of one connection attempt. */
export interface TcpingProbe {
  /** 1 for the first probe. */
  seq: number;
  /** Whether the connection was made. */
  ok: boolean;
  /** Milliseconds until connected (or until the failure). */
  timeMs: number;
  /** Why it failed: a `NetError` (`ConnectionRefusedError`, `TimedOutError` …). */
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
export function summarizeTcping(target: string, probes: readonly TcpingProbe[]): TcpingSummary {
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
 * (the JavaScript runtimes cannot send ICMP). Each probe opens a connection and closes
 * it at once. A host name is resolved by each probe, so its time includes the lookup.
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
  checkOptionsObject(action, options, ["hostname", "port", "count", "interval", "timeout", "signal"]);
  const hostname = checkHostname(action, options.hostname ?? "127.0.0.1");
  const port = checkPort(action, options.port, 1);
  const count = options.count ?? 4;
  if (!(count === Infinity || (Number.isInteger(count) && count >= 1))) {
    refuse(action, `'count' must be a positive integer or Infinity: got ${String(count)}`, RangeError);
  }
  const interval = checkDelayMs(action, "interval", options.interval ?? 1000);
  const timeout = checkDelayMs(action, "timeout", options.timeout ?? 2000);
  const signal = checkSignal(action, options.signal);
  const target = formatAddr({ hostname, port });
  return (async function* probe(): AsyncGenerator<TcpingProbe, TcpingSummary, void> {
    const probes: TcpingProbe[] = [];
    for (let seq = 1; seq <= count && !signal?.aborted; seq++) {
      const started = performance.now();
      let result: TcpingProbe;
      try {
        const conn = await connect({ hostname, port, timeout, signal });
        result = { seq, ok: true, timeMs: performance.now() - started };
        conn.close();
      } catch (error) {
        if (signal?.aborted) break;
        const netError = error instanceof NetError ? error : new NetError("EUNKNOWN", String(error), { cause: error });
        result = { seq, ok: false, timeMs: performance.now() - started, error: netError };
      }
      probes.push(result);
      yield result;
      if (seq < count) {
        await sleep(Math.max(0, interval - (performance.now() - started)), { signal, onAbort: "resolve" });
      }
    }
    return summarizeTcping(target, probes);
  })();
}
