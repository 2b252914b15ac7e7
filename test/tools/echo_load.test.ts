import { test } from "uvu";
import * as assert from "uvu/assert";
import { listen } from "anynet/net";
import { echoLoad, type EchoLoadResult } from "anynet/tools";
import { runCli, runMain } from "../_helpers/cli.ts";
import { rejects } from "../_helpers/net_assert.ts";
import { startCli } from "../_helpers/net_process.ts";
import { startTestEcho } from "../_helpers/tools_servers.ts";

async function closedPort(): Promise<number> {
  const probe = await listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  return port;
}

function assertFiguresConsistent(r: EchoLoadResult): void {
  const { min, p50, p99, max, mean } = r.latency;
  assert.ok(min! > 0 && min! <= p50! && p50! <= p99! && p99! <= max!, JSON.stringify(r.latency));
  assert.ok(mean! >= min! && mean! <= max!);
  const seconds = r.durationMs / 1000;
  assert.ok(Math.abs(r.roundTripsPerSecond - r.roundTrips / seconds) < 1e-6 * r.roundTripsPerSecond + 1e-9);
  assert.ok(Math.abs(r.megabytesPerSecond - r.bytesEchoed / 1e6 / seconds) < 1e-9 + 1e-6 * r.megabytesPerSecond);
}

test("echoLoad() counts agree with what a counting echo server saw", async () => {
  const server = await startTestEcho();
  try {
    const r = await echoLoad({ port: server.port, connections: 4, duration: 600, size: 100 });
    await server.settled();
    assert.is(r.failures, 0, r.firstFailure);
    assert.is(r.mismatches, 0);
    assert.ok(r.roundTrips > 0);
    assert.is(r.connectionsOpened, 4);
    assert.is(server.connections.length, 4);
    assert.is(r.bytesEchoed, r.roundTrips * 100);
    assert.is(r.bytesSent, r.bytesEchoed);
    assert.is(server.bytes(), r.bytesSent);
    assert.ok(r.durationMs >= 600, `${r.durationMs}`);
    assert.is(r.target, `127.0.0.1:${server.port}`);
    assertFiguresConsistent(r);
  } finally {
    await server.close();
  }
});

test("echoLoad() finds every echo a corrupting server mangled", async () => {
  // The server flips byte 250 of each connection: the 4th 64-byte message of each.
  const server = await startTestEcho({ corruptAt: 250 });
  try {
    const r = await echoLoad({ port: server.port, connections: 2, duration: 400, size: 64 });
    await server.settled();
    const corrupted = server.connections.filter((c) => c.corrupted).length;
    assert.ok(corrupted > 0);
    assert.is(r.mismatches, corrupted);
    assert.is(r.failures, 0, r.firstFailure);
    // Each connection does 3 exact round trips, then mismatches and is replaced.
    assert.ok(r.roundTrips >= 3 * corrupted, `${r.roundTrips} round trips, ${corrupted} corrupted`);
    assert.is(server.bytes(), (r.roundTrips + r.mismatches) * 64);
    assert.is(r.connectionsOpened, server.connections.length);
  } finally {
    await server.close();
  }
});

test("echoLoad() checks large messages without deadlock", async () => {
  const server = await startTestEcho();
  try {
    const size = 1 << 20;
    const r = await echoLoad({ port: server.port, connections: 2, duration: 300, size });
    await server.settled();
    assert.is(r.failures, 0, r.firstFailure);
    assert.is(r.mismatches, 0);
    assert.ok(r.roundTrips >= 2);
    assert.is(server.bytes(), r.roundTrips * size);
  } finally {
    await server.close();
  }
});

test("echoLoad() counts refused connections as failures", async () => {
  const r = await echoLoad({ port: await closedPort(), connections: 2, duration: 200 });
  assert.is(r.roundTrips, 0);
  assert.ok(r.failures >= 2);
  assert.is(r.connectionsOpened, 0);
  assert.match(r.firstFailure!, /refused/i);
  assert.equal(Object.values(r.latency), Array(8).fill(null));
});

test("echoLoad() rejects bad options before any I/O", async () => {
  await rejects(() => echoLoad({ port: 0 }), RangeError);
  const said = (pattern: RegExp) => (e: Error) => e instanceof RangeError && pattern.test(e.message);
  await rejects(() => echoLoad({ port: 7, size: 0 }), said(/'size' must be an integer from 1 to 16777216: got 0/));
  await rejects(() => echoLoad({ port: 7, connections: 1.5 }), said(/'connections'/));
  await rejects(() => echoLoad({ port: 7, duration: 0 }), said(/'duration' must be a positive number of milliseconds/));
  await rejects(
    () => echoLoad({ port: 7, conections: 5 } as never),
    (e: Error) =>
      e instanceof TypeError && /unknown option 'conections' \(did you mean 'connections'\?\)/.test(e.message),
  );
});

test("anynet bench echo --json reports what the server saw; exit 0", async () => {
  const server = await startTestEcho();
  try {
    const run = await runCli([
      "bench",
      "echo",
      "--port",
      String(server.port),
      "-c",
      "3",
      "-d",
      "0.5",
      "-s",
      "32",
      "--json",
    ]);
    assert.is(run.code, 0, run.stderr);
    const r = JSON.parse(run.stdout) as EchoLoadResult;
    await server.settled();
    assert.is(r.mismatches, 0);
    assert.is(r.failures, 0);
    assert.is(r.connections, 3);
    assert.is(r.size, 32);
    assert.ok(r.roundTrips > 0);
    assert.is(server.bytes(), r.roundTrips * 32);
    assert.is(server.connections.length, r.connectionsOpened);
    assertFiguresConsistent(r);
  } finally {
    await server.close();
  }
});

test("anynet bench echo prints a readable report and exits 1 on mismatches", async () => {
  const server = await startTestEcho({ corruptAt: 100 });
  try {
    const run = await runCli(["bench", "echo", "--port", String(server.port), "-c", "1", "-d", "0.3", "-s", "16"]);
    assert.is(run.code, 1, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(`^echo load on 127\\.0\\.0\\.1:${server.port}: 1 connections, 16-byte messages, `),
    );
    assert.match(run.stdout, /\nround trips: \d+ \(\d+\/s\)\n/);
    assert.match(run.stdout, /\nlatency: +p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms, p99\.9 [\d.]+ ms/);
    const mismatches = Number(/\nmismatches: +(\d+)/.exec(run.stdout)![1]);
    await server.settled();
    assert.ok(mismatches > 0);
    assert.is(mismatches, server.connections.filter((c) => c.corrupted).length);
  } finally {
    await server.close();
  }
});

test("anynet bench echo: exit 1 when nothing answers, 2 without --port", async () => {
  const refused = await runCli(["bench", "echo", "--port", String(await closedPort()), "-d", "0.2", "-c", "1"]);
  assert.is(refused.code, 1);
  assert.match(refused.stdout, /round trips: 0 /);
  assert.match(refused.stdout, /failures: +\d+ \(first: .*refused/i);
  const usage = await runMain(["bench", "echo"]);
  assert.is(usage.code, 2);
  assert.match(usage.stderr, /^anynet bench echo: --port PORT is required\n/);
});

test("anynet bench echo reports what it did so far on SIGINT", async () => {
  const server = await startTestEcho();
  try {
    const proc = startCli(["bench", "echo", "--port", String(server.port), "-c", "2", "-d", "60", "--json"]);
    await waitFor("traffic", () => server.bytes() > 0);
    const { code } = await proc.stop("SIGINT");
    assert.is(code, 0, proc.stderr());
    const r = JSON.parse(proc.stdout()) as EchoLoadResult;
    assert.ok(r.durationMs < 30000);
    assert.ok(r.roundTrips > 0);
    await server.settled();
    assert.is(server.bytes(), r.roundTrips * 64);
  } finally {
    await server.close();
  }
});

async function waitFor(what: string, condition: () => boolean, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test.run();
