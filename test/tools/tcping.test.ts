import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConnectionRefusedError, listen, type Listener } from "anynet/net";
import { parseHostPort, summarizeTcping, tcping, type TcpingProbe, type TcpingSummary } from "anynet/tools";
import { runCli, runMain } from "../_helpers/cli.ts";
import { announceSkip } from "../_helpers/env.ts";
import { startCli } from "../_helpers/net_process.ts";

let listener: Listener;
let openPort = 0;
let closedPort = 0;
let accepted = 0;

test.before(async () => {
  listener = await listen({ hostname: "127.0.0.1", port: 0 });
  openPort = listener.addr.port;
  (async () => {
    for await (const conn of listener) {
      accepted++;
      conn.close();
    }
  })();
  // A port that was just free: nothing listens there now.
  const probe = await listen({ hostname: "127.0.0.1", port: 0 });
  closedPort = probe.addr.port;
  probe.close();
});

test.after(() => {
  listener.close();
});

async function collect(
  gen: AsyncGenerator<TcpingProbe, TcpingSummary, void>,
): Promise<{ probes: TcpingProbe[]; summary: TcpingSummary }> {
  const probes: TcpingProbe[] = [];
  for (;;) {
    const next = await gen.next();
    if (next.done) return { probes, summary: next.value };
    probes.push(next.value);
  }
}

test("tcping() connects to a listening port once per probe and summarizes the times", async () => {
  const before = accepted;
  const { probes, summary } = await collect(tcping({ hostname: "127.0.0.1", port: openPort, count: 3, interval: 50 }));
  assert.equal(probes.map((p) => [p.seq, p.ok]), [[1, true], [2, true], [3, true]]);
  for (const p of probes) assert.ok(p.timeMs > 0 && p.timeMs < 2000, `time ${p.timeMs}`);
  assert.is(summary.target, `127.0.0.1:${openPort}`);
  assert.is(summary.probes, 3);
  assert.is(summary.ok, 3);
  assert.is(summary.failedPercent, 0);
  const times = probes.map((p) => p.timeMs);
  assert.is(summary.minMs, Math.min(...times));
  assert.is(summary.maxMs, Math.max(...times));
  assert.ok(Math.abs(summary.avgMs! - (times[0] + times[1] + times[2]) / 3) < 1e-9);
  assert.ok(summary.mdevMs! >= 0);
  // The server saw each probe (allow a moment for the last accept).
  for (let i = 0; i < 50 && accepted - before < 3; i++) await new Promise((r) => setTimeout(r, 20));
  assert.is(accepted - before, 3);
});

test("tcping() reports a refused connection for each probe of a closed port", async () => {
  const { probes, summary } = await collect(tcping({ port: closedPort, count: 2, interval: 20 }));
  assert.is(probes.length, 2);
  for (const p of probes) {
    assert.is(p.ok, false);
    assert.instance(p.error, ConnectionRefusedError);
  }
  assert.equal([summary.probes, summary.ok, summary.failedPercent, summary.minMs, summary.mdevMs], [
    2,
    0,
    100,
    null,
    null,
  ]);
});

test("tcping() counts an address that does not answer as failed, within 'timeout'", async () => {
  // 192.0.2.1 (TEST-NET-1) never answers, so this times out; a sandbox may refuse or
  // call it unreachable at once instead. Either way the probe fails, and in time.
  const started = Date.now();
  const { probes } = await collect(tcping({ hostname: "192.0.2.1", port: 9, count: 1, timeout: 300 }));
  assert.is(probes[0].ok, false);
  assert.ok(probes[0].error!.code !== "EUNKNOWN", probes[0].error!.message);
  if (probes[0].error!.code === "ETIMEDOUT") assert.ok(probes[0].timeMs >= 290, `${probes[0].timeMs} ms`);
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});

test("tcping() stops when its signal aborts and summarizes the probes so far", async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const { probes, summary } = await collect(
    tcping({ port: openPort, count: Infinity, interval: 100, signal: controller.signal }),
  );
  assert.ok(probes.length >= 1 && probes.length <= 10, `${probes.length} probes`);
  assert.is(summary.probes, probes.length);
  assert.is(summary.ok, probes.length);
});

test("tcping() rejects bad options before any probe", () => {
  assert.throws(
    () => tcping({ port: 0 }),
    (e: unknown) => e instanceof RangeError && /'port' must be an integer from 1 to 65535: got 0/.test(e.message),
  );
  assert.throws(() => tcping({ port: 80, count: 0 }), /'count' must be a positive integer or Infinity: got 0/);
  assert.throws(() => tcping({ port: 80, interval: -1 }), /'interval' must be a positive number of milliseconds/);
  assert.throws(() => tcping({ port: 80, timeout: Number.NaN }), /'timeout'/);
  assert.throws(() => tcping({ hostname: "a b", port: 80 }), (e: unknown) => e instanceof TypeError);
  assert.throws(() => tcping({ port: 80, cont: 3 } as never), /unknown option 'cont' \(did you mean 'count'\?\)/);
});

test("summarizeTcping() computes min/avg/max/mdev as ping does", () => {
  const s = summarizeTcping("h:1", [
    { seq: 1, ok: true, timeMs: 1 },
    { seq: 2, ok: false, timeMs: 5 },
    { seq: 3, ok: true, timeMs: 3 },
    { seq: 4, ok: true, timeMs: 2 },
  ]);
  assert.equal([s.probes, s.ok, s.failedPercent, s.minMs, s.avgMs, s.maxMs], [4, 3, 25, 1, 2, 3]);
  assert.ok(Math.abs(s.mdevMs! - Math.sqrt(2 / 3)) < 1e-12);
  assert.equal(summarizeTcping("h:1", []).failedPercent, 0);
});

test("parseHostPort() reads IPv4, names and bracketed IPv6, and says what is wrong", () => {
  assert.equal(parseHostPort("127.0.0.1:80"), { hostname: "127.0.0.1", port: 80 });
  assert.equal(parseHostPort("example.com:443"), { hostname: "example.com", port: 443 });
  assert.equal(parseHostPort("[::1]:8080"), { hostname: "::1", port: 8080 });
  assert.equal(parseHostPort("[fe80::1%eth0]:22"), { hostname: "fe80::1%eth0", port: 22 });
  assert.equal(parseHostPort("localhost:0", { allowPortZero: true }), { hostname: "localhost", port: 0 });
  assert.throws(() => parseHostPort("localhost:0"), /the port must be from 1 to 65535: got 0/);
  assert.throws(() => parseHostPort("host:70000"), (e: unknown) => e instanceof RangeError);
  assert.throws(() => parseHostPort("::1:80"), /write an IPv6 address in brackets, as \[::1\]:80/);
  assert.throws(() => parseHostPort("host"), /the port is missing/);
  assert.throws(() => parseHostPort(":80"), /the host is missing/);
  assert.throws(() => parseHostPort("host:http"), /'http' is not a port number/);
  assert.throws(() => parseHostPort("[127.0.0.1]:80"), /brackets are for IPv6/);
  assert.throws(() => parseHostPort("[::1]80"), /expected \[IPV6\]:PORT/);
});

test("anynet tcping prints a line per probe and ping's summary; exit 0", async () => {
  const run = await runCli(["tcping", `127.0.0.1:${openPort}`, "--count", "2", "--interval", "0.05"]);
  assert.is(run.code, 0, run.stderr);
  const lines = run.stdout.trimEnd().split("\n");
  assert.is(lines[0], `TCPING 127.0.0.1:${openPort}`);
  assert.match(lines[1], new RegExp(`^connected to 127\\.0\\.0\\.1:${openPort}: seq=1 time=\\d+\\.\\d{3} ms$`));
  assert.match(lines[2], /: seq=2 time=\d+\.\d{3} ms$/);
  assert.is(lines[3], `--- 127.0.0.1:${openPort} tcping statistics ---`);
  assert.match(
    lines[4],
    /^2 probes, 2 ok, 0% failed, min\/avg\/max\/mdev = \d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3} ms$/,
  );
  assert.is(lines.length, 5);
});

test("anynet tcping exits 1 when every probe failed", async () => {
  const run = await runCli(["tcping", `127.0.0.1:${closedPort}`, "-c", "2", "-i", "0.05"]);
  assert.is(run.code, 1);
  assert.match(
    run.stdout,
    new RegExp(`no connection to 127\\.0\\.0\\.1:${closedPort}: seq=1 connection refused after`),
  );
  assert.match(run.stdout, /\n2 probes, 0 ok, 100% failed\n$/);
});

test("anynet tcping rejects a bad HOST:PORT with a one-line usage error; exit 2", async () => {
  for (const [i, arg] of ["::1:80", "nohost", "127.0.0.1:99999", "[::1]:x"].entries()) {
    const run = await (i === 0 ? runCli : runMain)(["tcping", arg]);
    assert.is(run.code, 2, arg);
    assert.is(run.stdout, "");
    const [first] = run.stderr.split("\n");
    assert.match(first, new RegExp(`^anynet tcping: '${arg.replace(/[[\]]/g, "\\$&")}' is not HOST:PORT: `));
    assert.not.match(run.stderr, /at .*\.ts:\d+/);
  }
});

test("anynet tcping takes [::1]:PORT", async () => {
  let v6: Listener;
  try {
    v6 = await listen({ hostname: "::1", port: 0 });
  } catch {
    announceSkip("no IPv6 loopback here: [::1]:PORT not tried");
    return;
  }
  try {
    const run = await runCli(["tcping", `[::1]:${v6.addr.port}`, "-c", "1"]);
    assert.is(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, new RegExp(`connected to \\[::1\\]:${v6.addr.port}: seq=1 `));
  } finally {
    v6.close();
  }
});

test("anynet tcping prints the summary so far on SIGINT", async () => {
  const proc = startCli(["tcping", `127.0.0.1:${openPort}`, "--count", "0", "--interval", "0.1"]);
  const deadline = Date.now() + 30000;
  while ((proc.stdout().match(/seq=/g) ?? []).length < 2 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
  }
  const { code } = await proc.stop("SIGINT");
  assert.is(code, 0, proc.stderr());
  const probes = (proc.stdout().match(/seq=/g) ?? []).length;
  assert.ok(probes >= 2);
  assert.match(
    proc.stdout(),
    new RegExp(`--- 127\\.0\\.0\\.1:${openPort} tcping statistics ---\\n${probes} probes, ${probes} ok, 0% failed, `),
  );
});

test.run();
