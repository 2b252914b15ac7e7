import { test } from "uvu";
import * as assert from "uvu/assert";
import { echo, type EchoEvent, EchoIncompleteError, serveEcho, serveUdpEcho, udpEcho } from "anynet/echo";
import { connect, ConnectionRefusedError, listen, TimedOutError } from "anynet/net";
import { rejects } from "../_helpers/net_assert.ts";
import { firstDifference, pattern, roundTrip, sameBytes } from "../_helpers/net_bytes.ts";

test("serveEcho() echoes a message; echo() returns it as a string", async () => {
  await using server = await serveEcho({ port: 0 });
  assert.is(server.addr.hostname, "127.0.0.1");
  assert.is(await echo("hello, echo", { port: server.addr.port }), "hello, echo");
});

test("serveEcho() echoes every byte in order for sizes from 1 byte to 16 MiB", async () => {
  await using server = await serveEcho({ port: 0 });
  for (const size of [1, 2, 1000, 65535, 65536, 1024 * 1024 + 7, 16 * 1024 * 1024]) {
    const data = pattern(size, size);
    const back = await echo(data, { port: server.addr.port, timeout: 60000 });
    assert.ok(sameBytes(back, data), `${size} bytes: ${firstDifference(back, data)}`);
  }
});

test("serveEcho() answers a half-close with all the echo, then FIN", async () => {
  await using server = await serveEcho({ port: 0 });
  await using conn = await connect({ port: server.addr.port });
  const data = pattern(500_000, 3);
  const back = await roundTrip(conn, data);
  assert.ok(sameBytes(back, data), firstDifference(back, data));
});

test("serveEcho() serves a few hundred clients at once", async () => {
  await using server = await serveEcho({ port: 0 });
  const answers = await Promise.all(
    Array.from({ length: 300 }, (_, i) => echo(`client ${i}`, { port: server.addr.port, timeout: 30000 })),
  );
  assert.ok(answers.every((answer, i) => answer === `client ${i}`));
});

test("serveEcho() with maxConnections closes the extra clients and keeps serving the others", async () => {
  const events: EchoEvent[] = [];
  await using server = await serveEcho({ port: 0, maxConnections: 2, onEvent: (e) => events.push(e) });
  const a = await connect({ port: server.addr.port });
  const b = await connect({ port: server.addr.port });
  await a.write("a");
  await b.write("b");
  assert.is(new TextDecoder().decode((await a.read())!), "a");
  assert.is(new TextDecoder().decode((await b.read())!), "b");
  const error = await rejects(() => echo("third", { port: server.addr.port }));
  assert.ok(error instanceof EchoIncompleteError || (error as { code?: string }).code === "ECONNRESET", String(error));
  assert.ok(events.some((e) => e.type === "refuse"));
  await a.write("still here");
  assert.is(new TextDecoder().decode((await a.read())!), "still here");
  a.close();
  b.close();
  // Once a slot is free, a new client is served again.
  for (let i = 0;; i++) {
    try {
      assert.is(await echo("fourth", { port: server.addr.port }), "fourth");
      break;
    } catch (e) {
      if (i > 50) throw e;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});

test("serveEcho() with idleTimeout closes a client that sends nothing, not a busy one", async () => {
  const events: EchoEvent[] = [];
  await using server = await serveEcho({ port: 0, idleTimeout: 1000, onEvent: (e) => events.push(e) });
  const idle = await connect({ port: server.addr.port });
  const busy = await connect({ port: server.addr.port });
  const started = Date.now();
  for (let i = 0; i < 14; i++) {
    await busy.write(`tick ${i}`);
    assert.is(new TextDecoder().decode((await busy.read())!), `tick ${i}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.is(await idle.read(), null, "the idle client was closed");
  assert.ok(Date.now() - started >= 900);
  assert.ok(events.some((e) => e.type === "idle"));
  await busy.write("alive");
  assert.is(new TextDecoder().decode((await busy.read())!), "alive");
  idle.close();
  busy.close();
});

test("serveEcho() close() is graceful: stops accepting, finishes echoing, closes", async () => {
  const server = await serveEcho({ port: 0 });
  const conn = await connect({ port: server.addr.port });
  await conn.write("before stop");
  assert.is(new TextDecoder().decode((await conn.read())!), "before stop");
  const closing = server.close();
  assert.is(await conn.read(), null, "the server closed the connection");
  await closing;
  await rejects(() => connect({ port: server.addr.port }), ConnectionRefusedError);
  conn.close();
});

test("serveEcho() stops when its signal aborts", async () => {
  const controller = new AbortController();
  const server = await serveEcho({ port: 0, signal: controller.signal });
  assert.is(await echo("x", { port: server.addr.port }), "x");
  controller.abort();
  await server.finished;
  await rejects(() => connect({ port: server.addr.port }), ConnectionRefusedError);
});

test("serveEcho() with maxClients: 1 serves one client and finishes", async () => {
  const server = await serveEcho({ port: 0, maxClients: 1 });
  assert.is(await echo("only one", { port: server.addr.port }), "only one");
  await server.finished;
  await rejects(() => connect({ port: server.addr.port }), ConnectionRefusedError);
});

test("serveEcho() rejects bad options before any I/O", async () => {
  await rejects(() => serveEcho({ port: 70000 }), RangeError);
  await rejects(() => serveEcho({ port: 0, maxConnections: 0 }), RangeError);
  await rejects(() => serveEcho({ port: 0, idleTimeout: -1 }), RangeError);
  await rejects(() => serveEcho({ hostname: "", port: 0 }), TypeError);
  await rejects(() => echo("x", { port: 0 }), RangeError);
  await rejects(() => echo("x", { port: 1, timeout: 0 }), RangeError);
  // A misspelt option is named, with the option it was probably meant to be.
  const misspelt = (pattern: RegExp) => (e: Error) => e instanceof TypeError && pattern.test(e.message);
  await rejects(
    () => serveEcho({ port: 0, idleTimout: 5 } as never),
    misspelt(/unknown option 'idleTimout' \(did you mean 'idleTimeout'\?\)/),
  );
  await rejects(() => serveUdpEcho({ port: 0, maxClient: 5 } as never), misspelt(/did you mean 'maxClients'\?/));
  await rejects(() => echo("x", { port: 1, timout: 5 } as never), misspelt(/did you mean 'timeout'\?/));
  await rejects(() => udpEcho("x", { port: 1, host: "a" } as never), misspelt(/unknown option 'host' \(/));
});

test("echo() rejects with ConnectionRefusedError when nobody listens, TimedOutError when nobody answers", async () => {
  const probe = await listen({ port: 0 });
  const { port } = probe.addr;
  probe.close();
  await rejects(() => echo("x", { port }), ConnectionRefusedError);
  // A server that accepts and never echoes.
  await using silent = await listen({ port: 0 });
  const held: { close(): void }[] = [];
  (async () => {
    for await (const conn of silent) held.push(conn);
  })();
  await rejects(() => echo("x", { port: silent.addr.port, timeout: 300 }), TimedOutError);
  for (const conn of held) conn.close();
});

test("serveUdpEcho() and udpEcho() echo datagrams of 1 byte to 60 KB", async () => {
  await using server = await serveUdpEcho({ port: 0 });
  assert.is(await udpEcho("ping", { port: server.addr.port }), "ping");
  assert.is(await udpEcho("by name", { hostname: "localhost", port: server.addr.port }), "by name");
  for (const size of [1, 1400, 60000]) {
    const data = pattern(size, size);
    const back = await udpEcho(data, { port: server.addr.port });
    assert.ok(sameBytes(back, data), `${size} bytes: ${firstDifference(back, data)}`);
  }
});

test("udpEcho() rejects with TimedOutError when nothing answers", async () => {
  const server = await serveUdpEcho({ port: 0 });
  const { port } = server.addr;
  await server.close();
  await rejects(() => udpEcho("x", { port, timeout: 300 }), TimedOutError);
});

test.run();
