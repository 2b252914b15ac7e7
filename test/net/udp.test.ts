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

test("a UdpSocket that receives without pause still lets timers and signal handlers run", async () => {
  // A socket that sends every datagram back to itself is never idle: on Bun each receive
  // used to settle at once, without the event loop getting a turn (no timer, no signal).
  await using socket = await bindUdp();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 50);
  const started = Date.now();
  let datagrams = 0;
  const ticksPerSecond: number[] = [];
  try {
    await socket.send("round and round", socket.addr);
    for await (const { data } of socket) {
      datagrams++;
      const elapsed = Date.now() - started;
      if (elapsed > (ticksPerSecond.length + 1) * 1000) {
        ticksPerSecond.push(ticks);
        ticks = 0;
      }
      if (elapsed > 3000) break;
      await socket.send(data, socket.addr);
    }
  } finally {
    clearInterval(timer);
  }
  // A 50 ms interval ticks about 20 times a second; the loaded machine may halve that.
  assert.ok(
    ticksPerSecond.every((n) => n >= 4),
    `timer ticks per second while ${datagrams} datagrams went round: ${ticksPerSecond.join(", ")}`,
  );
});

test("udpImplementation() names the UDP path of this runtime", () => {
  const expected = { node: /^node:dgram$/, deno: /^node:dgram/, bun: /^Bun\.udpSocket$/ }[testRuntime];
  assert.match(udpImplementation(), expected);
});

test.run();
