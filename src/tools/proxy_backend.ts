/**
 * A backend of the proxy as it is given (`HOST:PORT@WEIGHT`) and the time its
 * connections take to open, counted in fixed buckets (a Prometheus histogram's: a
 * bucket counts every connection that took at most its bound, so workers' counts add up).
 *
 * @module
 */
import type { NetAddr } from "../net/mod.ts";
import { parseHostPort } from "./host_port.ts";

/** The highest weight: HAProxy's is 256, nginx's unbounded; more than this is a typo. */
export const MAX_BACKEND_WEIGHT = 1000;

/** A backend's address and weight. */
export interface WeightedAddr extends NetAddr {
  /** Its share of the connections relative to the others': an integer from 1 to 1000. @default 1 */
  weight?: number;
}

/**
 * Parses `HOST:PORT` or `HOST:PORT@WEIGHT` (`10.0.0.5:80@3`, `[::1]:8080@2`).
 *
 * @throws {TypeError} When the address is not `HOST:PORT`, or the weight not an integer from 1 to 1000.
 */
export function parseBackend(text: string): Required<WeightedAddr> {
  const at = text.lastIndexOf("@");
  const address = at < 0 ? text : text.slice(0, at);
  const weightText = at < 0 ? "1" : text.slice(at + 1);
  const weight = /^\d{1,4}$/.test(weightText) ? Number(weightText) : NaN;
  if (!(weight >= 1 && weight <= MAX_BACKEND_WEIGHT)) {
    throw new TypeError(
      `'${text}': the weight after '@' must be an integer from 1 to ${MAX_BACKEND_WEIGHT}: got '${weightText}'`,
    );
  }
  return { ...parseHostPort(address), weight };
}

/** The upper bounds, in seconds, of the connect-time buckets (the last bucket, `+Inf`, is the count). */
export const CONNECT_SECONDS_BOUNDS: readonly number[] = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
];

/** How long a backend's connections took to open. */
export interface ConnectTimeStats {
  /** Connections opened (those that failed are not timed). */
  count: number;
  /** Their connect times added up, in seconds. */
  sumSeconds: number;
  /** Per bound of {@linkcode CONNECT_SECONDS_BOUNDS}: the connections that took at most that long. */
  buckets: number[];
}

/** Empty counts. */
export function newConnectTime(): ConnectTimeStats {
  return { count: 0, sumSeconds: 0, buckets: CONNECT_SECONDS_BOUNDS.map(() => 0) };
}

/** Counts one connection that took `seconds` to open. */
export function recordConnectTime(stats: ConnectTimeStats, seconds: number): void {
  stats.count++;
  stats.sumSeconds += seconds;
  CONNECT_SECONDS_BOUNDS.forEach((bound, i) => {
    if (seconds <= bound) stats.buckets[i]!++;
  });
}

/** Adds `other`'s counts to `into` (one worker's to the sum of all). */
export function addConnectTime(into: ConnectTimeStats, other: ConnectTimeStats): void {
  into.count += other.count;
  into.sumSeconds += other.sumSeconds;
  other.buckets.forEach((n, i) => (into.buckets[i] = (into.buckets[i] ?? 0) + n));
}
