/**
 * classifyError() (src/_error_kind.ts) on the errors each runtime really throws: the
 * failures are provoked (a closed port, a reset, a name that cannot resolve, TLS with the
 * wrong certificate or no TLS at all, an answer that is not HTTP) and the runtime's own
 * error, which the public API keeps as `cause`, is classified again. Only the shapes no
 * test can provoke here (a kernel time-out, a denied port, a runtime without a feature)
 * are written by hand, as the runtime or the adapter makes them.
 *
 * @module
 */
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { get } from "anynet/http";
import { connect, listen } from "anynet/net";
import { announceSkip, testRuntime } from "./_helpers/env.ts";
import { importPrivate } from "./_helpers/private_module.ts";
import { hasOpenssl, makeTestPki } from "./_helpers/tls_pki.ts";

const { classifyError } = await importPrivate<typeof import("../src/_error_kind.ts")>("_error_kind");
type ClassifiedError = ReturnType<typeof classifyError>;

interface DenoLike {
  connect(
    options: { hostname: string; port: number },
  ): Promise<{ close(): void; read(p: Uint8Array): Promise<unknown> }>;
  errors: Record<string, new (message: string) => Error>;
}
const deno = (globalThis as { Deno?: DenoLike }).Deno;

/** What `run` failed with: the runtime's own error, which the public API keeps as `cause`. */
async function runtimeError(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    assert.ok((error as Error).cause !== undefined, `no cause on ${String(error)}`);
    return (error as Error).cause;
  }
  throw new Error("it did not fail");
}

const openSockets = new Map<net.Server, Set<net.Socket>>();

async function tcpServer(onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    onConnection(socket);
  });
  openSockets.set(server, sockets);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

const portOf = (server: net.Server) => (server.address() as AddressInfo).port;

/** Closes `server` and every connection it still has (a client may leave its side open after a failure). */
function closeServer(server: net.Server): Promise<void> {
  for (const socket of openSockets.get(server) ?? []) socket.destroy();
  openSockets.delete(server);
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

async function closedPort(): Promise<number> {
  const server = await tcpServer(() => {});
  const port = portOf(server);
  await closeServer(server);
  return port;
}

function assertKind(error: unknown, kind: string, what: string): ClassifiedError {
  const classified = classifyError(error);
  assert.is(classified.kind, kind, `${what}: ${JSON.stringify(classified)} from ${String(error)}`);
  assert.ok(classified.detail.length > 0, `${what}: no detail`);
  return classified;
}

test("a refused connection is 'refused' with the errno code, on sockets and in fetch", async () => {
  const port = await closedPort();
  const socket = assertKind(
    await runtimeError(() => connect({ hostname: "127.0.0.1", port })),
    "refused",
    "connect()",
  );
  assert.is(socket.code, "ECONNREFUSED");
  assertKind(await runtimeError(() => get(`http://127.0.0.1:${port}/`, { retry: 0 })), "refused", "fetch");
});

test("a name that does not resolve is 'host-not-found', on sockets and in fetch", async () => {
  assertKind(
    await runtimeError(() => connect({ hostname: "no-such-host.invalid", port: 80 })),
    "host-not-found",
    "connect()",
  );
  assertKind(
    await runtimeError(() => listen({ hostname: "no-such-host.invalid", port: 0 })),
    "host-not-found",
    "listen()",
  );
  const fetched = assertKind(
    await runtimeError(() => get("http://no-such-host.invalid/", { retry: 0 })),
    "host-not-found",
    "fetch",
  );
  // Deno's "error sending request for url (…): client error (Connect): " is dropped.
  assert.not.match(fetched.detail, /error sending request|client error/);
});

test("a reset by the peer is 'reset', on sockets and in fetch", async () => {
  const server = await tcpServer((socket) => socket.once("data", () => socket.resetAndDestroy()));
  try {
    const conn = await connect({ hostname: "127.0.0.1", port: portOf(server) });
    try {
      const error = await runtimeError(async () => {
        await conn.write(new Uint8Array(1000));
        // Deno's read() ends at a reset; the next write shows it.
        for (let i = 0; i < 100; i++) {
          if ((await conn.read()) === null) await conn.write(new Uint8Array(10));
        }
      });
      assert.is(assertKind(error, "reset", "read() or write()").code, "ECONNRESET");
    } finally {
      conn.close();
    }
    assertKind(await runtimeError(() => get(`http://127.0.0.1:${portOf(server)}/`, { retry: 0 })), "reset", "fetch");
  } finally {
    await closeServer(server);
  }
});

test("a socket used after it was closed is 'closed'", async () => {
  const server = await tcpServer(() => {});
  try {
    let error: unknown;
    if (deno) {
      const conn = await deno.connect({ hostname: "127.0.0.1", port: portOf(server) });
      conn.close();
      error = await conn.read(new Uint8Array(1)).then(() => undefined, (e) => e);
      assert.is((error as Error).name, "BadResource");
    } else {
      const socket = net.connect(portOf(server), "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.destroy();
      error = await new Promise((resolve) => socket.write("x", resolve));
    }
    assertKind(error, "closed", "a write or read after close");
  } finally {
    await closeServer(server);
  }
});

test("an address in use and an address not of this machine are told apart", async () => {
  const server = await tcpServer(() => {});
  try {
    const inUse = await runtimeError(() => listen({ hostname: "127.0.0.1", port: portOf(server) }));
    assert.is(assertKind(inUse, "address-in-use", "listen()").code, "EADDRINUSE");
  } finally {
    await closeServer(server);
  }
  // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine.
  const notHere = await runtimeError(() => listen({ hostname: "192.0.2.1", port: 0 }));
  assert.is(assertKind(notHere, "address-not-available", "listen()").code, "EADDRNOTAVAIL");
});

test("an answer that is not HTTP is 'not-http'", async () => {
  const server = await tcpServer((socket) => socket.once("data", () => socket.end("HTTP/1.1 abc OK\r\n\r\n")));
  try {
    assertKind(await runtimeError(() => get(`http://127.0.0.1:${portOf(server)}/`, { retry: 0 })), "not-http", "fetch");
  } finally {
    await closeServer(server);
  }
});

test("no TLS on a TLS connection is 'tls' / 'not-tls', and the OpenSSL line becomes its reason", async () => {
  const server = await tcpServer((socket) => socket.once("data", () => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n")));
  try {
    const port = portOf(server);
    const socket = assertKind(
      await runtimeError(async () => {
        const conn = await connect({ hostname: "127.0.0.1", port, tls: { serverName: "localhost" } });
        await conn.read().finally(() => conn.close());
      }),
      "tls",
      "connect()",
    );
    assert.is(socket.tls?.kind, "not-tls");
    assert.is(socket.tls?.says, "the peer does not speak TLS on this port");
    // OpenSSL (Node), BoringSSL (Bun) and rustls (Deno) say it each their way.
    assert.is(
      socket.detail,
      testRuntime === "deno" ? "received corrupt message of type InvalidContentType" : "wrong version number",
    );
    const fetched = assertKind(
      await runtimeError(() => get(`https://127.0.0.1:${port}/`, { retry: 0 })),
      "tls",
      "fetch",
    );
    assert.is(fetched.tls?.kind, "not-tls");
  } finally {
    await closeServer(server);
  }
});

const openssl = hasOpenssl();
if (!openssl) announceSkip("openssl is not installed: the certificate cases are skipped");

(openssl ? test : test.skip)(
  "an untrusted certificate and one for another name are 'tls', each in its words",
  async () => {
    const pki = makeTestPki();
    const listeners = [
      await listen({ hostname: "127.0.0.1", port: 0, tls: { cert: pki.cert, key: pki.key } }),
      await listen({ hostname: "127.0.0.2", port: 0, tls: { cert: pki.cert, key: pki.key } }),
    ];
    // The servers read, so that each handshake runs to its end.
    for (const listener of listeners) {
      void (async () => {
        for (;;) {
          const conn = await listener.accept().catch(() => null);
          if (!conn) return;
          conn.read().catch(() => {}).finally(() => conn.close());
        }
      })();
    }
    const [port, otherPort] = listeners.map((listener) => listener.addr.port);
    const handshake = (hostname: string, port: number, tls: { serverName: string; caCerts?: string[] }) => async () => {
      const conn = await connect({ hostname, port, tls });
      await conn.read().finally(() => conn.close());
    };
    try {
      const cases: [string, () => Promise<unknown>, string][] = [
        ["connect() without the CA", handshake("127.0.0.1", port, { serverName: "localhost" }), "untrusted"],
        [
          "connect() with another CA",
          handshake("127.0.0.1", port, { serverName: "localhost", caCerts: [pki.otherCaCert] }),
          "untrusted",
        ],
        [
          "connect() to another name",
          handshake("127.0.0.1", port, { serverName: "wrong.example", caCerts: [pki.caCert] }),
          "host-name",
        ],
        ["fetch without the CA", () => get(`https://localhost:${port}/`, { retry: 0 }), "untrusted"],
        [
          "fetch to another name",
          () => get(`https://127.0.0.2:${otherPort}/`, { retry: 0, ca: pki.caCert }),
          "host-name",
        ],
      ];
      for (const [what, run, tlsKind] of cases) {
        const classified = assertKind(await runtimeError(run), "tls", what);
        assert.is(classified.tls?.kind, tlsKind, `${what}: ${JSON.stringify(classified)}`);
      }
    } finally {
      for (const listener of listeners) {
        await listener.close();
      }
      pki.cleanup();
    }
  },
);

test("the shapes no test provokes here: a time-out, a denied port, a feature the runtime lacks", () => {
  // As the runtimes make them: Node and Bun set the errno code, Deno throws its own class.
  const timedOut = deno
    ? new deno.errors.TimedOut("Connection timed out (os error 110)")
    : Object.assign(new Error("connect ETIMEDOUT 10.255.255.1:80"), { code: "ETIMEDOUT" });
  assertKind(timedOut, "timed-out", "a kernel time-out");
  const denied = deno
    ? new deno.errors.NotCapable('Requires net access to "0.0.0.0:80", run again with the --allow-net flag')
    : Object.assign(new Error("listen EACCES: permission denied 0.0.0.0:80"), { code: "EACCES" });
  assertKind(denied, "permission-denied", "a denied port");
  // As the adapters make them (src/runtime/node_tcp.ts, deno_tcp.ts).
  const unsupported = Object.assign(new Error("reusePort on Deno needs the --unstable-net flag"), {
    code: "ERR_NOT_SUPPORTED",
  });
  assertKind(unsupported, "unsupported", "a missing feature");
  assertKind(new Error("something else entirely"), "unknown", "an error of no known kind");
});

test("with no kind found, the innermost words that say something are the detail", () => {
  const wrapped = new TypeError("fetch failed", { cause: new Error("the resolver ran out of patience") });
  assert.equal(classifyError(wrapped), { kind: "unknown", code: "", detail: "the resolver ran out of patience" });
  assert.equal(classifyError(new TypeError("fetch failed")), { kind: "unknown", code: "", detail: "fetch failed" });
});

test.run();
