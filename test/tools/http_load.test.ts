import { test } from "uvu";
import * as assert from "uvu/assert";
import { type HttpServer, serve } from "anynet/http";
import { httpLoad, type HttpLoadResult } from "anynet/tools";
import { rejects } from "../_helpers/net_assert.ts";
import { importPrivate } from "../_helpers/private_module.ts";

type BenchHttpModule = typeof import("../../src/cli/commands/bench_http.ts");
type CommandModule = typeof import("../../src/cli/command.ts");
import { closedPort, rawServer } from "../_helpers/http_servers.ts";

// One server for the file: "/" answers 200, "/mixed" 500 to every fourth request,
// "/chunked" a chunked body, "/slow" after 30 ms.
let mixed = 0;
let server: HttpServer;
let base: string;
test.before(async () => {
  server = await serve(async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/mixed") return new Response("m", { status: mixed++ % 4 === 0 ? 500 : 200 });
    if (path === "/chunked") {
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("first "));
          controller.enqueue(new TextEncoder().encode("second"));
          controller.close();
        },
      });
      return new Response(body);
    }
    if (path === "/slow") await new Promise((resolve) => setTimeout(resolve, 30));
    if (request.method === "POST") return new Response(`got ${(await request.arrayBuffer()).byteLength}`);
    return new Response("hello");
  }, { hostname: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${server.addr.port}`;
});
test.after(async () => {
  await server.close();
});

function assertConsistent(r: HttpLoadResult): void {
  const statusTotal = Object.values(r.statuses).reduce((a, b) => a + b, 0);
  assert.is(statusTotal, r.requests, JSON.stringify(r.statuses));
  const barsTotal = r.histogram.reduce((a, bar) => a + bar.count, 0);
  assert.is(barsTotal, r.requests);
  const l = r.latency;
  assert.ok(l.min! <= l.p50! && l.p50! <= l.p90! && l.p90! <= l.p99! && l.p99! <= l["p99.9"]! && l["p99.9"]! <= l.max!);
  assert.ok(Math.abs(r.requestsPerSecond - (r.requests * 1000) / r.durationMs) < 1e-6 * r.requestsPerSecond + 1e-9);
}

test("httpLoad() answers exactly --requests requests, all counted under their status", async () => {
  const r = await httpLoad({ url: `${base}/`, requests: 200, connections: 4 });
  assert.equal(r.errors, {}, r.firstError);
  assert.is(r.requests, 200);
  assert.equal(r.statuses, { "200": 200 });
  assert.is(r.connectionsOpened, 4);
  assert.ok(r.bytesRead > 200 * "hello".length, `${r.bytesRead}`);
  assert.is(r.rate, null);
  assertConsistent(r);
});

test("httpLoad() counts a server's 500 answers apart from its 200s", async () => {
  mixed = 0;
  const r = await httpLoad({ url: `${base}/mixed`, requests: 100, connections: 2 });
  assert.equal(r.statuses, { "200": 75, "500": 25 });
  assert.equal(r.errors, {});
  assertConsistent(r);
});

test("httpLoad() reads chunked bodies and sends a body with its length", async () => {
  const chunked = await httpLoad({ url: `${base}/chunked`, requests: 50, connections: 2 });
  assert.equal(chunked.statuses, { "200": 50 }, chunked.firstError);
  const posted = await httpLoad({ url: `${base}/`, method: "POST", body: "12345", requests: 20, connections: 1 });
  assert.equal(posted.statuses, { "200": 20 }, posted.firstError);
  assert.is(posted.connectionsOpened, 1);
});

test("httpLoad() against a closed port counts refused connections as errors", async () => {
  const port = await closedPort();
  const r = await httpLoad({ url: `http://127.0.0.1:${port}/`, requests: 20, connections: 2 });
  assert.is(r.requests, 0);
  assert.equal(r.errors, { refused: 20 });
  assert.match(r.firstError!, String(port));
  assert.is(r.latency.p50, null);
});

test("httpLoad() counts answers that take longer than timeout as timed-out", async () => {
  const silent = await rawServer(() => {});
  try {
    const r = await httpLoad({ url: `${silent.url}/`, requests: 2, connections: 2, timeout: 100 });
    assert.equal(r.errors, { "timed-out": 2 });
    assert.ok(r.durationMs >= 90 && r.durationMs < 2000, `${r.durationMs}`);
  } finally {
    await silent.close();
  }
});

test("httpLoad() with rate paces requests and counts latency from when each was due", async () => {
  // 200/s for 40 requests is 200 ms of schedule.
  const paced = await httpLoad({ url: `${base}/`, requests: 40, rate: 200, connections: 4 });
  assert.is(paced.requests, 40);
  assert.ok(paced.durationMs >= 180 && paced.durationMs < 1500, `${paced.durationMs}`);
  // One connection, a 30 ms server and a request due every 10 ms: each answer comes at
  // least 30 ms after the one before while its due time is only 10 ms later, so measured
  // from the due time the latency grows by at least 20 ms a request (220 ms over 12), however
  // slow the machine. Measured from the send, every request would take about 30 ms.
  const queued = await httpLoad({ url: `${base}/slow`, requests: 12, rate: 100, connections: 1 });
  assert.is(queued.requests, 12);
  const spread = queued.latency.max! - queued.latency.min!;
  assert.ok(spread > 150, `min ${queued.latency.min} ms, max ${queued.latency.max} ms`);
});

test("httpLoad() refuses bad options before any I/O", async () => {
  await rejects(() => httpLoad({ url: "ftp://127.0.0.1/" }), (e: Error) => /http: or https:/.test(e.message));
  await rejects(() => httpLoad({ url: `${base}/`, connections: 0 }), (e: Error) => /connections/.test(e.message));
  await rejects(() => httpLoad({ url: `${base}/`, rate: -1 }), (e: Error) => /rate/.test(e.message));
  await rejects(
    () => httpLoad({ url: `${base}/`, headers: [["bad name", "x"]] }),
    (e: Error) => /header name/.test(e.message),
  );
});

test("anynet bench http --json reports statuses that add up to its requests", async () => {
  // The command in this process (a CLI process would add a second of start-up to the file).
  const { benchHttpCommand } = await importPrivate<BenchHttpModule>("cli/commands/bench_http");
  let out = "", err = "";
  const io = {
    out: (text: string | Uint8Array) => Promise.resolve(void (out += String(text))),
    err: (text: string) => Promise.resolve(void (err += text)),
    signal: new AbortController().signal,
  };
  const flags = {
    connections: 3,
    duration: 10,
    requests: 100,
    method: "GET",
    header: ["X-Test: 1"],
    timeout: 10,
    warmup: 0,
    json: true,
  };
  const code = await benchHttpCommand.run({ flags, positionals: [`${base}/`] }, io);
  assert.is(code, 0, err);
  const report = JSON.parse(out) as HttpLoadResult;
  assert.is(report.requests, 100);
  assert.equal(report.statuses, { "200": 100 });
  assert.equal(report.errors, {});
  assert.is(err, "", "no progress line with --json");
});

test("anynet bench http: a malformed -H is a usage error (exit 2) naming the flag", async () => {
  // The command itself, without a process: a UsageError is what the CLI turns into exit 2.
  const { benchHttpCommand } = await importPrivate<BenchHttpModule>("cli/commands/bench_http");
  const { UsageError } = await importPrivate<CommandModule>("cli/command");
  const io = { out: () => Promise.resolve(), err: () => Promise.resolve(), signal: new AbortController().signal };
  const error = await rejects(
    () => benchHttpCommand.run({ flags: { header: ["no colon"], json: true }, positionals: [`${base}/`] }, io),
    UsageError,
  );
  assert.match((error as Error).message, "-H must be 'Name: value': got 'no colon'");
  const scheme = await rejects(
    () => benchHttpCommand.run({ flags: {}, positionals: ["ftp://127.0.0.1/"] }, io),
    UsageError,
  );
  assert.match((scheme as Error).message, "http://");
});

test.run();
