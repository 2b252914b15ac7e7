/**
 * `anynet bench http URL`: the HTTP load generator's command line. The load itself is
 * tools/http_load.ts; this file turns flags into its options, runs it on `--workers`
 * threads (src/cli/workers.ts) and merges their figures (tools/_load_merge.ts), shows a
 * live line on a terminal, and writes the report as text or JSON.
 *
 * @module
 */
import { MAX_DELAY_S } from "../../_delay.ts";
import { fileErrorReason, fileSize, openFileReader, readTextFile } from "../../runtime/files.ts";
import { mergeHttpLoads } from "../../tools/_load_merge.ts";
import { startProgress } from "../../tools/_load_schedule.ts";
import {
  type HttpLoadOptions,
  type HttpLoadPart,
  type HttpLoadResult,
  prepareHttpLoad,
  runHttpLoad,
} from "../../tools/http_load.ts";
import { CommandError, type CommandSpec, UsageError } from "../command.ts";
import { MAX_WORKERS, startWorkers, workerCount, type WorkerService } from "../workers.ts";
import { connectionsFlag, durationFlag, fixed, latencyLines, liveLine, rateFlag, warmupFlag } from "./_load_flags.ts";

const COMMAND = "bench http";

/** A byte rate in the unit that keeps it short. */
function perSecond(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB/s`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB/s`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(2)} kB/s`;
  return `${bytes.toFixed(0)} B/s`;
}

/** The human-readable report of a load run. */
function httpLoadText(r: HttpLoadResult): string {
  const [percentiles, ...rest] = latencyLines(r.latency, r.histogram, "            ");
  const lines = [
    `${r.method} ${r.url}: ${r.connections} connections` +
    (r.workers !== undefined && r.workers > 1 ? ` on ${r.workers} workers` : "") +
    `, ${fixed(r.durationMs / 1000, 2)} s` +
    (r.rate === null ? "" : `, rate ${r.rate}/s (latency from when each request was due)`),
    `requests:   ${r.requests} (${fixed(r.requestsPerSecond, 0)}/s)`,
    `transfer:   ${r.bytesRead} bytes read (${perSecond(r.bytesPerSecond)})`,
    `latency:    ${percentiles}`,
    ...rest,
  ];
  const statuses = Object.entries(r.statuses).map(([status, n]) => `${status}: ${n}`).join(", ");
  lines.push(`statuses:   ${statuses || "none"}`);
  const errors = Object.entries(r.errors).map(([kind, n]) => `${kind}: ${n}`).join(", ");
  lines.push(`errors:     ${errors || "none"}${r.firstError ? ` (first: ${r.firstError})` : ""}`);
  return lines.join("\n") + "\n";
}

/** `-H 'Name: value'` into a pair. */
function parseHeader(line: string): [string, string] {
  const colon = line.indexOf(":");
  const name = colon === -1 ? "" : line.slice(0, colon).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new UsageError(`-H must be 'Name: value': got '${line}'`, COMMAND);
  }
  const value = line.slice(colon + 1).trim();
  if (/[\r\n\0]/.test(value)) throw new UsageError(`-H has a line break or NUL in its value: got '${line}'`, COMMAND);
  return [name, value];
}

/** `--data TEXT`, or `--data @FILE` for the file's bytes. */
async function readData(data: string): Promise<Uint8Array | string> {
  if (!data.startsWith("@")) return data;
  const path = data.slice(1);
  try {
    const size = await fileSize(path);
    const bytes = new Uint8Array(size);
    const reader = await openFileReader(path);
    try {
      let at = 0;
      while (at < size) {
        const n = await reader.read(bytes, at, size - at);
        if (n === 0) break;
        at += n;
      }
      return bytes.subarray(0, at);
    } finally {
      await reader.close();
    }
  } catch (error) {
    throw new CommandError(`cannot read --data file '${path}': ${fileErrorReason(error)}`);
  }
}

/** What each load worker is given: the whole run's load, of which it takes its share. */
export interface BenchHttpPlan {
  load: Omit<HttpLoadOptions, "onProgress" | "progressInterval" | "signal">;
  /** One 64-bit slot per worker where it keeps its count of answers, for the live line; absent when none is shown. */
  progress?: SharedArrayBuffer;
}

/** Worker `worker`'s share (from 1) of `total` split over `workers` as evenly as whole numbers go. */
function share(total: number, worker: number, workers: number): number {
  return Math.floor(total / workers) + (worker - 1 < total % workers ? 1 : 0);
}

/**
 * What each `--workers` thread runs: its share of the connections, requests and rate,
 * started once every worker has started, so that all measure over the same time.
 */
export const benchHttpWorker: WorkerService<BenchHttpPlan, HttpLoadPart> = {
  start({ load, progress }, { worker, workers, signal, allStarted }) {
    const counts = progress === undefined ? undefined : new BigInt64Array(progress);
    const prepared = prepareHttpLoad({
      ...load,
      connections: share(load.connections!, worker, workers),
      ...(load.requests === undefined ? {} : { requests: share(load.requests, worker, workers) }),
      ...(load.rate === undefined ? {} : { rate: load.rate / workers }),
      signal,
      ...(counts === undefined
        ? {}
        : { onProgress: (p) => Atomics.store(counts, worker - 1, BigInt(p.requests)), progressInterval: 250 }),
    });
    return Promise.resolve({
      address: prepared.url.href,
      port: 0,
      finished: allStarted.then(() => runHttpLoad(prepared)),
    });
  },
};

/** `anynet bench http`: the HTTP load generator. */
export const benchHttpCommand: CommandSpec = {
  name: COMMAND,
  summary: "Load an HTTP server like wrk (requests/s, bytes/s, latency percentiles, statuses, errors)",
  description: "Keeps --connections keep-alive HTTP/1.1 connections busy for --duration seconds (or until " +
    "--requests answers), each sending the next request when the last answer is complete. With --rate, " +
    "requests are due at that fixed rate instead and each one's latency counts from when it was due, so a " +
    "server that stalls cannot hide the queue behind the stall (coordinated omission corrected). Reports " +
    "requests and bytes per second, latency percentiles (p50, p90, p99, p99.9, max, within 0.4 %) with a " +
    "histogram, answers per status code and errors per kind (refused, reset, timed-out, closed, not-http …). " +
    "With --workers N, N threads share the connections, requests and rate and their figures are merged into one " +
    "report (the histograms exactly). " +
    "On a terminal a live line on standard error shows the progress. Ctrl-C stops early and reports. Exits 1 " +
    "when no request got an answer.",
  positionals: [{ name: "URL", description: "The http: or https: URL to request" }],
  flags: [
    connectionsFlag,
    durationFlag(10, "How long to measure (unless --requests)"),
    {
      name: "requests",
      short: "n",
      type: "integer",
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
      valueName: "N",
      description: "Stop after N answered or failed requests instead",
    },
    rateFlag("requests"),
    { name: "method", short: "X", type: "string", default: "GET", valueName: "METHOD", description: "Request method" },
    {
      name: "header",
      short: "H",
      type: "string",
      multiple: true,
      valueName: "'Name: value'",
      description: "Add a request header",
    },
    { name: "data", type: "string", valueName: "TEXT|@FILE", description: "Request body: the text, or a file's bytes" },
    {
      name: "timeout",
      type: "number",
      min: 0.001,
      max: MAX_DELAY_S,
      default: 10,
      valueName: "SECONDS",
      description: "Time limit of one connect or answer (then it counts as timed-out)",
    },
    warmupFlag,
    {
      name: "workers",
      type: "string",
      default: "1",
      valueName: "N",
      description: `Load from N threads, their figures merged (1-${MAX_WORKERS}, or 'auto': one per CPU core)`,
    },
    { name: "ca", type: "string", valueName: "FILE", description: "Also trust the CA certificate(s) in this PEM file" },
    { name: "json", type: "boolean", description: "Print the figures as one JSON object" },
  ],
  examples: [
    "bench http http://127.0.0.1:8000/",
    "bench http http://127.0.0.1:8000/ -c 50 -d 30 --warmup 2",
    "bench http http://127.0.0.1:8000/api --rate 2000 --requests 20000 --json",
    "bench http http://127.0.0.1:8000/ -c 100 --workers 2",
    "bench http http://127.0.0.1:8000/items -X POST -H 'Content-Type: application/json' --data @item.json",
  ],
  async run(input, io) {
    const f = input.flags;
    const url = input.positionals[0]!;
    if (!/^https?:\/\//i.test(url)) {
      throw new UsageError(`URL must start with http:// or https://: got '${url}'`, COMMAND);
    }
    const headers = ((f.header as string[] | undefined) ?? []).map(parseHeader);
    const body = f.data === undefined ? undefined : await readData(f.data as string);
    let caCerts: string[] | undefined;
    if (f.ca !== undefined) {
      try {
        caCerts = [await readTextFile(f.ca as string)];
      } catch (error) {
        throw new CommandError(`cannot read --ca file '${f.ca}': ${fileErrorReason(error)}`);
      }
    }
    const count = workerCount((f.workers as string | undefined) ?? "1", COMMAND);
    for (const [name, value] of [["connections", f.connections], ["requests", f.requests]] as const) {
      if (value !== undefined && (value as number) < count) {
        throw new UsageError(
          `--workers ${count} needs --${name} of at least ${count} (one per worker): got ${value}`,
          COMMAND,
        );
      }
    }
    const live = liveLine(io, !f.json);
    const plan: BenchHttpPlan = {
      load: {
        url,
        connections: f.connections as number,
        duration: (f.duration as number) * 1000,
        ...(f.requests === undefined ? {} : { requests: f.requests as number }),
        ...(f.rate === undefined ? {} : { rate: f.rate as number }),
        method: (f.method as string).toUpperCase(),
        headers,
        ...(body === undefined ? {} : { body }),
        timeout: (f.timeout as number) * 1000,
        warmup: (f.warmup as number) * 1000,
        ...(caCerts === undefined ? {} : { caCerts }),
      },
      ...(live.shown ? { progress: new SharedArrayBuffer(8 * count) } : {}),
    };
    let stopProgress: (() => void) | undefined;
    let result: HttpLoadResult;
    try {
      const group = await startWorkers({
        command: COMMAND,
        count,
        port: 0,
        plan,
        service: benchHttpWorker,
        io,
        jobs: true,
      });
      if (plan.progress !== undefined) {
        const counts = new BigInt64Array(plan.progress);
        stopProgress = startProgress(
          performance.now() + plan.load.warmup!,
          500,
          () => counts.reduce((sum, n) => sum + Number(n), 0),
          (p) => live.show(`${(p.elapsedMs / 1000).toFixed(1)} s, ${p.count} requests, ${p.currentRate.toFixed(0)}/s`),
        );
      }
      // The rate each worker took is a share of the asked one: report the asked one.
      result = { ...mergeHttpLoads(await group.finished), rate: (f.rate as number | undefined) ?? null };
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError) throw new UsageError(error.message, COMMAND);
      if (error instanceof CommandError || error instanceof UsageError) throw error;
      throw new CommandError((error as Error).message);
    } finally {
      stopProgress?.();
    }
    await live.clear();
    await io.out(f.json ? JSON.stringify(result, null, 2) + "\n" : httpLoadText(result));
    return result.requests === 0 ? 1 : 0;
  },
};
