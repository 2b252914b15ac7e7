/**
 * The load generators' fixed rate, warm-up and `--workers`: `echoLoad()` paces messages
 * and counts latency from when each was due (against a deliberately slow echo server),
 * `bench echo --json` has the figures and the histogram, `bench http --workers 2` merges
 * its threads' figures, and bad values of the new flags are usage errors. The CLI runs in
 * this process (`main()`), which spares the file a process start-up per case.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type HttpServer, serve } from "anynet/http";
import { listen } from "anynet/net";
import { echoLoad, type EchoLoadResult, type HttpLoadResult } from "anynet/tools";
import { importPrivate } from "../_helpers/private_module.ts";
import { startTestEcho, type TestEcho } from "../_helpers/tools_servers.ts";

type MainModule = typeof import("../../src/cli/main.ts");
type CommandsModule = typeof import("../../src/cli/commands/mod.ts");
const { main } = await importPrivate<MainModule>("cli/main");
const { commands } = await importPrivate<CommandsModule>("cli/commands/mod");

/** Runs the CLI in this process on `argv`; resolves to its exit code and output. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "", stderr = "";
  const io = {
    out: (text: string | Uint8Array) => Promise.resolve(void (stdout += String(text))),
    err: (text: string) => Promise.resolve(void (stderr += text)),
    signal: new AbortController().signal,
  };
  const code = await main(argv, io, commands);
  return { code, stdout, stderr };
}

const barsTotal = (bars: readonly { count: number }[]) => bars.reduce((sum, bar) => sum + bar.count, 0);

// One quick echo server and one that waits 20 ms before each echo, and one HTTP server, for the file.
let echo: TestEcho;
let slowEcho: TestEcho;
let http: HttpServer;
let url: string;
test.before(async () => {
  echo = await startTestEcho();
  slowEcho = await startTestEcho({ delayMs: 20 });
  http = await serve(() => new Response("hello"), { hostname: "127.0.0.1", port: 0 });
  url = `http://127.0.0.1:${http.addr.port}/`;
});
test.after(async () => {
  await echo.close();
  await slowEcho.close();
  await http.close();
});

test("echoLoad() with rate sends no faster than asked", async () => {
  // 24 messages at 200/s: the last is due 115 ms after the first and is not sent before.
  const r = await echoLoad({ port: echo.port, connections: 4, rate: 200, messages: 24, size: 32 });
  assert.is(r.roundTrips, 24);
  assert.is(r.rate, 200);
  assert.is(r.failures, 0, r.firstFailure);
  assert.ok(r.durationMs >= 112, `${r.durationMs} ms`);
  assert.ok(r.roundTripsPerSecond <= 24 / 0.112, `${r.roundTripsPerSecond}/s`);
  assert.is(barsTotal(r.histogram), 24);
});

test("echoLoad() with rate counts latency from due times: a slow peer's queue shows in every later echo", async () => {
  // One connection, a message due every 5 ms, a server that echoes each after 20 ms:
  // echo k comes back no sooner than 20 (k + 1) ms after the start while it was due at
  // 5 k ms, so from its due time it took at least 20 + 15 k ms, however slow the machine
  // (less 1 ms per echo for a timer that fires early). Counted from the send, each would
  // take about 20 ms.
  const r = await echoLoad({ port: slowEcho.port, connections: 1, rate: 200, messages: 10, size: 16 });
  assert.is(r.roundTrips, 10);
  assert.is(r.mismatches, 0);
  const bound = (k: number) => 20 + 15 * k - (k + 1);
  assert.ok(r.latency.max! >= bound(9), `max ${r.latency.max} ms`);
  // The 5th smallest of 10 (p50) is at least echo 4's bound, within the histogram's 0.4 %.
  assert.ok(r.latency.p50! >= bound(4) * 0.996, `p50 ${r.latency.p50} ms`);
  assert.ok(r.latency.min! >= bound(0), `min ${r.latency.min} ms`);
});

test("echoLoad() with warmup sends first and counts only what follows", async () => {
  const before = echo.bytes();
  const r = await echoLoad({ port: echo.port, connections: 1, warmup: 60, messages: 20, size: 50 });
  await echo.settled();
  assert.is(r.roundTrips, 20);
  assert.is(r.bytesSent, 20 * 50);
  // The first message goes at once, inside the warm-up: the server saw more than was measured.
  assert.ok(echo.bytes() - before > 20 * 50, `${echo.bytes() - before} bytes`);
  assert.is(barsTotal(r.histogram), 20);
});

test("echoLoad() counts an echo later than timeout as a timed-out failure", async () => {
  // A listener that never reads: the connects succeed (the kernel completes them), no echo comes.
  // The limit covers the connect too, so it is long enough for a loaded machine's connect
  // (20 ms was not: CI once timed out connecting).
  const silent = await listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const r = await echoLoad({ port: silent.addr.port, connections: 1, messages: 2, timeout: 200 });
    assert.is(r.roundTrips, 0);
    assert.is(r.failures, 2);
    assert.match(r.firstFailure!, /^round trip to 127\.0\.0\.1:\d+: no complete echo within 200 ms$/);
  } finally {
    silent.close();
  }
});

test("anynet bench echo --rate --json: the figures, the histogram and the asked rate", async () => {
  const run = await cli(["bench", "echo", "--port", String(echo.port), "-c", "2", "-n", "30", "-R", "600", "--json"]);
  assert.is(run.code, 0, run.stderr);
  const r = JSON.parse(run.stdout) as EchoLoadResult;
  assert.equal(Object.keys(r).sort(), [
    "bytesEchoed",
    "bytesSent",
    "connections",
    "connectionsOpened",
    "durationMs",
    "failures",
    "histogram",
    "latency",
    "megabytesPerSecond",
    "mismatches",
    "rate",
    "roundTrips",
    "roundTripsPerSecond",
    "size",
    "target",
  ]);
  assert.equal(Object.keys(r.latency), ["min", "mean", "stdev", "p50", "p90", "p99", "p99.9", "max"]);
  assert.is(r.rate, 600);
  assert.is(r.roundTrips, 30);
  assert.is(barsTotal(r.histogram), 30);
  assert.is(run.stderr, "", "no progress line with --json");
});

test("anynet bench http --workers 2 merges the threads' figures into one report", async () => {
  // 200 requests at 2000/s over two threads: each sends 100 at 1000/s, the last due 99 ms after its first.
  const run = await cli(["bench", "http", url, "-c", "4", "-n", "200", "-R", "2000", "--workers", "2", "--json"]);
  assert.is(run.code, 0, run.stderr);
  const r = JSON.parse(run.stdout) as HttpLoadResult;
  assert.is(r.workers, 2);
  assert.is(r.requests, 200);
  assert.equal(r.statuses, { "200": 200 });
  assert.equal(r.errors, {});
  assert.is(barsTotal(r.histogram), 200);
  assert.is(r.connections, 4);
  assert.is(r.connectionsOpened, 4);
  assert.is(r.rate, 2000);
  assert.ok(r.durationMs >= 97, `${r.durationMs} ms`);
  assert.ok(Math.abs(r.requestsPerSecond - (r.requests * 1000) / r.durationMs) < 1e-6 * r.requestsPerSecond);
  const l = r.latency;
  assert.ok(l.min! <= l.p50! && l.p50! <= l.p99! && l.p99! <= l["p99.9"]! && l["p99.9"]! <= l.max!);
});

test("bad values of --rate, --warmup and --workers are usage errors (exit 2) naming the flag", async () => {
  const port = String(echo.port);
  const cases: [string[], RegExp][] = [
    [["bench", "echo", "--port", port, "--rate", "0"], /--rate/],
    [["bench", "echo", "--port", port, "--rate", "fast"], /--rate/],
    [["bench", "echo", "--port", port, "--warmup", "-1"], /--warmup/],
    [["bench", "echo", "--port", port, "-n", "0"], /--messages/],
    [["bench", "http", url, "--workers", "0"], /--workers must be a whole number from 1 to 256, or 'auto': got '0'/],
    [["bench", "http", url, "--workers", "two"], /--workers .*got 'two'/],
    [["bench", "http", url, "--workers", "3", "-c", "2"], /--workers 3 needs --connections of at least 3 .*got 2/],
    [["bench", "http", url, "--workers", "2", "-n", "1"], /--workers 2 needs --requests of at least 2 .*got 1/],
  ];
  for (const [argv, message] of cases) {
    const run = await cli(argv);
    assert.is(run.code, 2, `${argv.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, message, argv.join(" "));
    assert.match(run.stderr, new RegExp(`^anynet ${argv[0]} ${argv[1]}: `));
    assert.not.match(run.stderr, /\n\s+at /, "no stack trace");
  }
});

test.run();
