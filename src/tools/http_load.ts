/**
 * An HTTP/1.1 load generator that runs the same on Node, Deno and Bun. Each connection
 * writes one request built once in advance and reads the answer with a reader that only
 * finds where it ends (see _http1_response.ts), over anynet's own sockets: no Request or
 * Response objects, no header maps, so the generator costs far less than the server it
 * loads.
 *
 * Two ways to load: closed (each connection sends its next request when the last answer
 * came, as wrk does) and open (`rate`: requests are due at a fixed rate whatever the
 * server does). In the open way a request's latency is counted from when it was due, not
 * from when a busy connection got round to sending it, so a server that stalls shows its
 * stall in every request that waited behind it (the coordinated-omission correction of
 * wrk2 and oha).
 *
 * @module
 */
import {
  checkDelayMs,
  checkFunction,
  checkIntegerRange,
  checkOptionsObject,
  checkSignal,
  refuse,
} from "../_argument_checks.ts";
import { classifyError } from "../_error_kind.ts";
import { sleep } from "../_sleep.ts";
import { connect } from "../net/mod.ts";
import { type HistogramBar, type HistogramSnapshot, LatencyHistogram, type LatencySummary } from "./_histogram.ts";
import { emptySlot, type LoadSlot, sweepLateAnswers } from "./_late_answers.ts";
import { checkRate, LoadSchedule, startProgress } from "./_load_schedule.ts";
import { NotHttpError, ResponseReader } from "./_http1_response.ts";

/** Options of {@linkcode httpLoad}. */
export interface HttpLoadOptions {
  /** An `http:` or `https:` URL. */
  url: string;
  /** Connections kept open at once. @default 10 */
  connections?: number;
  /** Milliseconds to load (after the warm-up); ignored with `requests`. @default 10000 */
  duration?: number;
  /** Stop after this many measured requests instead of after `duration`. */
  requests?: number;
  /** Requests per second, due at fixed intervals (open load); unset: as fast as answers come. */
  rate?: number;
  /** The request method. @default "GET" */
  method?: string;
  /** Request headers, as name/value pairs. */
  headers?: readonly (readonly [string, string])[];
  /** The request body, sent with each request (with its Content-Length). */
  body?: Uint8Array | string;
  /** Milliseconds a connect or an answer may take before it counts as a `timed-out` error. @default 10000 */
  timeout?: number;
  /** Milliseconds of load before measuring starts, to warm the server and open connections. @default 0 */
  warmup?: number;
  /** Trust these CA certificates (PEM) for an `https:` URL, beside the system's. */
  caCerts?: readonly string[];
  /** Called about every `progressInterval` ms while measuring, for a live line. */
  onProgress?: (progress: HttpLoadProgress) => void;
  /** @default 250 */
  progressInterval?: number;
  /** Stops early, like the end of `duration`. */
  signal?: AbortSignal;
}

/** What {@linkcode HttpLoadOptions.onProgress} receives. */
export interface HttpLoadProgress {
  /** Milliseconds measured so far. */
  elapsedMs: number;
  /** Requests answered so far (any status). */
  requests: number;
  /** Answers per second over the last interval. */
  currentRate: number;
}

/** What a load run measured. */
export interface HttpLoadResult {
  url: string;
  method: string;
  connections: number;
  /** The asked-for rate, or `null` for closed load. */
  rate: number | null;
  /** Milliseconds measured (the warm-up excluded). */
  durationMs: number;
  /** Requests that got a complete answer, whatever its status. */
  requests: number;
  /** Answered requests per second. */
  requestsPerSecond: number;
  /** Bytes read (heads and bodies) during the measurement. */
  bytesRead: number;
  /** Bytes read per second. */
  bytesPerSecond: number;
  /** Answers per status code (`"200": 1234`); the counts add up to `requests`. */
  statuses: Record<string, number>;
  /** Requests that got no complete answer, per kind (`refused`, `reset`, `timed-out`, `closed`, `not-http` …). */
  errors: Record<string, number>;
  /** The first error's message, for a report. */
  firstError?: string;
  /** Connections opened, warm-up included. */
  connectionsOpened: number;
  /** Latency of the answered requests in milliseconds; with `rate`, from when each was due. */
  latency: LatencySummary;
  /** The latency histogram in bars that double in width. */
  histogram: HistogramBar[];
  /** Load-generating threads whose figures were merged into these (`anynet bench http --workers`). */
  workers?: number;
}

const encoder = new TextEncoder();
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The request's bytes, written once and sent as they are each time. */
function requestBytes(url: URL, method: string, headers: readonly (readonly [string, string])[], body: Uint8Array) {
  const action = "run HTTP load";
  const names = new Set<string>();
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
  for (const [name, value] of headers) {
    if (!TOKEN.test(name)) refuse(action, `the header name '${name}' is not an HTTP token`);
    if (/[\r\n\0]/.test(value)) refuse(action, `the value of header '${name}' holds a line break or NUL`);
    names.add(name.toLowerCase());
  }
  if (!names.has("host")) head += `Host: ${url.host}\r\n`;
  if (!names.has("user-agent")) head += "User-Agent: anynet-bench\r\n";
  if (!names.has("accept")) head += "Accept: */*\r\n";
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  if (body.length > 0 || ["POST", "PUT", "PATCH"].includes(method)) {
    if (!names.has("content-length")) head += `Content-Length: ${body.length}\r\n`;
  }
  const headBytes = encoder.encode(head + "\r\n");
  const bytes = new Uint8Array(headBytes.length + body.length);
  bytes.set(headBytes);
  bytes.set(body, headBytes.length);
  return bytes;
}

/** The kind an error counts under. */
function errorKind(error: unknown): string {
  if (error instanceof NotHttpError) return "not-http";
  return classifyError(error).kind;
}

const ignore = () => {};

class TimedOut extends Error {}
class ClosedEarly extends Error {}

/** A load whose options are checked and whose request is built: what {@linkcode runHttpLoad} runs. */
export interface PreparedHttpLoad {
  url: URL;
  method: string;
  request: Uint8Array;
  connections: number;
  duration: number;
  limit: number;
  rate: number | undefined;
  timeout: number;
  warmup: number;
  progressInterval: number;
  signal: AbortSignal | undefined;
  onProgress: ((progress: HttpLoadProgress) => void) | undefined;
  caCerts: string[] | undefined;
}

/**
 * Checks the options of {@linkcode httpLoad} and builds its request, before any I/O.
 *
 * @throws {TypeError | RangeError} For bad options.
 */
export function prepareHttpLoad(options: HttpLoadOptions): PreparedHttpLoad {
  const action = "run HTTP load";
  checkOptionsObject(action, options, [
    "url",
    "connections",
    "duration",
    "requests",
    "rate",
    "method",
    "headers",
    "body",
    "timeout",
    "warmup",
    "caCerts",
    "onProgress",
    "progressInterval",
    "signal",
  ]);
  let url: URL;
  try {
    url = new URL(String(options.url));
  } catch {
    refuse(action, `'url' must be an absolute http: or https: URL: got '${options.url}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    refuse(action, `'url' must be an http: or https: URL: got '${url.protocol}'`);
  }
  const method = options.method ?? "GET";
  if (typeof method !== "string" || !TOKEN.test(method)) {
    refuse(action, `'method' must be an HTTP token: got '${method}'`);
  }
  const body = typeof options.body === "string" ? encoder.encode(options.body) : options.body ?? new Uint8Array(0);
  if (!(body instanceof Uint8Array)) refuse(action, "'body' must be a string or a Uint8Array");
  return {
    url,
    method,
    request: requestBytes(url, method, options.headers ?? [], body),
    connections: checkIntegerRange(action, "connections", options.connections ?? 10, 1, 100000),
    duration: checkDelayMs(action, "duration", options.duration ?? 10000),
    limit: options.requests === undefined
      ? Infinity
      : checkIntegerRange(action, "requests", options.requests, 1, Number.MAX_SAFE_INTEGER),
    rate: checkRate(action, options.rate, "requests"),
    timeout: checkDelayMs(action, "timeout", options.timeout ?? 10000),
    warmup: options.warmup === undefined || options.warmup === 0 ? 0 : checkDelayMs(action, "warmup", options.warmup),
    progressInterval: checkDelayMs(action, "progressInterval", options.progressInterval ?? 250),
    signal: checkSignal(action, options.signal),
    onProgress: options.onProgress === undefined ? undefined : checkFunction(action, "onProgress", options.onProgress),
    caCerts: options.caCerts ? [...options.caCerts] : undefined,
  };
}

/**
 * Loads an HTTP server over keep-alive HTTP/1.1 connections and measures requests/s,
 * bytes/s, latency percentiles, answers per status and errors per kind.
 *
 * @param options The URL and the load; see {@linkcode HttpLoadOptions}.
 * @returns The figures of the measured part of the run.
 * @throws {TypeError | RangeError} For bad options, before any I/O.
 * @example Two hundred requests to a local server
 * ```ts
 * import { serve } from "anynet/http";
 * import { httpLoad } from "anynet/tools";
 * const server = await serve(() => new Response("hi"), { hostname: "127.0.0.1", port: 0 });
 * try {
 *   const result = await httpLoad({ url: `http://127.0.0.1:${server.addr.port}/`, requests: 200 });
 *   console.assert(result.statuses["200"] === 200);
 * } finally {
 *   await server.close();
 * }
 * ```
 */
export async function httpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  return (await runHttpLoad(prepareHttpLoad(options))).result;
}

/** What one run measured, with the histogram itself for a merge with other runs'. */
export interface HttpLoadPart {
  result: HttpLoadResult;
  histogram: HistogramSnapshot;
}

/** Runs a load {@linkcode prepareHttpLoad} checked. */
export async function runHttpLoad(load: PreparedHttpLoad): Promise<HttpLoadPart> {
  const { url, method, request, connections, limit, rate, timeout, signal, onProgress } = load;
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const tls = url.protocol === "https:" ? { caCerts: load.caCerts } : undefined;
  const noBody = method === "HEAD";

  const latency = new LatencyHistogram();
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let firstError: string | undefined;
  let answered = 0, bytesRead = 0, opened = 0;
  const schedule = new LoadSchedule({ duration: load.duration, limit, rate, warmup: load.warmup, signal });

  const countError = (error: unknown, measured: boolean) => {
    if (!measured) return;
    const kind = error instanceof TimedOut ? "timed-out" : error instanceof ClosedEarly ? "closed" : errorKind(error);
    errors[kind] = (errors[kind] ?? 0) + 1;
    firstError ??= error instanceof Error ? error.message.split("\n")[0] : String(error);
  };

  const slots = Array.from({ length: connections }, emptySlot);
  const stopSweeping = sweepLateAnswers(slots, timeout);

  const stopProgress = onProgress
    ? startProgress(
      schedule.measureFrom,
      load.progressInterval,
      () => answered,
      (tick) => onProgress({ elapsedMs: tick.elapsedMs, requests: tick.count, currentRate: tick.currentRate }),
    )
    : undefined;

  async function connection(slot: LoadSlot): Promise<void> {
    const reader = new ResponseReader();
    let ticket = schedule.next();
    while (ticket) {
      await schedule.untilDue(ticket);
      if (schedule.stopping) break;
      try {
        if (!slot.conn) {
          slot.sentAt = performance.now();
          slot.conn = await connect({ hostname, port, tls, timeout });
          opened++;
          slot.conn.setNoDelay(true);
        }
        const conn = slot.conn;
        reader.begin(noBody);
        slot.sentAt = performance.now();
        const start = schedule.latencyFrom(ticket, slot.sentAt);
        // Not awaited: a failed write also fails the read (the socket is gone), which says why.
        conn.write(request).catch(ignore);
        let done = false;
        while (!done) {
          const chunk = await conn.read();
          if (chunk === null) {
            if (slot.timedOut) throw new TimedOut(`no answer from ${url.host} within ${timeout} ms`);
            done = reader.end();
            if (!done) throw new ClosedEarly(`${url.host} closed the connection before the answer was complete`);
          } else {
            done = reader.feed(chunk);
          }
        }
        slot.sentAt = 0;
        const end = performance.now();
        if (ticket.measured) {
          latency.record(end - start);
          answered++;
          bytesRead += reader.bytes;
          statuses[reader.status] = (statuses[reader.status] ?? 0) + 1;
        }
        if (reader.closes || reader.untilClose) {
          conn.close();
          slot.conn = undefined;
        }
      } catch (error) {
        slot.sentAt = 0;
        // The sweep closed the connection: whatever the read then said, the answer was late.
        const failure = slot.timedOut && !(error instanceof TimedOut)
          ? new TimedOut(`no answer from ${url.host} within ${timeout} ms`)
          : error;
        slot.timedOut = false;
        slot.conn?.close();
        slot.conn = undefined;
        if (signal?.aborted) break;
        countError(failure, ticket.measured);
        // A refusing server answers at once: do not spin on it.
        if (rate === undefined) await sleep(10, { signal, onAbort: "resolve" });
      }
      ticket = schedule.next();
    }
    slot.conn?.close();
    slot.conn = undefined;
  }

  try {
    await Promise.all(slots.map(connection));
  } finally {
    stopSweeping();
    stopProgress?.();
    schedule.close();
  }
  const end = performance.now();
  // Answers to requests sent before the deadline still count, so the time runs to the last.
  const durationMs = Math.max(0.001, end - schedule.measureFrom);
  const result = httpLoadResult({
    url: url.href,
    method,
    connections,
    rate: rate ?? null,
    durationMs,
    requests: answered,
    bytesRead,
    statuses,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    connectionsOpened: opened,
  }, latency);
  return { result, histogram: latency.snapshot() };
}

/** What a result counts; {@linkcode httpLoadResult} works out the rest. */
export type HttpLoadCounts = Omit<HttpLoadResult, "requestsPerSecond" | "bytesPerSecond" | "latency" | "histogram">;

/** A run's result (or several runs' merged) from its counts and its latency histogram. */
export function httpLoadResult(counts: HttpLoadCounts, latency: LatencyHistogram): HttpLoadResult {
  const { url, method, connections, rate, durationMs, requests, bytesRead, statuses, errors, firstError } = counts;
  // The order of a report, rates beside their counts.
  return {
    url,
    method,
    connections,
    rate,
    durationMs,
    requests,
    requestsPerSecond: (requests * 1000) / durationMs,
    bytesRead,
    bytesPerSecond: (bytesRead * 1000) / durationMs,
    statuses,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    connectionsOpened: counts.connectionsOpened,
    latency: latency.summary(),
    histogram: latency.bars(),
    ...(counts.workers === undefined ? {} : { workers: counts.workers }),
  };
}
