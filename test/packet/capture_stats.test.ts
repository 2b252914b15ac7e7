import { test } from "uvu";
import * as assert from "uvu/assert";
import { captureStats } from "anynet/packet";
import { fuzzCapture, mutateFile } from "../_helpers/packet_fuzz.ts";
import { ethernet, ipv4, pcap, pcapng, sampleFrames, udp } from "../_helpers/packet_writer.ts";

async function both(file: Uint8Array) {
  const w = await captureStats(file);
  const t = await captureStats(file, { engine: "ts" });
  assert.equal(w, t, "wasm and ts statistics differ");
  return w;
}

test("captureStats() counts packets, bytes, protocols and flows of the sample capture", async () => {
  const frames = sampleFrames();
  const s = await both(pcap(frames.map((data) => ({ data })), { snaplen: 100 }));
  assert.is(s.packets, 10);
  assert.is(s.bytes, frames.reduce((n, f) => n + f.length, 0));
  assert.is(s.capturedBytes, frames.reduce((n, f) => n + Math.min(100, f.length), 0));
  assert.is(s.protocols.vlan, 2);
  assert.is(s.flows, 8);
  assert.is(s.topFlows.length, 8);
  assert.is(s.fileError, undefined);
});

test("captureStats() counts thousands of flows (the flow tables grow) the same in both engines", async () => {
  const packets = [];
  for (let i = 0; i < 6000; i++) {
    const a = { v: 4 as const, src: `10.0.${(i >> 8) & 255}.${i & 255}`, dst: "10.9.9.9" };
    packets.push({
      data: ethernet(
        "02:00:00:00:00:02",
        "02:00:00:00:00:01",
        0x0800,
        ipv4({ ...a, proto: 17 }, udp(1000 + (i % 7), 53, new Uint8Array(i % 50), a)),
      ),
    });
  }
  const s = await both(pcap(packets));
  assert.is(s.flows, 6000);
  assert.is(s.topFlows.length, 10);
  assert.ok(s.topFlows[0].bytes >= s.topFlows[9].bytes);
});

test("captureStats() keeps its flows when a large block makes the input area grow", async () => {
  const frames = sampleFrames();
  const epbs = frames.map((data, i) => ({ kind: "epb" as const, iface: 0, ts: BigInt(i), data }));
  const file = pcapng([{
    interfaces: [{ linktype: 1 }],
    blocks: [...epbs, { kind: "raw", type: 0x40, body: new Uint8Array(3 << 20) }, ...epbs],
  }]);
  const s = await both(file);
  assert.is(s.packets, 20);
  assert.is(s.flows, 8);
  assert.is(s.topFlows[0].packets, 4);
});

test("captureStats() agrees between engines on fuzzed and damaged captures", async () => {
  const file = fuzzCapture(5, 3000);
  const s = await both(file);
  assert.is(s.packets, 3000);
  assert.ok(s.errors > 0);
  for (let seed = 1; seed <= 30; seed++) await both(mutateFile(file, seed));
});

test("captureStats() reports file damage with the counts before it", async () => {
  const whole = pcap(sampleFrames().map((data) => ({ data })));
  const s = await both(whole.subarray(0, whole.length - 3));
  assert.is(s.packets, 9);
  assert.match(s.fileError!.message, /middle of a record/);
  assert.is(s.errors, 1);
});

test("captureStats() rejects bad arguments before reading", async () => {
  await captureStats(5 as unknown as Uint8Array).then(() => assert.unreachable(), (e) => assert.instance(e, TypeError));
  await captureStats(new Uint8Array(0), { engine: "x" as "ts" }).then(
    () => assert.unreachable(),
    (e) => assert.instance(e, TypeError),
  );
});

test.run();
