/**
 * `anynet echo-server` (and the blocking example server) against peers that fail before
 * they could be served: clients that reset at once, TLS clients that reject the
 * certificate, abandon or stall the handshake. The server must go on, log what it
 * dropped, let go of every socket, and count stalled handshakes against its limits.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { echo } from "anynet/echo";
import { announceSkip } from "../_helpers/env.ts";
import { hasPython } from "../_helpers/http_python.ts";
import { type CliProcess, startEchoServer } from "../_helpers/net_process.ts";
import { eventually, openFiles, runPeer } from "../_helpers/net_peers.ts";
import { hasOpenssl, makeTestPki, type TestPki } from "../_helpers/tls_pki.ts";
import { startServerExample } from "../_helpers/tour_examples.ts";

const python = hasPython();
if (!python) announceSkip("python3 is not installed: the accept-path abuse tests of echo-server are skipped");
const tlsReady = python && hasOpenssl();
if (python && !tlsReady) announceSkip("openssl is not installed: the TLS handshake abuse tests are skipped");

let pki: TestPki | undefined;
test.before(() => {
  if (tlsReady) pki = makeTestPki();
});
test.after(() => pki?.cleanup());

const tlsFlags = () => ["--tls", "--cert", pki!.certPath, "--key", pki!.keyPath];

async function assertServes(port: number, tls = false): Promise<void> {
  const reply = await echo("still serving", {
    hostname: tls ? "localhost" : "127.0.0.1",
    port,
    tls: tls ? { caCerts: [pki!.caCert] } : undefined,
    timeout: 20_000,
  });
  assert.is(reply, "still serving");
}

async function stopCleanly(proc: CliProcess): Promise<void> {
  const { code } = await proc.stop("SIGTERM");
  assert.is(code, 0, `the server exits 0 after the abuse\n${proc.stderr()}`);
}

/** Waits until the server's open files are back near `baseline` (each failed peer's socket closed). */
async function assertReleased(proc: CliProcess, baseline: number | undefined, what: string): Promise<void> {
  if (baseline === undefined) {
    announceSkip("no /proc: the server's open sockets are not counted");
    return;
  }
  const pid = proc.child.pid;
  const released = await eventually(() => (openFiles(pid) ?? 0) <= baseline + 2, 15_000);
  assert.ok(released, `${what}: the server had ${baseline} open files before, ${openFiles(pid)} after`);
}

(python ? test : test.skip)(
  "clients that connect and reset at once do not stop echo-server; drops are logged",
  async () => {
    const { proc, port } = await startEchoServer();
    try {
      await runPeer("reset", [port, 60]);
      await assertServes(port);
      const log = proc.stderr().split("\n");
      for (const line of log.filter((l) => l.startsWith("dropped"))) {
        assert.match(line, /^dropped a connection: the peer reset it before it could be served$/);
      }
      // Every connection it logs has a real peer address, never one made up for a socket without one.
      for (const line of log.filter((l) => /^(connection from|closed|error on) /.test(l))) {
        assert.match(line, /^(connection from|closed|error on) 127\.0\.0\.1:[1-9]\d*\b/, line);
      }
      assert.not.match(proc.stderr(), /Cannot accept/);
    } finally {
      await stopCleanly(proc);
    }
  },
);

(python ? test : test.skip)("examples/echo_server.mjs keeps serving after clients that reset at once", async () => {
  const server = await startServerExample("echo_server.mjs", ["0"]);
  try {
    await runPeer("reset", [server.port, 30]);
    await assertServes(server.port);
  } finally {
    const { code, stdout, stderr } = await server.stop();
    assert.is(code, 0, `${stdout}${stderr}`);
  }
});

(tlsReady ? test : test.skip)(
  "TLS clients that reject the certificate or abandon the handshake neither stop echo-server --tls nor keep its sockets",
  async () => {
    const { proc, port } = await startEchoServer(tlsFlags());
    try {
      await assertServes(port, true);
      const baseline = openFiles(proc.child.pid);
      assert.equal(await runPeer("tls-reject", [port, 10, pki!.caPath]), { rejected: 10 });
      await runPeer("reset", [port, 20]);
      for (const mode of ["fin", "partial-fin", "partial-reset"]) await runPeer("tls-abandon", [port, 40, mode]);
      await assertServes(port, true);
      await assertReleased(proc, baseline, "130 failed handshakes");
      assert.not.match(proc.stderr(), /Cannot accept/);
    } finally {
      await stopCleanly(proc);
    }
  },
);

(tlsReady ? test : test.skip)(
  "stalled TLS handshakes count against --max-connections and --idle-timeout: all are closed in seconds",
  async () => {
    const { proc, port } = await startEchoServer([...tlsFlags(), "--max-connections", "5", "--idle-timeout", "1"]);
    try {
      const baseline = openFiles(proc.child.pid);
      const result = await runPeer("tls-stall", [port, 30, 15]) as { closed: number; open: number; latest: number };
      // 25 are refused at once (the server is full), the 5 admitted ones are closed as idle.
      assert.is(result.closed, 30, `stalled handshakes the server closed: ${JSON.stringify(result)}`);
      assert.ok(result.latest < 10, `the last one was closed after ${result.latest} s`);
      assert.match(proc.stderr(), /refused .*more than 5 connections/);
      assert.match(proc.stderr(), /idle timeout/);
      await assertReleased(proc, baseline, "30 stalled handshakes");
      await assertServes(port, true);
    } finally {
      await stopCleanly(proc);
    }
  },
);

test.run();
