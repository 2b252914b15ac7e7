/**
 * `anynet proxy` with weights, `--stats` and `--send-proxy` as a process: the live
 * endpoint answers while it runs, the counts printed at the end show each backend's
 * state, and bad values are refused before it starts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli, runMain } from "../_helpers/cli.ts";
import { exchange, parseResponse } from "../_helpers/http_raw.ts";
import { startCli, waitForListening } from "../_helpers/net_process.ts";
import { echoExchange } from "../_helpers/tools_clients.ts";
import { startTestEcho } from "../_helpers/tools_servers.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dir = mkdtempSync(join(tmpdir(), "anynet-proxy-stats-"));

/** Arguments after `--listen`, the exit code and the first line of standard error. */
const refusalCases: [string[], number, string][] = [
  [
    ["--backend", "127.0.0.1:1@0"],
    2,
    "anynet proxy: --backend: '127.0.0.1:1@0': the weight after '@' must be an integer from 1 to 1000: got '0'",
  ],
  [
    ["--backend", "127.0.0.1:1", "--stats", "127.0.0.1:0", "--workers", "2"],
    2,
    "anynet proxy: --stats serves one proxy's counts: it takes --workers 1",
  ],
  [
    ["--backend", "127.0.0.1:1", "--stats-json", dir],
    1,
    `anynet proxy: cannot write --stats-json ${dir}: is a directory`,
  ],
];
// The first is a process of its own, started at once beside the first test's proxy; the
// others run main() in this process (what they check is what the command says).
const refusals = Promise.all(
  refusalCases.map(([args], i) => (i === 0 ? runCli : runMain)(["proxy", "--listen", "127.0.0.1:0", ...args])),
);

test("anynet proxy --stats serves live JSON and /metrics, and weights split the connections", async () => {
  const a = await startTestEcho(), b = await startTestEcho();
  const proc = startCli([
    "proxy",
    "--listen",
    "127.0.0.1:0",
    "--backend",
    `127.0.0.1:${a.port}@3`,
    "--backend",
    `127.0.0.1:${b.port}`,
    "--health-interval",
    "3600",
    "--stats",
    "127.0.0.1:0",
  ]);
  try {
    const port = await waitForListening(proc);
    let statsPort: number | undefined;
    for (const deadline = Date.now() + 2000; statsPort === undefined; await sleep(10)) {
      const line = /^proxy: stats on http:\/\/127\.0\.0\.1:(\d+)\/stats \(JSON\) and (\S+)\/metrics \(Prometheus\)$/m
        .exec(proc.stderr());
      if (line) {
        statsPort = Number(line[1]);
        assert.is(line[2], `http://127.0.0.1:${statsPort}`);
      }
      assert.ok(Date.now() < deadline, `no stats line: ${proc.stderr()}`);
    }
    // A connection per request, closed after the answer.
    const get = async (path: string) => {
      const text = await exchange(statsPort!, `GET ${path} HTTP/1.1\r\nHost: stats.test\r\nConnection: close\r\n\r\n`);
      return parseResponse(text, true)?.body ?? text;
    };
    for (let i = 0; i < 8; i++) {
      const outcome = await echoExchange(port, { messages: 1, size: 50, pauseMs: 0, seed: i });
      assert.ok(outcome.complete, outcome.error);
    }
    const stats = JSON.parse(await get("/stats"));
    assert.equal(stats.backends.map((s: { connections: number }) => s.connections), [6, 2]);
    assert.equal(stats.backends.map((s: { weight: number }) => s.weight), [3, 1]);
    const metrics = await get("/metrics");
    assert.ok(metrics.includes(`anynet_proxy_backend_connections_total{backend="127.0.0.1:${a.port}"} 6\n`), metrics);
    assert.ok(metrics.includes("# TYPE anynet_proxy_backend_connect_seconds histogram\n"), metrics);
    const { code } = await proc.stop("SIGTERM");
    assert.is(code, 0, proc.stderr());
    assert.match(proc.stdout(), new RegExp(`backend 127\\.0\\.0\\.1:${a.port} +up +6 connections`));
  } finally {
    if (proc.child.exitCode === null) proc.child.kill("SIGKILL");
    await a.close();
    await b.close();
  }
});

test("anynet proxy refuses a bad weight, --stats with several workers, and a --stats-json it cannot write, before it starts", async () => {
  const runs = await refusals;
  refusalCases.forEach(([args, code, message], i) => {
    const run = runs[i]!;
    assert.is(run.code, code, `${args.join(" ")}: ${run.stderr}`);
    assert.is(run.stdout, "", "it did not start listening");
    assert.is(run.stderr.split("\n")[0], message);
  });
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
