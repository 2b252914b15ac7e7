import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, ConnectionResetError, listen, NetError, pump } from "anynet/net";
import { serveEcho } from "anynet/echo";
import { rejects } from "../_helpers/net_assert.ts";
import { firstDifference, pattern, roundTrip, sameBytes } from "../_helpers/net_bytes.ts";

test("pump() both ways makes a TCP proxy that carries 8 MiB through and passes the half-close on", async () => {
  await using upstreamServer = await serveEcho({ port: 0 });
  await using proxy = await listen({ port: 0 });
  const counted: number[] = [];
  const proxying = (async () => {
    const client = (await proxy.accept())!;
    const upstream = await connect({ port: upstreamServer.addr.port });
    const [up, down] = await Promise.all([
      pump(client, upstream, { onChunk: (n) => counted.push(n) }),
      pump(upstream, client),
    ]);
    client.close();
    upstream.close();
    return { up, down };
  })();
  await using conn = await connect({ port: proxy.addr.port });
  const data = pattern(8 * 1024 * 1024, 21);
  const back = await roundTrip(conn, data, 256 * 1024);
  assert.ok(sameBytes(back, data), firstDifference(back, data));
  const { up, down } = await proxying;
  assert.is(up, data.byteLength);
  assert.is(down, data.byteLength);
  assert.is(counted.reduce((a, b) => a + b, 0), data.byteLength, "onChunk saw every byte");
});

test("pump() with closeWrite: false leaves the target open", async () => {
  await using listener = await listen({ port: 0 });
  const accepted = listener.accept();
  await using a = await connect({ port: listener.addr.port });
  const b = (await accepted)!;
  await a.write("hello");
  await a.closeWrite();
  const target = await listen({ port: 0 });
  const targetAccepted = target.accept();
  await using sink = await connect({ port: target.addr.port });
  const sinkPeer = (await targetAccepted)!;
  assert.is(await pump(b, sink, { closeWrite: false }), 5);
  await sink.write(" world");
  await sink.closeWrite();
  const chunks: string[] = [];
  for (let c = await sinkPeer.read(); c; c = await sinkPeer.read()) chunks.push(new TextDecoder().decode(c));
  assert.is(chunks.join(""), "hello world");
  b.close();
  sinkPeer.close();
  target.close();
});

test("pump() rejects with a NetError when a side fails", async () => {
  await using listener = await listen({ port: 0 });
  const accepted = listener.accept();
  const a = await connect({ port: listener.addr.port });
  const b = (await accepted)!;
  a.close();
  // b's peer is gone: writing to it fails once the kernel knows.
  const source = await listen({ port: 0 });
  const sourceAccepted = source.accept();
  const feeder = await connect({ port: source.addr.port });
  const from = (await sourceAccepted)!;
  const feeding = (async () => {
    for (let i = 0; i < 200; i++) await feeder.write(pattern(64 * 1024, i)).catch(() => {});
    await feeder.closeWrite().catch(() => {});
  })();
  const error = await rejects(() => pump(from, b), NetError);
  assert.ok(error instanceof ConnectionResetError || (error as NetError).code === "ECLOSED", String(error));
  // Nobody reads `from` any more: close it so that the feeder's blocked writes end too.
  from.close();
  feeder.close();
  await feeding;
  b.close();
  source.close();
});

test.run();
