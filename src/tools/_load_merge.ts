/**
 * The figures of several load runs made at the same time (one per `--workers` thread) as
 * the figures of one: counts are summed, the histograms merged bucket by bucket (so the
 * percentiles are those of all the samples, not an average of percentiles), and the
 * rates taken over the common duration, the longest of the runs, which all started
 * together.
 *
 * @module
 */
import { LatencyHistogram } from "./_histogram.ts";
import { type HttpLoadPart, type HttpLoadResult, httpLoadResult } from "./http_load.ts";

/** Adds the counts of `from` into `into`, key by key. */
function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
}

/** The figures of simultaneous HTTP load runs of the same request as one. */
export function mergeHttpLoads(parts: readonly HttpLoadPart[]): HttpLoadResult {
  if (parts.length === 0) throw new RangeError("Cannot merge HTTP load runs: there are none");
  const latency = new LatencyHistogram();
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let requests = 0, bytesRead = 0, connections = 0, opened = 0, durationMs = 0, rate = 0;
  let firstError: string | undefined;
  for (const { result, histogram } of parts) {
    latency.merge(LatencyHistogram.fromSnapshot(histogram));
    addCounts(statuses, result.statuses);
    addCounts(errors, result.errors);
    requests += result.requests;
    bytesRead += result.bytesRead;
    connections += result.connections;
    opened += result.connectionsOpened;
    durationMs = Math.max(durationMs, result.durationMs);
    rate += result.rate ?? 0;
    firstError ??= result.firstError;
  }
  const first = parts[0]!.result;
  return httpLoadResult({
    url: first.url,
    method: first.method,
    connections,
    rate: first.rate === null ? null : rate,
    durationMs,
    requests,
    bytesRead,
    statuses,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    connectionsOpened: opened,
    workers: parts.length,
  }, latency);
}
