/**
 * listen() under abuse, on the runtime under test: peers that reset before the server
 * could look at them, TLS clients that reject the certificate, abandon or stall the
 * handshake. The listener must go on, yield only connections with a real peer address,
 * count the ones it drops, and let go of every socket it no longer serves.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, type Connection, formatAddr, listen, NetError, TimedOutError } from "anynet/net";
import { announceSkip } from "../_helpers/env.ts";
import { rejects } from "../_helpers/net_assert.ts";
import { hasPython } from "../_helpers/http_python.ts";
import { eventually, openFiles, runPeer } from "../_helpers/net_peers.ts";
import { echoEveryConnection } from "../_helpers/net_bytes.ts";
import { hasOpenssl, makeTestPki, type TestPki } from "../_helpers/tls_pki.ts";

const python = hasPython();
if (!python) announceSkip("python3 is not installed: the abusive peer tests of listen() are skipped");
const tlsReady = python && hasOpenssl();
if (python && !tlsReady) announceSkip("openssl is not installed: the TLS abuse tests of listen() are skipped");

let pki: TestPki | undefined;
test.before(() => {
  if (tlsReady) pki = makeTestPki();
});
test.after(() => pki?.cleanup());

const IP_ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:.]*:[0-9a-f:.]*)$/i;

function assertRealAddresses(conns: Connection[]): void {
  for (const conn of conns) {
    const { hostname, port } = conn.remoteAddr;
    assert.ok(
      typeof hostname === "string" && IP_ADDRESS.test(hostname) && Number.isInteger(port) && port > 0 && port < 65536,
      `a connection was yielded with the peer address ${JSON.stringify(conn.remoteAddr)}`,
    );
  }
}

async function assertEchoes(port: number, tls?: { caCerts: string[] }): Promise<void> {
  const conn = await connect({ hostname: tls ? "localhost" : "127.0.0.1", port, tls, timeout: 20_000 });
  try {
    await conn.write("still serving");
    assert.is(new TextDecoder().decode((await conn.read())!), "still serving");
  } finally {
    conn.close();
  }
}

(python ? test : test.skip)(
  "listen() goes on after clients that reset at once: each is yielded with its address or counted as dropped",
  async () => {
    const dropped: NetError[] = [];
    const listener = await listen({ port: 0, onDroppedConnection: (error) => dropped.push(error) });
    const served = echoEveryConnection(listener);
    try {
      const resets = 60;
      await runPeer("reset", [listener.addr.port, resets]);
      await assertEchoes(listener.addr.port);
      assert.is(served.iterationError(), undefined, `the iteration ended: ${served.iterationError()}`);
      assertRealAddresses(served.yielded);
      // The well-behaved client is the last one yielded; every reset one is yielded or dropped.
      const settled = await eventually(
        () => served.yielded.length - 1 + listener.droppedConnections === resets,
        10_000,
      );
      assert.ok(
        settled,
        `${resets} resets: ${served.yielded.length - 1} yielded, ${listener.droppedConnections} dropped`,
      );
      assert.is(dropped.length, listener.droppedConnections, "onDroppedConnection is called for each drop");
      for (const error of dropped) {
        assert.instance(error, NetError);
        assert.match(error.message, new RegExp(`^Cannot accept a connection on ${formatAddr(listener.addr)}: `));
      }
    } finally {
      listener.close();
      await served.running;
    }
  },
);

(tlsReady ? test : test.skip)(
  "a TLS listener goes on after clients that reject its certificate or abandon the handshake, and lets go of their sockets",
  async () => {
    const listener = await listen({ port: 0, tls: { cert: pki!.cert, key: pki!.key } });
    const served = echoEveryConnection(listener);
    try {
      const port = listener.addr.port;
      await assertEchoes(port, { caCerts: [pki!.caCert] });
      const baseline = openFiles();
      const rejected = await runPeer("tls-reject", [port, 10, pki!.caPath]);
      assert.equal(rejected, { rejected: 10 });
      for (const mode of ["fin", "partial-fin", "partial-reset"]) await runPeer("tls-abandon", [port, 20, mode]);
      await assertEchoes(port, { caCerts: [pki!.caCert] });
      assert.is(served.iterationError(), undefined, `the iteration ended: ${served.iterationError()}`);
      assertRealAddresses(served.yielded);
      if (baseline === undefined) {
        announceSkip("no /proc: the listener's open sockets are not counted");
      } else {
        // Each abandoned handshake must be closed, not left half-open (CLOSE-WAIT) for good.
        const released = await eventually(() => openFiles()! <= baseline + 2, 10_000);
        assert.ok(released, `open files: ${baseline} before 70 failed handshakes, ${openFiles()} after`);
      }
    } finally {
      listener.close();
      await served.running;
    }
  },
);

(tlsReady ? test : test.skip)(
  "a TLS handshake that stalls is ended after tls.handshakeTimeout: reads reject with TimedOutError, the socket is released",
  async () => {
    const listener = await listen({ port: 0, tls: { cert: pki!.cert, key: pki!.key, handshakeTimeout: 500 } });
    const served = echoEveryConnection(listener);
    try {
      const baseline = openFiles();
      const stalled = 20;
      const result = await runPeer("tls-stall", [listener.addr.port, stalled, 15]) as {
        closed: number;
        latest: number | null;
      };
      assert.is(result.closed, stalled, `stalled handshakes closed by the server: ${JSON.stringify(result)}`);
      assert.ok(result.latest! < 10, `the last one was closed after ${result.latest} s`);
      assert.ok(await eventually(() => served.failures.length === stalled, 5000), `${served.failures.length} failed`);
      for (const error of served.failures) {
        assert.instance(error, TimedOutError);
        assert.match((error as Error).message, /the TLS handshake did not finish within 500 ms/);
      }
      if (baseline !== undefined) {
        assert.ok(await eventually(() => openFiles()! <= baseline + 2, 10_000), `open files: ${openFiles()}`);
      }
      await assertEchoes(listener.addr.port, { caCerts: [pki!.caCert] });
    } finally {
      listener.close();
      await served.running;
    }
  },
);

(tlsReady ? test : test.skip)("listen() checks tls.handshakeTimeout: a positive number of milliseconds", async () => {
  for (const bad of [0, -1, Number.NaN, "1000"]) {
    const error = await rejects(() =>
      listen({ port: 0, tls: { cert: pki!.cert, key: pki!.key, handshakeTimeout: bad as number } })
    );
    assert.ok(error instanceof RangeError || error instanceof TypeError, String(error));
    assert.match((error as Error).message, /^Cannot listen: 'tls\.handshakeTimeout' /);
  }
});

test.run();
