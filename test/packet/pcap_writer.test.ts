import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  buildTcpConversation,
  buildTcpFrame,
  buildUdpFrame,
  captureStats,
  decodeFrame,
  openCapture,
  type PacketRecord,
  PcapWriter,
  TCP_FLAGS,
  writePcap,
} from "anynet/packet";
import { EtherType } from "../../scripts/_packet_numbers.ts";

const text = (s: string) => new TextEncoder().encode(s);

async function decodeBoth(file: Uint8Array): Promise<PacketRecord[]> {
  const results: PacketRecord[][] = [];
  for (const engine of ["wasm", "ts"] as const) {
    const records: PacketRecord[] = [];
    for await (const batch of openCapture(file, { engine })) records.push(...batch);
    results.push(records);
  }
  assert.equal(results[0], results[1], "wasm and ts decode the written capture differently");
  return results[0];
}

test("writePcap() writes packets that openCapture() reads back with their times and lengths", async () => {
  const a = new Uint8Array(60).fill(1), b = new Uint8Array(100).fill(2);
  const file = writePcap([{ data: a, time: 1700000000123.456 }, {
    data: b,
    time: 1700000001999.9996,
    originalLength: 1500,
  }]);
  assert.is(file.length, 24 + 16 + 60 + 16 + 100);
  const records = await decodeBoth(file);
  assert.is(records.length, 2);
  assert.is(records[0].sec, 1700000000);
  assert.is(records[0].nsec, 123456000);
  assert.is(records[0].caplen, 60);
  // 1999.9996 ms rounds up to a whole second in microseconds: it must carry into the seconds.
  assert.is(records[1].sec, 1700000002);
  assert.is(records[1].nsec, 0);
  assert.is(records[1].len, 1500);
  assert.is(records[1].caplen, 100);
});

test("PcapWriter cuts packets to the snaplen, keeps the original length and writes nanoseconds when asked", async () => {
  const writer = new PcapWriter({ snaplen: 64, nanoseconds: true });
  writer.add(new Uint8Array(200), 1000.000001);
  assert.is(writer.packetCount, 1);
  const file = writer.bytes();
  assert.equal([...file.subarray(0, 4)], [0x4d, 0x3c, 0xb2, 0xa1]);
  const [record] = await decodeBoth(file);
  assert.is(record.caplen, 64);
  assert.is(record.len, 200);
  assert.is(record.sec, 1);
  assert.is(record.nsec, 1);
});

test("PcapWriter and writePcap() reject bad packets and options before writing", () => {
  assert.throws(
    () => new PcapWriter({ snaplen: 0 }),
    (e: Error) => e instanceof RangeError && /'snaplen'.*got 0/.test(e.message),
  );
  assert.throws(() => new PcapWriter({ linkType: -1 }), (e: Error) => e instanceof RangeError);
  const writer = new PcapWriter();
  assert.throws(() => writer.add("x" as unknown as Uint8Array), (e: Error) => e instanceof TypeError);
  assert.throws(() => writer.add(new Uint8Array(4), -1), (e: Error) => e instanceof RangeError);
  assert.throws(() => writer.add(new Uint8Array(4), NaN), (e: Error) => e instanceof RangeError);
  assert.throws(() => writer.add(new Uint8Array(4), 0, 3), (e: Error) => /'originalLength'/.test(e.message));
  assert.throws(() => writePcap(null as unknown as []), (e: Error) => e instanceof TypeError);
  assert.throws(() => writePcap([null as unknown as { data: Uint8Array }]), (e: Error) => e instanceof TypeError);
  assert.is(writer.packetCount, 0);
});

test("buildUdpFrame() builds IPv4 and IPv6 datagrams whose checksums both engines accept", () => {
  const payload = text("Hello, Network World!");
  for (const [src, dst] of [["127.0.0.1", "127.0.0.1"], ["::1", "2001:db8::ffff:10.0.0.1"]]) {
    const frame = buildUdpFrame({ src: { hostname: src, port: 40000 }, dst: { hostname: dst, port: 65432 }, payload });
    for (const engine of ["wasm", "ts"] as const) {
      const r = decodeFrame(frame, 1, { engine });
      assert.is(r.error, undefined);
      assert.is(r.ip?.v, src.includes(":") ? 6 : 4);
      assert.is(r.ip?.src, src === "::1" ? "::1" : "127.0.0.1");
      if (r.ip?.v === 4) assert.ok(r.ip.checksumOk);
      assert.is(r.udp?.sport, 40000);
      assert.is(r.udp?.dport, 65432);
      assert.is(r.udp?.payload, payload.length);
      assert.is(r.udp?.checksumOk, true);
    }
    assert.equal([...frame.subarray(frame.length - payload.length)], [...payload]);
  }
  assert.is(
    decodeFrame(
      buildUdpFrame({ src: { hostname: "::1", port: 1 }, dst: { hostname: "2001:db8::ffff:10.0.0.1", port: 2 } }),
      1,
    ).ip?.dst,
    "2001:db8::ffff:a00:1",
  );
});

test("buildTcpFrame() writes flags, numbers and options that decode as given", () => {
  const frame = buildTcpFrame({
    src: { hostname: "10.1.2.3", port: 1234 },
    dst: { hostname: "10.3.2.1", port: 80 },
    seq: 0xfffffffe,
    ack: 7,
    flags: TCP_FLAGS.SYN | TCP_FLAGS.ACK,
    window: 512,
    options: Uint8Array.of(2, 4, 5, 0xb4, 1, 3, 3, 3),
    srcMac: "02:00:00:00:00:01",
    dstMac: "02:00:00:00:00:02",
    ttl: 3,
    ipId: 99,
  });
  const r = decodeFrame(frame, 1);
  assert.equal(r.eth, { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02", type: EtherType.IPV4 });
  assert.is(r.ip?.v === 4 && r.ip.ttl, 3);
  assert.is(r.ip?.v === 4 && r.ip.id, 99);
  assert.is(r.tcp?.seq, 0xfffffffe);
  assert.is(r.tcp?.ack, 7);
  assert.is(r.tcp?.flags, 0x12);
  assert.is(r.tcp?.win, 512);
  assert.is(r.tcp?.mss, 1460);
  assert.is(r.tcp?.wscale, 3);
  assert.is(r.tcp?.hlen, 28);
  assert.is(r.tcp?.checksumOk, true);
});

test("frame builders reject bad addresses and numbers with messages naming them", () => {
  const ends = { src: { hostname: "127.0.0.1", port: 1 }, dst: { hostname: "127.0.0.1", port: 2 } };
  assert.throws(
    () => buildUdpFrame({ ...ends, src: { hostname: "localhost", port: 1 } }),
    (e: Error) => e instanceof TypeError && /'src.hostname'.*localhost/.test(e.message),
  );
  assert.throws(
    () => buildUdpFrame({ ...ends, dst: { hostname: "::1", port: 2 } }),
    (e: Error) => /both be IPv4 or both IPv6/.test(e.message),
  );
  assert.throws(
    () => buildUdpFrame({ ...ends, src: { hostname: "127.0.0.1", port: 70000 } }),
    (e: Error) => e instanceof RangeError && /'src.port'.*70000/.test(e.message),
  );
  assert.throws(() => buildTcpFrame({ ...ends, seq: -1, flags: 0 }), (e: Error) => /'seq'/.test(e.message));
  assert.throws(
    () => buildTcpFrame({ ...ends, seq: 0, flags: 0, options: new Uint8Array(41) }),
    (e: Error) => e instanceof RangeError,
  );
  assert.throws(() => buildUdpFrame({ ...ends, srcMac: "nope" }), (e: Error) => /'srcMac'/.test(e.message));
  assert.throws(
    () => buildUdpFrame({ ...ends, payload: new Uint8Array(65528) }),
    (e: Error) => e instanceof RangeError,
  );
});

test("buildTcpConversation() writes a handshake, data both ways and a close whose numbers follow", async () => {
  const client = { hostname: "127.0.0.1", port: 50000 }, server = { hostname: "127.0.0.1", port: 65432 };
  const hello = text("Hello, Network World!");
  const frames = buildTcpConversation({
    client,
    server,
    messages: [{ from: "client", data: hello }, { from: "server", data: hello }],
    clientIsn: 0xfffffff0,
    serverIsn: 1000,
  });
  const file = writePcap(frames.map((data, i) => ({ data, time: 1700000000000 + i })));
  const records = await decodeBoth(file);
  const { SYN, ACK, PSH, FIN } = TCP_FLAGS;
  assert.equal(records.map((r) => r.tcp?.flags), [
    SYN,
    SYN | ACK,
    ACK,
    PSH | ACK,
    ACK,
    PSH | ACK,
    ACK,
    FIN | ACK,
    FIN | ACK,
    ACK,
  ]);
  assert.equal(records.map((r) => r.tcp?.sport), [
    50000,
    65432,
    50000,
    50000,
    65432,
    65432,
    50000,
    50000,
    65432,
    50000,
  ]);
  assert.equal(records.map((r) => r.tcp?.payload), [0, 0, 0, 21, 0, 21, 0, 0, 0, 0]);
  assert.ok(records.every((r) => r.tcp?.checksumOk === true && r.ip?.v === 4 && r.ip.checksumOk && !r.error));
  // Sequence numbers wrap around 2^32 and every ACK acknowledges what the peer sent.
  assert.is(records[1].tcp?.ack, 0xfffffff1);
  assert.is(records[3].tcp?.seq, 0xfffffff1);
  assert.is(records[4].tcp?.ack, (0xfffffff1 + 21) >>> 0);
  assert.is(records[6].tcp?.ack, 1001 + 21);
  assert.is(records[9].tcp?.seq, (0xfffffff1 + 21 + 1) >>> 0);
  assert.is(records[9].tcp?.ack, 1001 + 21 + 1);
  const stats = await captureStats(file);
  assert.is(stats.packets, 10);
  assert.is(stats.flows, 1);
  assert.is(stats.errors, 0);
  assert.equal(
    stats.topFlows[0].a < stats.topFlows[0].b ? stats.topFlows[0].a : stats.topFlows[0].b,
    "127.0.0.1:50000",
  );
});

test("buildTcpConversation() splits a message larger than the MSS and lets the server close first", () => {
  const frames = buildTcpConversation({
    client: { hostname: "::1", port: 50000 },
    server: { hostname: "::1", port: 7 },
    messages: [{ from: "server", data: new Uint8Array(2500) }],
    mss: 1000,
    closedBy: "server",
  });
  const records = frames.map((f) => decodeFrame(f, 1));
  assert.equal(records.slice(3, 6).map((r) => r.tcp?.payload), [1000, 1000, 500]);
  assert.is(records[7].tcp?.sport, 7, "the server's FIN comes first");
  assert.ok(records.every((r) => r.ip?.v === 6 && r.tcp?.checksumOk === true));
  assert.throws(
    () =>
      buildTcpConversation({
        client: { hostname: "::1", port: 1 },
        server: { hostname: "::1", port: 2 },
        messages: [{ from: "x" as "client", data: new Uint8Array(1) }],
      }),
    /messages\[0\]/,
  );
});

test.run();
