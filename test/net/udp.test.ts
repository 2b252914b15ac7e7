import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  AddressInUseError,
  bindUdp,
  HostNotFoundError,
  lookupHost,
  SocketClosedError,
  udpImplementation,
} from "anynet/net";
import { testRuntime } from "../_helpers/env.ts";
import { rejects } from "../_helpers/net_assert.ts";
import { pattern, sameBytes } from "../_helpers/net_bytes.ts";

test("bindUdp() on port 0 reports the real port; datagrams go both ways with the sender's address", async () => {
  await using a = await bindUdp({ hostname: "127.0.0.1", port: 0 });
  await using b = await bindUdp();
  assert.ok(a.addr.port > 0);
  assert.is(b.addr.hostname, "127.0.0.1");
  await a.send("hello b", b.addr);
  const got = (await b.receive())!;
  assert.is(new TextDecoder().decode(got.data), "hello b");
  assert.equal(got.addr, { hostname: "127.0.0.1", port: a.addr.port });
  const big = pattern(60000, 5);
  await b.send(big, got.addr);
  const back = (await a.receive())!;
  assert.ok(sameBytes(back.data, big));
});

test("UdpSocket.send() resolves a host name such as localhost (Bun's UDP takes addresses only)", async () => {
  await using a = await bindUdp({ hostname: "127.0.0.1" });
  await using b = await bindUdp({ hostname: "127.0.0.1" });
  await a.send("by name", { hostname: "localhost", port: b.addr.port });
  const got = (await b.receive())!;
  assert.is(new TextDecoder().decode(got.data), "by name");
});

test("lookupHost() resolves localhost to 127.0.0.1, passes addresses through, and rejects unknown names", async () => {
  assert.is(await lookupHost("localhost"), "127.0.0.1");
  assert.is(await lookupHost("::1"), "::1");
  assert.is(await lookupHost("10.1.2.3"), "10.1.2.3");
  await rejects(() => lookupHost("no-such-host.invalid"), HostNotFoundError);
  await rejects(() => lookupHost(""), TypeError);
});

test("UdpSocket iteration yields datagrams in order sent and ends on close()", async () => {
  const receiver = await bindUdp();
  await using sender = await bindUdp();
  for (let i = 0; i < 20; i++) await sender.send(`n${i}`, receiver.addr);
  const seen: string[] = [];
  for await (const { data } of receiver) {
    seen.push(new TextDecoder().decode(data));
    if (seen.length === 20) receiver.close();
  }
  assert.is(seen.length, 20);
  assert.is(seen[0], "n0");
  await rejects(() => receiver.send("late", sender.addr), SocketClosedError);
  assert.is(await receiver.receive(), null);
});

test("bindUdp() rejects bad arguments, a port in use, and an oversized datagram", async () => {
  await rejects(() => bindUdp({ port: 70000 }), RangeError);
  await rejects(() => bindUdp({ hostname: "" }), TypeError);
  await using a = await bindUdp();
  await rejects(() => bindUdp({ port: a.addr.port }), AddressInUseError);
  await rejects(() => a.send(new Uint8Array(70000), a.addr), RangeError);
  await rejects(() => a.send("x", { hostname: "127.0.0.1", port: 0 }), RangeError);
});

test("udpImplementation() names the UDP path of this runtime", () => {
  const expected = { node: /^node:dgram$/, deno: /^node:dgram/, bun: /^Bun\.udpSocket$/ }[testRuntime];
  assert.match(udpImplementation(), expected);
});

test.run();
