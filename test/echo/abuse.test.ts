/**
 * The echo server under abuse, on the runtime under test (the CLI server is spawned on
 * it): each misbehaving client must leave the server running and the others served.
 */
import { existsSync, readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { echo } from "anynet/echo";
import { connect } from "anynet/net";
import { announceSkip } from "../_helpers/env.ts";
import { hasPython } from "../_helpers/http_python.ts";
import { firstDifference, pattern, roundTrip, sameBytes } from "../_helpers/net_bytes.ts";
import { runPeer } from "../_helpers/net_peers.ts";
import { type CliProcess, startEchoServer } from "../_helpers/net_process.ts";
import { hasOpenssl, makeTestPki } from "../_helpers/tls_pki.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A well-behaved client's check: a 100 KB echo comes back intact. */
async function assertServes(port: number, label: string): Promise<void> {
  const data = pattern(100_000, label.length);
  const back = await echo(data, { port, timeout: 20000 });
  assert.ok(sameBytes(back, data), `${label}: ${firstDifference(back, data)}`);
}

async function stopCleanly(proc: CliProcess): Promise<void> {
  const { code } = await proc.stop("SIGTERM");
  assert.is(code, 0, `the server exits 0 after the abuse\n${proc.stderr()}`);
}

function rssKiB(pid: number | undefined): number | undefined {
  const path = `/proc/${pid}/status`;
  if (pid === undefined || !existsSync(path)) return undefined;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(path, "utf8"));
  return match ? Number(match[1]) : undefined;
}

test("a client that resets mid-stream does not disturb the server or other clients", async () => {
  const { proc, port } = await startEchoServer();
  const other = await connect({ port });
  const otherData = pattern(2_000_000, 11);
  const otherRound = roundTrip(other, otherData, 16 * 1024);
  for (let i = 0; i < 5; i++) {
    const rude = await connect({ port });
    await rude.write(pattern(300_000, i));
    await rude.read();
    rude.reset();
  }
  const back = await otherRound;
  other.close();
  assert.ok(sameBytes(back, otherData), firstDifference(back, otherData));
  await assertServes(port, "after resets");
  await stopCleanly(proc);
});

test("a client that half-closes gets all its echo, then FIN", async () => {
  const { proc, port } = await startEchoServer();
  const conn = await connect({ port });
  const data = pattern(3_000_000, 12);
  const back = await roundTrip(conn, data);
  conn.close();
  assert.ok(sameBytes(back, data), firstDifference(back, data));
  await stopCleanly(proc);
});

test("a client that sends and never reads is not read from: memory stays bounded, others are served", async () => {
  const { proc, port } = await startEchoServer();
  const before = rssKiB(proc.child.pid);
  const hog = await connect({ port });
  let accepted = 0;
  let stop = false;
  const chunk = pattern(1024 * 1024, 13);
  const writing = (async () => {
    while (!stop && accepted < 512 * 1024 * 1024) {
      await hog.write(chunk);
      accepted += chunk.byteLength;
    }
  })().catch(() => {});
  await sleep(1500);
  await assertServes(port, "while a client hogs");
  const during = rssKiB(proc.child.pid);
  // The kernel's socket buffers on both sides plus the server's bounded read queue:
  // a few MB, never the hundreds the client tried to send.
  assert.ok(accepted < 128 * 1024 * 1024, `the server kept reading: ${accepted} bytes accepted`);
  if (before !== undefined && during !== undefined) {
    assert.ok(during - before < 200 * 1024, `server memory grew by ${during - before} KiB`);
  } else {
    announceSkip("no /proc: the server's memory is not measured");
  }
  stop = true;
  hog.close();
  await writing;
  await assertServes(port, "after the hog left");
  await stopCleanly(proc);
});

test("a client that connects and sends nothing is closed after --idle-timeout; others are served", async () => {
  const { proc, port } = await startEchoServer(["--idle-timeout", "0.5"]);
  const silent = await connect({ port });
  await assertServes(port, "beside a silent client");
  const started = Date.now();
  assert.is(await silent.read(), null, "the silent client is closed");
  assert.ok(Date.now() - started < 10000);
  silent.close();
  assert.match(proc.stderr(), /idle timeout/);
  await assertServes(port, "after the idle close");
  await stopCleanly(proc);
});

test("more clients than --max-connections are refused cleanly; the admitted ones are served", async () => {
  const { proc, port } = await startEchoServer(["--max-connections", "3"]);
  const admitted = await Promise.all([1, 2, 3].map(() => connect({ port })));
  for (const conn of admitted) await conn.write("x");
  for (const conn of admitted) assert.is(new TextDecoder().decode((await conn.read())!), "x");
  const extra = await Promise.all(Array.from({ length: 10 }, () => connect({ port })));
  for (const conn of extra) {
    // Closed at once: end of stream (or a reset), never an echo.
    const got = await conn.read().catch(() => null);
    assert.is(got, null);
    conn.close();
  }
  for (const conn of admitted) {
    await conn.write("still");
    assert.is(new TextDecoder().decode((await conn.read())!), "still");
    conn.close();
  }
  await sleep(100);
  await assertServes(port, "after the crowd");
  assert.match(proc.stderr(), /refused .*more than 3 connections/);
  await stopCleanly(proc);
});

const python = hasPython();
if (!python) announceSkip("python3 is not installed: the --max-connections end-of-stream test is skipped");

for (const tls of [false, true]) {
  const runnable = python && (!tls || hasOpenssl());
  (runnable ? test : test.skip)(
    `a client beyond --max-connections${
      tls ? " --tls" : ""
    } reads the end of the stream first, whether or not it sent bytes`,
    async () => {
      const pki = tls ? makeTestPki() : undefined;
      const tlsFlags = pki ? ["--tls", "--cert", pki.certPath, "--key", pki.keyPath] : [];
      const { proc, port } = await startEchoServer(["--max-connections", "1", ...tlsFlags]);
      const admitted = await connect({
        hostname: pki ? "localhost" : "127.0.0.1",
        port,
        tls: pki ? { caCerts: [pki.caCert] } : undefined,
      });
      try {
        await admitted.write("in");
        assert.is(new TextDecoder().decode((await admitted.read())!), "in");
        // The same answer on every runtime: a clean close (FIN) before anything is read, never a reset.
        assert.equal(await runPeer("refused", [port, 5, 0]), ["eof", "eof", "eof", "eof", "eof"]);
        assert.equal(await runPeer("refused", [port, 5, 1]), ["eof", "eof", "eof", "eof", "eof"]);
        await admitted.write("still");
        assert.is(new TextDecoder().decode((await admitted.read())!), "still");
      } finally {
        admitted.close();
        await stopCleanly(proc);
        pki?.cleanup();
      }
    },
  );
}

const tlsTest = hasOpenssl() ? test : test.skip;
if (!hasOpenssl()) announceSkip("openssl is not installed: the plain-text-to-TLS abuse test is skipped");

tlsTest("plain text sent to the TLS port fails that connection only", async () => {
  const pki = makeTestPki();
  try {
    const { proc, port } = await startEchoServer(["--tls", "--cert", pki.certPath, "--key", pki.keyPath]);
    for (let i = 0; i < 3; i++) {
      const plain = await connect({ port });
      await plain.write("HELLO THIS IS NOT TLS\r\n\r\n");
      await plain.read().catch(() => null);
      plain.close();
    }
    const reply = await echo("over tls", { hostname: "localhost", port, tls: { caCerts: [pki.caCert] } });
    assert.is(reply, "over tls");
    await stopCleanly(proc);
  } finally {
    pki.cleanup();
  }
});

test.run();
