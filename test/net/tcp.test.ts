import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import process from "node:process";
import {
  AddressInUseError,
  AddressNotAvailableError,
  connect,
  ConnectionRefusedError,
  ConnectionResetError,
  formatAddr,
  HostNotFoundError,
  listen,
  NetError,
  SocketClosedError,
  TimedOutError,
  UnsupportedError,
} from "anynet/net";
import { rejects } from "../_helpers/net_assert.ts";
import { announceSkip, root, testRuntime } from "../_helpers/env.ts";
import { runCommand } from "../_helpers/cli.ts";
import { runtimeCommand } from "../_helpers/installed_package.ts";
import { echoEveryConnection, firstDifference, pattern, readAll, roundTrip, sameBytes } from "../_helpers/net_bytes.ts";

const text = (bytes: Uint8Array | null) => (bytes ? new TextDecoder().decode(bytes) : null);

/** A listener that echoes every connection until the peer half-closes. */
async function echoListener(hostname = "127.0.0.1") {
  const listener = await listen({ hostname, port: 0 });
  echoEveryConnection(listener);
  return listener;
}

test("listen() on port 0 reports the real port, and connect() reaches it", async () => {
  await using listener = await echoListener();
  assert.is(listener.addr.hostname, "127.0.0.1");
  assert.ok(listener.addr.port > 0 && listener.addr.port <= 65535);
  await using conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  assert.equal(conn.remoteAddr, { hostname: "127.0.0.1", port: listener.addr.port });
  assert.is(conn.localAddr.hostname, "127.0.0.1");
  assert.ok(conn.localAddr.port > 0);
  await conn.write("hello");
  assert.is(text(await conn.read()), "hello");
});

test("listen() and connect() reject bad arguments before any I/O", async () => {
  await rejects(
    () => listen({ port: 70000 }),
    (e: Error) => e instanceof RangeError && /'port' must be an integer from 0 to 65535: got 70000/.test(e.message),
  );
  await rejects(() => listen({ port: -1 }), RangeError);
  await rejects(() => listen({ port: 1.5 }), RangeError);
  await rejects(() => listen({ port: "80" as unknown as number }), TypeError);
  await rejects(
    () => listen({ hostname: "", port: 0 }),
    (e: Error) => e instanceof TypeError && /hostname/.test(e.message),
  );
  await rejects(() => connect({ hostname: "", port: 80 }), TypeError);
  await rejects(() => connect({ hostname: "a b", port: 80 }), TypeError);
  await rejects(
    () => connect({ port: 0 }),
    (e: Error) => e instanceof RangeError && /from 1 to 65535: got 0/.test(e.message),
  );
  await rejects(() => connect({ port: 70000 }), RangeError);
  await rejects(
    () => connect({ port: 80, timeout: -5 }),
    (e: Error) => e instanceof RangeError && /'timeout'/.test(e.message),
  );
  // More than a timer can wait (2^31 - 1 ms) would fire at once: refused with the bound.
  await rejects(
    () => connect({ port: 80, timeout: 1e10 }),
    (e: Error) => e instanceof RangeError && /'timeout' .* at most 2147483647 .*: got 10000000000/.test(e.message),
  );
  await rejects(() => connect({ port: 80, tls: { caCerts: ["not pem"] } }), TypeError);
  // A misspelt option would be ignored in silence (no timeout at all): it is named instead.
  await rejects(
    () => connect({ port: 80, timout: 5000 } as never),
    (e: Error) => e instanceof TypeError && /unknown option 'timout' \(did you mean 'timeout'\?\)/.test(e.message),
  );
  await rejects(
    () => connect({ port: 80, tls: { serverNam: "x" } } as never),
    (e: Error) =>
      e instanceof TypeError && /unknown option 'tls.serverNam' \(did you mean 'tls.serverName'\?\)/.test(e.message),
  );
  await rejects(
    () => listen({ port: 0, reuseport: true } as never),
    (e: Error) => e instanceof TypeError && /did you mean 'reusePort'\?/.test(e.message),
  );
  await rejects(() => listen({ port: 0, tls: { cert: "", key: "" } }), TypeError);
  await rejects(() => listen(null as unknown as { port: number }), TypeError);
});

test("connect() to a closed port rejects with ConnectionRefusedError (code ECONNREFUSED)", async () => {
  const listener = await listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  const error = await connect({ hostname: "127.0.0.1", port }).then(() => undefined, (e) => e);
  assert.instance(error, ConnectionRefusedError);
  assert.instance(error, NetError);
  assert.is(error.code, "ECONNREFUSED");
  assert.ok(error.cause !== undefined, "the runtime's error is kept as cause");
  assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
});

test("listen() on a port in use rejects with AddressInUseError (code EADDRINUSE)", async () => {
  await using first = await listen({ hostname: "127.0.0.1", port: 0 });
  const error = await listen({ hostname: "127.0.0.1", port: first.addr.port }).then(
    (l) => (l.close(), undefined),
    (e) => e,
  );
  assert.instance(error, AddressInUseError);
  assert.is(error.code, "EADDRINUSE");
});

test("connect() to a name that does not resolve rejects with HostNotFoundError", async () => {
  const error = await connect({ hostname: "no-such-host.invalid", port: 80, timeout: 10000 }).then(
    () => undefined,
    (e) => e,
  );
  assert.instance(error, HostNotFoundError);
  assert.is(error.code, "ENOTFOUND");
});

test("connect() with a timeout rejects with TimedOutError when the TLS handshake never completes", async () => {
  // A plain TCP server that accepts and stays silent: the TLS handshake hangs.
  await using listener = await listen({ hostname: "127.0.0.1", port: 0 });
  const held: { close(): void }[] = [];
  (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  const started = Date.now();
  const error = await connect({ hostname: "127.0.0.1", port: listener.addr.port, tls: true, timeout: 300 }).then(
    () => undefined,
    (e) => e,
  );
  assert.instance(error, TimedOutError);
  assert.is(error.code, "ETIMEDOUT");
  assert.ok(Date.now() - started < 10000);
  for (const conn of held) conn.close();
});

test("connect() rejects with the signal's reason when aborted", async () => {
  await using listener = await listen({ hostname: "127.0.0.1", port: 0 });
  const controller = new AbortController();
  const reason = new Error("stop now");
  const pending = connect({ hostname: "127.0.0.1", port: listener.addr.port, tls: true, signal: controller.signal });
  setTimeout(() => controller.abort(reason), 50);
  await rejects(() => pending, (e: unknown) => e === reason);
  await rejects(() => connect({ port: listener.addr.port, signal: AbortSignal.abort() }));
});

test("closeWrite() half-closes: the peer reads to the end and can still answer", async () => {
  await using listener = await listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    const conn = (await listener.accept())!;
    const request = await readAll(conn);
    await conn.write(`got ${request.byteLength} bytes`);
    conn.close();
  })();
  await using conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  await conn.write("12345");
  await conn.closeWrite();
  assert.is(text(await readAll(conn)), "got 5 bytes");
  await served;
});

test("write() and read() carry 16 MiB in order through an echo", async () => {
  await using listener = await echoListener();
  await using conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const data = pattern(16 * 1024 * 1024);
  const back = await roundTrip(conn, data, 1024 * 1024);
  assert.ok(sameBytes(back, data), firstDifference(back, data));
});

test("readInto() fills the caller's buffer, keeps the rest for the next read, and gives null at the end", async () => {
  await using listener = await listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    const conn = (await listener.accept())!;
    await conn.write(pattern(10_000, 4));
    await conn.closeWrite();
    await readAll(conn);
    conn.close();
  })();
  await using conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  assert.type(conn.prefersReadInto, "boolean");
  assert.is(conn.prefersReadInto, testRuntime === "deno");
  const buffer = new Uint8Array(3000);
  const got: number[] = [];
  for (let n = await conn.readInto(buffer); n !== null; n = await conn.readInto(buffer)) {
    assert.ok(n > 0 && n <= 3000);
    got.push(...buffer.subarray(0, n));
  }
  assert.ok(sameBytes(new Uint8Array(got), pattern(10_000, 4)));
  await conn.closeWrite();
  await served;
  await rejects(() => conn.readInto(new Uint8Array(0)), TypeError);
});

test("write() calls made without awaiting each other arrive whole and in order", async () => {
  await using listener = await echoListener();
  await using conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const parts = Array.from({ length: 16 }, (_, i) => pattern(512 * 1024, i + 100));
  const reading = readAll(conn);
  await Promise.all(parts.map((part) => conn.write(part)));
  await conn.closeWrite();
  const back = await reading;
  const expected = new Uint8Array(parts.length * 512 * 1024);
  parts.forEach((part, i) => expected.set(part, i * 512 * 1024));
  assert.ok(sameBytes(back, expected), firstDifference(back, expected));
});

test("read() calls made without awaiting each other get the chunks in order", async () => {
  await using listener = await echoListener();
  await using conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const data = pattern(4 * 1024 * 1024, 77);
  const writing = (async () => {
    await conn.write(data);
    await conn.closeWrite();
  })();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const batch = await Promise.all([conn.read(), conn.read(), conn.read(), conn.read()]);
    for (const chunk of batch) if (chunk) chunks.push(chunk);
    if (batch.includes(null)) break;
  }
  await writing;
  const back = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    back.set(chunk, offset);
    offset += chunk.byteLength;
  }
  assert.ok(sameBytes(back, data), firstDifference(back, data));
});

test("readable and writable web streams carry bytes both ways", async () => {
  await using listener = await echoListener();
  await using conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const data = pattern(300_000, 7);
  const writing = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < data.byteLength; i += 10_000) controller.enqueue(data.slice(i, i + 10_000));
      controller.close();
    },
  }).pipeTo(conn.writable);
  const chunks: Uint8Array[] = [];
  for await (const chunk of conn.readable) chunks.push(chunk);
  await writing;
  const back = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) back.set(chunk, (offset += chunk.byteLength) - chunk.byteLength);
  assert.ok(sameBytes(back, data), firstDifference(back, data));
});

test("a reset right after closeWrite() closes the connection: the process still ends by itself", async () => {
  // Node marks a socket closing without closing it when libuv refuses the reset of a
  // socket whose end is still being carried out: the process then hangs when it exits.
  const [command, args] = runtimeCommand(join(root, "test", "net", "fixtures_reset_after_end.mjs"));
  const run = await runCommand(command, args, { timeoutMs: 10_000 });
  assert.is(run.stdout, "done\n", run.stderr);
  assert.is(run.code, 0, run.stderr);
});

test("a reset by the peer surfaces as ConnectionResetError (on Deno, reads end and the next write fails)", async () => {
  await using listener = await listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await using conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server = (await accepted)!;
  // Unread data in the server's receive buffer makes every runtime's close a reset.
  await conn.write(pattern(1000));
  await new Promise((resolve) => setTimeout(resolve, 100));
  server.reset();
  const readError = await (async () => {
    for (;;) {
      const chunk = await conn.read();
      if (!chunk) return undefined;
    }
  })().then(() => undefined, (e) => e);
  if (testRuntime === "deno") {
    // Deno's Conn.read() reports ECONNRESET as the end of the stream; the write shows it.
    assert.is(readError, undefined);
    const writeError = await rejects(() => conn.write(pattern(10)), ConnectionResetError);
    assert.is((writeError as NetError).code, "ECONNRESET");
  } else {
    assert.instance(readError, ConnectionResetError);
    assert.is(readError.code, "ECONNRESET");
    await rejects(() => conn.write(pattern(10)), ConnectionResetError);
  }
});

test("write() after close() rejects with SocketClosedError; read() gives null", async () => {
  await using listener = await echoListener();
  const conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  conn.close();
  conn.close();
  assert.ok(conn.closed);
  await rejects(() => conn.write("x"), SocketClosedError);
  assert.is(await conn.read(), null);
});

test("Listener iteration ends when the listener is closed, or its signal aborts", async () => {
  const controller = new AbortController();
  const listener = await listen({ hostname: "127.0.0.1", port: 0, signal: controller.signal });
  const accepted: unknown[] = [];
  const loop = (async () => {
    for await (const conn of listener) {
      accepted.push(conn);
      conn.close();
    }
  })();
  const conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  assert.is(await conn.read(), null, "the server closed it");
  conn.close();
  controller.abort();
  await loop;
  assert.is(accepted.length, 1);
  assert.ok(listener.closed);
  assert.is(await listener.accept(), null);
});

test("setNoDelay() and setKeepAlive() work on an open connection", async () => {
  await using listener = await echoListener();
  await using conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  conn.setNoDelay(true);
  conn.setKeepAlive(true, 30000);
  await conn.write("still works");
  assert.is(text(await conn.read()), "still works");
});

test("listen() with reusePort shares a port where the runtime can, else rejects with UnsupportedError", async () => {
  const [major, minor] = process.versions.node.split(".").map(Number);
  const g = globalThis as { Deno?: { listenDatagram?: unknown } };
  const supported = testRuntime === "bun" ||
    (testRuntime === "node" && (major! > 22 || (major === 22 && minor! >= 12))) ||
    (testRuntime === "deno" && typeof g.Deno?.listenDatagram === "function");
  if (supported) {
    await using a = await listen({ port: 0, reusePort: true });
    await using b = await listen({ port: a.addr.port, reusePort: true });
    assert.is(b.addr.port, a.addr.port);
  } else {
    const error = await rejects(() => listen({ port: 0, reusePort: true }), UnsupportedError);
    assert.is((error as UnsupportedError).code, "EUNSUPPORTED");
  }
});

test("listen() and connect() work over IPv6 loopback, and formatAddr() brackets the address", async () => {
  let listener;
  try {
    listener = await echoListener("::1");
  } catch (error) {
    if (error instanceof AddressNotAvailableError) {
      announceSkip("no IPv6 loopback here");
      return;
    }
    throw error;
  }
  try {
    assert.is(listener.addr.hostname, "::1");
    assert.is(formatAddr(listener.addr), `[::1]:${listener.addr.port}`);
    await using conn = await connect({ hostname: "::1", port: listener.addr.port });
    await conn.write("six");
    assert.is(text(await conn.read()), "six");
    await using bracketed = await connect({ hostname: "[::1]", port: listener.addr.port });
    assert.is(bracketed.remoteAddr.hostname, "::1");
  } finally {
    listener.close();
  }
});

test("many connections at once are served independently", async () => {
  await using listener = await echoListener();
  const results = await Promise.all(Array.from({ length: 200 }, async (_, i) => {
    await using conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
    const data = pattern(1000 + i, i + 1);
    const back = await roundTrip(conn, data);
    return sameBytes(back, data);
  }));
  assert.is(results.filter(Boolean).length, 200);
});

test.run();
