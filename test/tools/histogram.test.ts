import { test } from "uvu";
import * as assert from "uvu/assert";
import { importPrivate } from "../_helpers/private_module.ts";

type HistogramModule = typeof import("../../src/tools/_histogram.ts");
const { LatencyHistogram, HISTOGRAM_PRECISION } = await importPrivate<HistogramModule>("tools/_histogram");

/** The exact percentile of sorted samples, by the same rank rule. */
function exact(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

function assertClose(got: number | null, want: number, what: string): void {
  const error = Math.abs(got! - want);
  assert.ok(error <= want * HISTOGRAM_PRECISION + 1e-6, `${what}: got ${got}, want ${want} (error ${error})`);
}

function checkDistribution(samples: number[], name: string): void {
  const histogram = new LatencyHistogram();
  for (const ms of samples) histogram.record(ms);
  const sorted = [...samples].sort((a, b) => a - b);
  for (const p of [1, 10, 50, 90, 99, 99.9]) assertClose(histogram.percentile(p), exact(sorted, p), `${name} p${p}`);
  assert.is(histogram.max, sorted.at(-1));
  assert.is(histogram.min, sorted[0]);
  assert.is(histogram.count, samples.length);
}

test("LatencyHistogram percentiles are within the stated precision on known distributions", () => {
  // A deterministic generator, so a failure can be replayed.
  let x = 12345;
  const random = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  checkDistribution(Array.from({ length: 20000 }, (_, i) => 0.001 + i * 0.05), "uniform 1 µs–1 s");
  checkDistribution(Array.from({ length: 20000 }, () => -Math.log(1 - random()) * 5), "exponential, mean 5 ms");
  checkDistribution(Array.from({ length: 5000 }, () => 10 ** (random() * 7 - 4)), "log-uniform 0.1 µs–1000 s");
});

test("LatencyHistogram keeps a fixed number of buckets however many samples come", () => {
  assert.ok(LatencyHistogram.bucketCount < 6000, `${LatencyHistogram.bucketCount}`);
  const histogram = new LatencyHistogram();
  for (let i = 0; i < 200000; i++) histogram.record((i % 977) * 0.37);
  assert.is(histogram.count, 200000);
  assert.ok(histogram.bars().length <= 45);
});

test("LatencyHistogram.merge() gives what recording every sample in one would", () => {
  const a = new LatencyHistogram(), b = new LatencyHistogram(), all = new LatencyHistogram();
  for (let i = 1; i <= 3000; i++) {
    const ms = (i * 7919) % 1000 / 10;
    (i % 2 ? a : b).record(ms);
    all.record(ms);
  }
  a.merge(b);
  const { stdev, ...merged } = a.summary();
  const { stdev: allStdev, ...whole } = all.summary();
  assert.equal(merged, whole);
  assert.ok(Math.abs(stdev! - allStdev!) < 1e-9);
  assert.equal(a.bars(), all.bars());
  a.reset();
  assert.is(a.count, 0);
  assert.is(a.percentile(50), null);
});

test("LatencyHistogram.fromSnapshot() of a structured clone of snapshot() is the same histogram", () => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 2000; i++) h.record(((i * 104729) % 5000) / 7);
  const copy = LatencyHistogram.fromSnapshot(structuredClone(h.snapshot()));
  assert.equal(copy.summary(), h.summary());
  assert.equal(copy.bars(), h.bars());
  assert.is(LatencyHistogram.fromSnapshot(new LatencyHistogram().snapshot()).min, null);
});

test.run();
