/**
 * startProxy()'s weights and health rules: a weighted split that interleaves, a backend
 * taken out by failed client connections (maxFails) or by failed health checks (fall)
 * and brought back by passed ones (rise), the slow start of a backend that came back,
 * and the live counts served as JSON and Prometheus text.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type ProxyEvent,
  proxyMetricsText,
  type ProxyOptions,
  type ProxyServer,
  serveProxyStats,
  startProxy,
} from "anynet/tools";
import { exchange as httpExchange, parseResponse, type RawResponse } from "../_helpers/http_raw.ts";
import { echoExchange } from "../_helpers/tools_clients.ts";
import { startTestEcho, type TestEcho } from "../_helpers/tools_servers.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/**
 * One HTTP/1.1 request on a connection of its own, closed after the answer (fetch would
 * keep it open, and the test process alive, for seconds).
 */
async function httpGet(port: number, path: string, method = "GET"): Promise<RawResponse> {
  const text = await httpExchange(port, `${method} ${path} HTTP/1.1\r\nHost: stats.test\r\nConnection: close\r\n\r\n`);
  const response = parseResponse(text, true);
  if (!response) throw new Error(`an incomplete answer: ${text}`);
  return response;
}

/** One exact echo exchange through the proxy; fails the test when it is not exact. */
async function exchange(proxy: ProxyServer, seed: number): Promise<void> {
  const outcome = await echoExchange(proxy.addr.port, { messages: 1, size: 100, pauseMs: 0, seed });
  assert.ok(outcome.complete, outcome.error);
}

/** Runs `count` exchanges one after the other; returns the index of the backend each went to. */
async function sequence(proxy: ProxyServer, count: number): Promise<number[]> {
  const picks: number[] = [];
  for (let i = 0; i < count; i++) {
    const before = proxy.stats().backends.map((b) => b.connections);
    await exchange(proxy, i);
    // The session ends in the proxy a moment after the client saw its end: least
    // connections must not see it still open.
    await waitFor("the session to end", () => proxy.stats().active === 0);
    const after = proxy.stats().backends.map((b) => b.connections);
    picks.push(after.findIndex((n, j) => n > before[j]!));
  }
  return picks;
}

const counts = (picks: number[], backends: number) =>
  Array.from({ length: backends }, (_, i) => picks.filter((p) => p === i).length);

/** Starts a proxy over `echoes` with `options`, recording its events; closes all after `body`. */
async function withProxy(
  echoes: TestEcho[],
  options: Omit<ProxyOptions, "port" | "backends"> & { weights?: number[] },
  body: (proxy: ProxyServer, events: ProxyEvent[]) => Promise<void>,
): Promise<void> {
  const events: ProxyEvent[] = [];
  const { weights, ...rest } = options;
  const proxy = await startProxy({
    port: 0,
    backends: echoes.map((e, i) => weights ? `127.0.0.1:${e.port}@${weights[i]}` : `127.0.0.1:${e.port}`),
    onEvent: (event) => events.push(event),
    ...rest,
  });
  try {
    // The first round of health checks, which runs at once: a backend killed before it
    // would be taken out by it rather than by what the test does.
    await waitFor("the first health checks", () => echoes.every((e) => e.connections.length >= 1));
    await body(proxy, events);
  } finally {
    await proxy.close();
    await Promise.all(echoes.map((e) => e.close()));
  }
}

test("startProxy() splits connections 3:1 over backends of weights 3 and 1, interleaved", async () => {
  const echoes = [await startTestEcho(), await startTestEcho()];
  await withProxy(echoes, { weights: [3, 1], healthInterval: 3600_000 }, async (proxy) => {
    const picks = await sequence(proxy, 16);
    assert.equal(counts(picks, 2), [12, 4]);
    // Smooth: the light backend's turns are spread out, never two in a row, and the heavy
    // one never gets more than three in a row.
    assert.not.match(picks.join(""), /11|0000/, picks.join(""));
    assert.equal(proxy.stats().backends.map((b) => [b.weight, b.effectiveWeight, b.state]), [
      [3, 3, "up"],
      [1, 1, "up"],
    ]);
  });
});

test("startProxy() with weights 5, 1, 1 gives each its share, and least-connections weighs open connections", async () => {
  const echoes = [await startTestEcho(), await startTestEcho(), await startTestEcho()];
  await withProxy(echoes, { weights: [5, 1, 1], healthInterval: 3600_000 }, async (proxy) => {
    assert.equal(counts(await sequence(proxy, 21), 3), [15, 3, 3]);
  });
  const two = [await startTestEcho(), await startTestEcho()];
  await withProxy(two, { weights: [2, 1], strategy: "least-connections", healthInterval: 3600_000 }, async (proxy) => {
    assert.equal(counts(await sequence(proxy, 6), 2), [4, 2]);
  });
});

test("startProxy() takes a backend out after maxFails failed connections in a row, and health checks bring it back", async () => {
  const echoes = [await startTestEcho(), await startTestEcho()];
  // Health checks do not take it out here (fall is high): only client connections do.
  await withProxy(echoes, { maxFails: 2, fall: 1000, rise: 1, healthInterval: 100 }, async (proxy, events) => {
    await sequence(proxy, 2);
    echoes[1]!.kill();
    // The clients never notice: each failed attempt goes on to the other backend.
    await sequence(proxy, 2);
    let b = proxy.stats().backends[1]!;
    assert.equal([b.state, b.connectFailures], ["up", 1], "one failure is not enough");
    await sequence(proxy, 2);
    b = proxy.stats().backends[1]!;
    assert.equal([b.state, b.healthy, b.effectiveWeight, b.connectFailures], ["down", false, 0, 2]);
    const down = events.find((e) => e.type === "backend-down");
    assert.ok(down?.type === "backend-down");
    assert.match(down.reason, /^2 connections in a row failed \(the last: .+\)$/);
    // Out of service: no more attempts, every connection goes to the other backend.
    assert.equal(await sequence(proxy, 3), [0, 0, 0]);
    assert.is(proxy.stats().backends[1]!.connectFailures, 2);

    await echoes[1]!.restart();
    await waitFor("the backend to come back", () => proxy.stats().backends[1]!.state === "up");
    assert.ok(events.some((e) => e.type === "backend-up"));
    assert.equal(counts(await sequence(proxy, 4), 2), [2, 2]);
    assert.is(proxy.stats().rejected, 0);
  });
});

test("startProxy() health checks take a backend out after fall failures and bring it back after rise passes", async () => {
  const echoes = [await startTestEcho(), await startTestEcho()];
  const interval = 60;
  await withProxy(echoes, { fall: 2, rise: 3, healthInterval: interval }, async (proxy, events) => {
    await waitFor("a round of health checks", () => echoes[1]!.connections.length >= 2);
    echoes[1]!.kill();
    await waitFor("the checks to take the backend out", () => proxy.stats().backends[1]!.state === "down");
    const down = events.find((e) => e.type === "backend-down");
    assert.ok(down?.type === "backend-down");
    assert.match(down.reason, /^2 health checks in a row failed \(the last: .+\)$/);
    assert.is(proxy.stats().backends[1]!.connectFailures, 0, "no client was sent to it");

    const restarted = Date.now();
    await echoes[1]!.restart();
    await waitFor("the checks to bring it back", () => proxy.stats().backends[1]!.state === "up");
    const tookMs = Date.now() - restarted;
    // Three passed checks in a row: at least two intervals after the first one that passed.
    assert.ok(tookMs >= 2 * interval - 15, `back after ${tookMs} ms, fewer than 3 checks`);
    assert.ok(echoes[1]!.connections.length >= 3 + 2);
  });
});

test("startProxy() with slowStart ramps a backend that came back from a small share to its full weight", async () => {
  const echoes = [await startTestEcho(), await startTestEcho()];
  const slowStart = 400;
  await withProxy(echoes, { fall: 1, rise: 1, healthInterval: 40, slowStart }, async (proxy, events) => {
    // Not at the start: both backends have their full weight at once.
    assert.equal(proxy.stats().backends.map((b) => b.state), ["up", "up"]);
    echoes[1]!.kill();
    await waitFor("the backend to go down", () => proxy.stats().backends[1]!.state === "down");
    await echoes[1]!.restart();
    await waitFor("the backend to come back", () => proxy.stats().backends[1]!.state !== "down");
    const backAt = Date.now();
    const early = proxy.stats().backends[1]!;
    assert.is(early.state, "slow-start");
    assert.ok(early.effectiveWeight > 0 && early.effectiveWeight < 0.5, String(early.effectiveWeight));
    assert.ok(events.some((e) => e.type === "backend-up" && e.slowStart === slowStart));
    const picks = await sequence(proxy, 10);
    assert.ok(counts(picks, 2)[1]! <= 3, `the slowly starting backend got ${counts(picks, 2)[1]} of 10`);
    await sleep(Math.max(0, slowStart / 2 - (Date.now() - backAt)));
    const middle = proxy.stats().backends[1]!;
    assert.ok(
      middle.effectiveWeight > early.effectiveWeight && middle.effectiveWeight < 1,
      `${middle.effectiveWeight}`,
    );
    await sleep(Math.max(0, slowStart + 20 - (Date.now() - backAt)));
    const full = proxy.stats().backends[1]!;
    assert.equal([full.state, full.effectiveWeight], ["up", 1]);
    const after = counts(await sequence(proxy, 10), 2);
    assert.ok(after[1]! >= 4, `after the slow start: ${after}`);
  });
});

test("startProxy() turns clients away with a close when every backend is down, and says why", async () => {
  const echoes = [await startTestEcho()];
  await withProxy(echoes, { healthInterval: 3600_000 }, async (proxy, events) => {
    echoes[0]!.kill();
    const first = await echoExchange(proxy.addr.port, { messages: 1, size: 10, pauseMs: 0, seed: 1 });
    assert.not.ok(first.complete);
    const second = await echoExchange(proxy.addr.port, { messages: 1, size: 10, pauseMs: 0, seed: 2 });
    assert.not.ok(second.complete);
    await waitFor("both rejections", () => proxy.stats().rejected === 2);
    const reasons = events.filter((e) => e.type === "no-backend").map((e) => e.type === "no-backend" && e.reason);
    assert.is(reasons[1], "every backend is down");
    assert.is(proxy.stats().backends[0]!.connectFailures, 1, "a backend known to be down is not tried");
  });
});

test("serveProxyStats() serves the live counts as JSON and in the Prometheus text format", async () => {
  const echoes = [await startTestEcho(), await startTestEcho()];
  await withProxy(echoes, { weights: [2, 1], healthInterval: 3600_000 }, async (proxy) => {
    const endpoint = await serveProxyStats(proxy.stats, { port: 0 });
    const port = endpoint.addr.port;
    try {
      await sequence(proxy, 3);
      const a = `127.0.0.1:${echoes[0]!.port}`, b = `127.0.0.1:${echoes[1]!.port}`;
      const json = await httpGet(port, "/stats");
      assert.is(json.headers["content-type"], "application/json");
      const stats = JSON.parse(json.body);
      assert.equal(stats.backends.map((s: { backend: string }) => s.backend), [a, b]);
      assert.equal(stats.backends.map((s: { connections: number }) => s.connections), [2, 1]);
      assert.equal(stats.backends.map((s: { bytesUp: number }) => s.bytesUp), [200, 100]);
      assert.equal(stats.backends[0].connectTime.count, 2);
      assert.is(JSON.parse((await httpGet(port, "/")).body).accepted, 3);

      const metrics = await httpGet(port, "/metrics");
      assert.is(metrics.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
      const text = metrics.body;
      assert.is(text, proxyMetricsText(proxy.stats()));
      const lines = text.trimEnd().split("\n");
      for (const line of lines) {
        assert.match(line, /^(# (HELP|TYPE) anynet_proxy_\w+ .+|anynet_proxy_\w+(\{(\w+="[^"]*",?)+\})? \S+)$/, line);
      }
      // Each family's HELP and TYPE come before its samples, once.
      const typed = new Map<string, string>();
      for (const line of lines) {
        const type = /^# TYPE (\S+) (\S+)$/.exec(line);
        if (type) {
          assert.not.ok(typed.has(type[1]!), `TYPE twice for ${type[1]}`);
          typed.set(type[1]!, type[2]!);
        } else if (!line.startsWith("#")) {
          const name = /^(\w+?)(_bucket|_sum|_count)?[{ ]/.exec(line)!;
          assert.ok(typed.has(name[1]!) || typed.has(line.split(/[{ ]/)[0]!), `no TYPE before ${line}`);
        }
      }
      for (const [name, type] of typed) if (type === "counter") assert.match(name, /_total$/);
      const has = (line: string) => assert.ok(lines.includes(line), `missing: ${line}\n${text}`);
      has("anynet_proxy_connections_accepted_total 3");
      has(`anynet_proxy_backend_connections_total{backend="${a}"} 2`);
      has(`anynet_proxy_backend_connections_total{backend="${b}"} 1`);
      has(`anynet_proxy_backend_sent_bytes_total{backend="${a}"} 200`);
      has(`anynet_proxy_backend_received_bytes_total{backend="${b}"} 100`);
      has(`anynet_proxy_backend_weight{backend="${a}"} 2`);
      has(`anynet_proxy_backend_up{backend="${b}"} 1`);
      has(`anynet_proxy_backend_state{backend="${a}",state="up"} 1`);
      has(`anynet_proxy_backend_state{backend="${a}",state="down"} 0`);
      has(`anynet_proxy_backend_connect_seconds_bucket{backend="${a}",le="+Inf"} 2`);
      has(`anynet_proxy_backend_connect_seconds_count{backend="${b}"} 1`);
      // Buckets are cumulative: never fewer connections under a higher bound.
      const buckets = lines.filter((l) => l.startsWith(`anynet_proxy_backend_connect_seconds_bucket{backend="${a}"`))
        .map((l) => Number(l.split(" ")[1]));
      assert.equal(buckets, [...buckets].sort((x, y) => x - y));
      assert.is(buckets.length, 14);

      // Live: a backend that goes down shows at once.
      echoes[1]!.kill();
      await sequence(proxy, 3);
      const live = (await httpGet(port, "/metrics")).body;
      assert.ok(live.includes(`anynet_proxy_backend_state{backend="${b}",state="down"} 1\n`), live);
      assert.ok(live.includes(`anynet_proxy_backend_connect_failures_total{backend="${b}"} 1\n`), live);
      assert.is((await httpGet(port, "/nothing")).status, 404);
      assert.is((await httpGet(port, "/stats", "DELETE")).status, 405);
    } finally {
      await endpoint.close();
    }
  });
});

test("startProxy() refuses a bad weight, maxFails, rise, fall, slowStart or sendProxy", async () => {
  const bad = async (options: Record<string, unknown>, pattern: RegExp) => {
    let error: unknown;
    try {
      await startProxy({ port: 0, backends: ["127.0.0.1:1"], ...options });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof TypeError || error instanceof RangeError, String(error));
    assert.match((error as Error).message, pattern);
  };
  await bad(
    { backends: ["127.0.0.1:1@0"] },
    /backends\[0\]: '127\.0\.0\.1:1@0': the weight after '@' must be an integer from 1 to 1000: got '0'/,
  );
  await bad({ backends: ["127.0.0.1:1@x"] }, /the weight after '@' must be an integer from 1 to 1000: got 'x'/);
  await bad({ backends: ["127.0.0.1:1@1.5"] }, /got '1\.5'/);
  await bad({ backends: [{ hostname: "127.0.0.1", port: 1, weight: 0 }] }, /'backends\[0\]\.weight'/);
  await bad({ maxFails: 0 }, /'maxFails'/);
  await bad({ rise: 1.5 }, /'rise'/);
  await bad({ fall: -1 }, /'fall'/);
  await bad({ slowStart: -5 }, /'slowStart'/);
  await bad({ sendProxy: "v3" }, /'sendProxy'/);
});

test.run();
