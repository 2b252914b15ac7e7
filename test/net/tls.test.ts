import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, type Connection, listen, type Listener, TlsError } from "anynet/net";
import { announceSkip } from "../_helpers/env.ts";
import { hasPython } from "../_helpers/http_python.ts";
import { rejects } from "../_helpers/net_assert.ts";
import { eventually, openFiles, startSniServer } from "../_helpers/net_peers.ts";
import { echoEveryConnection, firstDifference, pattern, roundTrip, sameBytes } from "../_helpers/net_bytes.ts";
import { hasOpenssl, makeTestPki, type TestPki } from "../_helpers/tls_pki.ts";

const available = hasOpenssl();
if (!available) announceSkip("openssl is not installed: TLS tests skipped");
const tlsTest = available ? test : test.skip;
let pki: TestPki;

test.before(() => {
  if (available) pki = makeTestPki();
});
test.after(() => pki?.cleanup());

const text = (bytes: Uint8Array | null) => (bytes ? new TextDecoder().decode(bytes) : null);

/** A TLS echo listener; connection failures are collected instead of thrown. */
async function tlsEcho(alpnProtocols?: string[]): Promise<{ listener: Listener; failures: unknown[] }> {
  const listener = await listen({ port: 0, tls: { cert: pki.cert, key: pki.key, alpnProtocols } });
  return { listener, failures: echoEveryConnection(listener).failures };
}

tlsTest("connect() with tls and the test CA reaches a TLS listener and echoes 2 MiB", async () => {
  const { listener } = await tlsEcho();
  try {
    const conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port, tls: { caCerts: [pki.caCert] } });
    const data = pattern(2 * 1024 * 1024, 9);
    const back = await roundTrip(conn, data);
    conn.close();
    assert.ok(sameBytes(back, data), firstDifference(back, data));
  } finally {
    listener.close();
  }
});

tlsTest("connect() sends the serverName as SNI and checks the certificate against it", async () => {
  const { listener } = await tlsEcho();
  try {
    const conn = await connect({
      hostname: "127.0.0.1",
      port: listener.addr.port,
      tls: { caCerts: [pki.caCert], serverName: "localhost" },
    });
    await conn.write("sni");
    assert.is(text(await conn.read()), "sni");
    conn.close();
    const error = await rejects(
      () =>
        connect({
          hostname: "127.0.0.1",
          port: listener.addr.port,
          tls: { caCerts: [pki.caCert], serverName: "wrong.example" },
        }),
      TlsError,
    );
    assert.is((error as TlsError).code, "ETLS");
    assert.match((error as Error).message, /: the certificate is not valid for this host name \(.+\)$/);
  } finally {
    listener.close();
  }
});

const sniTest = available && hasPython() ? test : test.skip;
if (available && !hasPython()) announceSkip("python3 is not installed: the SNI test is skipped");

sniTest("connect() sends a host name as SNI and never an IP address (RFC 6066), v4 or v6", async () => {
  const server = await startSniServer(pki.certPath, pki.keyPath);
  try {
    const port = server.port;
    const attempt = async (tls: { serverName?: string }, hostname = "127.0.0.1") => {
      try {
        const conn = await connect({ hostname, port, tls: { caCerts: [pki.caCert], ...tls }, timeout: 10_000 });
        conn.close();
        return "ok";
      } catch (error) {
        return error instanceof TlsError ? "tls error" : String(error);
      }
    };
    // The certificate is valid for localhost and 127.0.0.1: both verify, only the name is sent.
    assert.is(await attempt({}), "ok", "the IP address it connects to, as the name to verify");
    assert.is(await attempt({ serverName: "127.0.0.1" }), "ok");
    assert.is(await attempt({}, "localhost"), "ok", "a host name it connects to");
    assert.is(await attempt({ serverName: "localhost" }), "ok");
    // Not in the certificate: verification fails, and still no IP address went out as SNI.
    assert.is(await attempt({ serverName: "::1" }), "tls error");
    assert.match(await attempt({ serverName: "[::ffff:127.0.0.1]" }), /^(ok|tls error)$/);
    assert.ok(await eventually(() => server.names().length === 6, 5000), `hellos: ${server.names().length}`);
    assert.equal(server.names(), [null, null, "localhost", "localhost", null, null]);
  } finally {
    await server.stop();
  }
});

tlsTest("connect() rejects an untrusted certificate with TlsError (verification is on by default)", async () => {
  const { listener } = await tlsEcho();
  try {
    const error = await rejects(
      () => connect({ hostname: "127.0.0.1", port: listener.addr.port, tls: true }),
      TlsError,
    );
    assert.ok((error as Error).cause !== undefined);
    assert.match((error as Error).message, /: the certificate is not trusted \(.+\); give the CA .*'caCerts'/);
    await rejects(
      () => connect({ hostname: "127.0.0.1", port: listener.addr.port, tls: { caCerts: [pki.otherCaCert] } }),
      TlsError,
    );
  } finally {
    listener.close();
  }
});

tlsTest("a connect() whose certificate check fails closes its socket (no file descriptor left behind)", async () => {
  if (openFiles() === undefined) {
    announceSkip("no /proc/self/fd: the descriptor count cannot be read");
    return;
  }
  const listener = await listen({ port: 0, tls: { cert: pki.cert, key: pki.key } });
  (async () => {
    for await (const conn of listener) conn.read().catch(() => null).finally(() => conn.close());
  })();
  try {
    const failing = [{ serverName: "wrong.example", caCerts: [pki.caCert] }, { caCerts: [pki.otherCaCert] }];
    // One of each first: the runtime's TLS and DNS machinery opens what it keeps for good.
    for (const tls of failing) {
      await rejects(() => connect({ hostname: "127.0.0.1", port: listener.addr.port, tls }), TlsError);
    }
    const before = openFiles()!;
    for (let i = 0; i < 10; i++) {
      for (const tls of failing) {
        await rejects(() => connect({ hostname: "127.0.0.1", port: listener.addr.port, tls }), TlsError);
      }
    }
    // The server's side of each closes at once; the client's must be closed already.
    const settled = await eventually(() => openFiles()! <= before + 2, 5000);
    assert.ok(settled, `open files: ${before} before 20 failed handshakes, ${openFiles()} after`);
  } finally {
    listener.close();
  }
});

tlsTest("ALPN: the protocol both sides offer is agreed", async () => {
  const { listener } = await tlsEcho(["echo/1", "http/1.1"]);
  try {
    const conn: Connection = await connect({
      hostname: "localhost",
      port: listener.addr.port,
      tls: { caCerts: [pki.caCert], alpnProtocols: ["echo/1"] },
    });
    assert.is(conn.alpnProtocol, "echo/1");
    await conn.write("alpn");
    assert.is(text(await conn.read()), "alpn");
    conn.close();
  } finally {
    listener.close();
  }
});

tlsTest("plain text sent to a TLS listener fails that connection only", async () => {
  const { listener } = await tlsEcho();
  try {
    const plain = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
    await plain.write("GET / HTTP/1.0\r\n\r\n");
    // The server answers with a TLS alert or just closes; either way the stream ends.
    const end = await (async () => {
      try {
        while (await plain.read());
        return "end";
      } catch {
        return "error";
      }
    })();
    assert.ok(end === "end" || end === "error");
    plain.close();
    const conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port, tls: { caCerts: [pki.caCert] } });
    await conn.write("still serving");
    assert.is(text(await conn.read()), "still serving");
    conn.close();
  } finally {
    listener.close();
  }
});

tlsTest("connect() with tls to a plain TCP server rejects with TlsError", async () => {
  const plain = await listen({ port: 0 });
  (async () => {
    for await (const conn of plain) {
      await conn.write("SSH-2.0-not-tls\r\n").catch(() => {});
      conn.close();
    }
  })();
  try {
    const error = await rejects(
      () => connect({ hostname: "127.0.0.1", port: plain.addr.port, tls: { caCerts: [pki.caCert] }, timeout: 10000 }),
      (e) => e instanceof TlsError || (e as { code?: string }).code === "ECONNRESET",
    );
    if (error instanceof TlsError) assert.match(error.message, /: the peer does not speak TLS on this port \(.+\)$/);
  } finally {
    plain.close();
  }
});

test.run();
