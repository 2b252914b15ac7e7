import { test } from "uvu";
import * as assert from "uvu/assert";
import { get, isBodyTooLargeError } from "anynet/http";
import { join } from "node:path";
import process from "node:process";
import { announceSkip, root, testRuntime } from "../_helpers/env.ts";
import type { RawServer } from "../_helpers/http_servers.ts";
import {
  canReadPeakMemory,
  compressionBombs,
  runWatched,
  startBombServer,
  type WatchedRun,
} from "../_helpers/http_bombs.ts";

const LIMIT = 4 * 1024 * 1024;
// Far above what a runtime needs to read a few MiB (about 100-250 MiB here), far below
// what reading a bomb to the end or buffering an endless body takes.
const PEAK_BOUND_MIB = 600;

let server: RawServer;

test.before(async () => {
  server = await startBombServer();
});

test.after(async () => {
  await server?.close();
});

interface Outcome {
  ok: boolean;
  name?: string;
  message?: string;
  length?: number;
  ms: number;
  maxGapMs?: number;
  peakMiB?: number;
}

/** Reads `path` in a child process on the runtime under test (fixtures_client_read_body.mjs). */
async function readInChild(
  path: string,
  options: Record<string, unknown>,
  how: "text" | "bytes" | "stream",
  killAboveMiB = 1500,
): Promise<{ outcome: Outcome; run: WatchedRun }> {
  const script = join(root, "test", "http", "fixtures_client_read_body.mjs");
  const args = [script, `${server.url}${path}`, JSON.stringify(options), how];
  const run = await runWatched(process.execPath, testRuntime === "deno" ? ["run", "-A", ...args] : args, {
    killAboveMiB,
    timeoutMs: 30_000,
  });
  assert.ok(run.killed === undefined, `the client was killed: ${run.killed}; stderr: ${run.stderr}`);
  assert.is(run.code, 0, run.stderr);
  return { outcome: JSON.parse(run.stdout) as Outcome, run };
}

function assertPeak(run: WatchedRun, outcome: Outcome, bound: number): void {
  const peak = Math.max(run.peakMiB, outcome.peakMiB ?? 0);
  assert.ok(peak < bound, `the client's peak memory was ${peak} MiB (bound ${bound} MiB)`);
}

const memoryTest = canReadPeakMemory() ? test : test.skip;
if (!canReadPeakMemory()) announceSkip("no /proc/PID/status here: the body-limit memory tests are skipped");

for (const encoding of ["gzip", "deflate", "br"] as const) {
  memoryTest(
    `maxBodyBytes is counted after decompression: a ${encoding} bomb stops at the limit in bounded memory`,
    async () => {
      const { outcome, run } = await readInChild(`/${encoding}`, { maxBodyBytes: LIMIT }, "bytes");
      assert.is(outcome.name, "BodyTooLargeError", JSON.stringify(outcome));
      assert.is(
        outcome.message,
        `GET ${server.url}/${encoding}: the response body is larger than the limit of ${LIMIT} bytes ` +
          "('maxBodyBytes', counted after decompression)",
      );
      assertPeak(run, outcome, PEAK_BOUND_MIB);
    },
  );
}

if (testRuntime === "deno") {
  // Deno's fetch neither asks for deflate nor decodes it: such a body reaches the caller
  // as it was sent (the bomb above stopped at the limit undecoded).
  test("Deno: a deflate body, which Deno's fetch does not decode, reaches the caller as it was sent", async () => {
    const { outcome } = await readInChild("/deflate", { maxBodyBytes: 64 * 1024 * 1024 }, "bytes");
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
    assert.is(outcome.length, compressionBombs().deflate.byteLength);
  });
}

memoryTest("maxBodyBytes stops an endless body, read as text or as a stream, in bounded memory", async () => {
  for (const how of ["text", "stream"] as const) {
    const { outcome, run } = await readInChild("/endless", { maxBodyBytes: LIMIT }, how);
    assert.is(outcome.name, "BodyTooLargeError", `${how}: ${JSON.stringify(outcome)}`);
    assertPeak(run, outcome, PEAK_BOUND_MIB);
  }
});

memoryTest("the body stream counts decoded bytes too: a gzip bomb read as a stream stops at the limit", async () => {
  const { outcome, run } = await readInChild("/gzip", { maxBodyBytes: LIMIT }, "stream");
  assert.is(outcome.name, "BodyTooLargeError", JSON.stringify(outcome));
  assertPeak(run, outcome, PEAK_BOUND_MIB);
});

// Without a limit, what is buffered until the time is up is the decoding rate (20 MiB/s
// on Deno under load to several hundred on Bun) times the time.
const NO_LIMIT_PEAK_BOUND_MIB = 1000;
// A 2 s limit fired after about 2050 ms here, with timers kept waiting 40-120 ms at most.
// Deno's own text() and arrayBuffer() starve timers while they decode (for 2.7 s and more
// here, or until all 10 GiB are decoded) and so does a plain read loop over its decoded
// stream (0.6-1.5 s): the margins tell the two apart on a loaded machine. One second is
// enough to show it, and each second is a second of a core decoding for each case.
const LIMIT_MS = 1000;
const ON_TIME_MS = LIMIT_MS + 1500;
const MAX_TIMER_WAIT_MS = 500;

function assertOnTime(outcome: Outcome, what: string): void {
  assert.ok(outcome.ms < ON_TIME_MS, `${what} took effect after ${outcome.ms} ms (limit ${LIMIT_MS} ms)`);
  assert.ok(
    outcome.maxGapMs! < MAX_TIMER_WAIT_MS,
    `timers waited up to ${outcome.maxGapMs} ms while the body was read (bound ${MAX_TIMER_WAIT_MS} ms)`,
  );
}

memoryTest(
  "a timeout fires on time while a gzip bomb is decoded, with no body limit (text(), body stream)",
  async () => {
    for (const how of ["text", "stream"] as const) {
      const { outcome, run } = await readInChild("/gzip", { timeout: LIMIT_MS }, how, 1200);
      assert.is(outcome.name, "TimeoutError", `${how}: ${JSON.stringify(outcome)}`);
      assert.is(outcome.message, `GET ${server.url}/gzip timed out after ${LIMIT_MS} ms (per-attempt 'timeout')`);
      assertOnTime(outcome, `${how}: the timeout`);
      assertPeak(run, outcome, NO_LIMIT_PEAK_BOUND_MIB);
    }
  },
);

memoryTest(
  "the caller's signal aborts on time while a gzip bomb is decoded (bytes(), no timeout, no limit)",
  async () => {
    const { outcome, run } = await readInChild("/gzip", { timeout: false, abortAfterMs: LIMIT_MS }, "bytes", 1200);
    assert.is(outcome.name, "TimeoutError", JSON.stringify(outcome)); // AbortSignal.timeout()'s reason
    assertOnTime(outcome, "the abort");
    assertPeak(run, outcome, NO_LIMIT_PEAK_BOUND_MIB);
  },
);

test("a compressed body is judged by its decoded size, not by its Content-Length", async () => {
  // Random bytes grow when gzipped: the declared (encoded) length is over the limit, the
  // body the caller gets is not.
  const text = await get(`${server.url}/small-gzip?n=1000`, { maxBodyBytes: 1000 }).then((r) => r.bytes());
  assert.is(text.byteLength, 1000);
  try {
    await (await get(`${server.url}/small-gzip?n=1001`, { maxBodyBytes: 1000 })).bytes();
    assert.unreachable("a body of 1001 decoded bytes passed a limit of 1000");
  } catch (error) {
    assert.ok(isBodyTooLargeError(error), String(error));
  }
});

test.run();
