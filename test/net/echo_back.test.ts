import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, type Connection, listen } from "anynet/net";
import { firstDifference, pattern, readAll, sameBytes } from "../_helpers/net_bytes.ts";

/** Listens, connects, and gives both ends. */
async function pair() {
  const listener = await listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = (async () => {
    for await (const conn of listener) return conn;
    throw new Error("the listener closed before a connection arrived");
  })();
  const client = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server: Connection = await accepted;
  listener.close();
  return { client, server };
}

test("echoBack() sends 4 MiB back in order, counts them, and settles once the peer half-closes", async () => {
  const { client, server } = await pair();
  let echoed = 0;
  const echo = server.echoBack((n) => (echoed += n));
  const sent = pattern(4 * 1024 * 1024, 7);
  const reading = readAll(client);
  for (let offset = 0; offset < sent.byteLength; offset += 100_000) {
    await client.write(sent.subarray(offset, offset + 100_000));
  }
  await client.closeWrite();
  await echo.done;
  await server.closeWrite();
  const received = await reading;
  assert.ok(sameBytes(received, sent), firstDifference(received, sent));
  assert.is(echoed, sent.byteLength);
  server.close();
  client.close();
});

test("echoBack() first echoes what arrived before it started", async () => {
  const { client, server } = await pair();
  await client.write("early ");
  await new Promise((resolve) => setTimeout(resolve, 100));
  const echo = server.echoBack();
  await client.write("late");
  await client.closeWrite();
  await echo.done;
  await server.closeWrite();
  assert.is(new TextDecoder().decode(await readAll(client)), "early late");
  server.close();
  client.close();
});

test("echoBack().stop() ends the echo after what was read went back", async () => {
  const { client, server } = await pair();
  const echo = server.echoBack();
  await client.write("before stop");
  const first = await client.read();
  assert.is(new TextDecoder().decode(first!), "before stop");
  echo.stop();
  await echo.done;
  if (!server.closed) await server.closeWrite();
  server.close();
  // The client sees the end of the stream (or a closed connection), not a hang.
  assert.is((await readAll(client)).byteLength, 0);
  client.close();
});

test("echoBack() settles when the connection is closed under it", async () => {
  const { client, server } = await pair();
  const echo = server.echoBack();
  server.close();
  await echo.done;
  client.close();
});

test.run();
