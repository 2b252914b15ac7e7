import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { captureStats } from "anynet/packet";
import { fuzzCapture, mutateFile } from "../../scripts/_packet_fuzz.ts";
import {
  type Bytes,
  type CapturedPacket,
  ethernet,
  ipv4,
  ipv6,
  pcap,
  pcapng,
  rng,
  sampleFrames,
  tcp,
  udp,
} from "../../scripts/_packet_writer.ts";
import { EtherType, IpProtocol, LinkType } from "../../scripts/_packet_numbers.ts";

async function both(file: Uint8Array, maxFlows?: number) {
  const w = await captureStats(file, { maxFlows });
  const t = await captureStats(file, { engine: "ts", maxFlows });
  assert.equal(w, t, "wasm and ts statistics differ");
  return w;
}

/** A UDP/IPv4 frame from `src:sport` to 192.0.2.1:9 (42 bytes plus `payload`). */
function udpFrame(src: string, sport: number, payload = 0): Bytes {
  const ip = { v: 4 as const, src, dst: "192.0.2.1" };
  return ethernet(
    "02:00:00:00:00:02",
    "02:00:00:00:00:01",
    EtherType.IPV4,
    ipv4({ ...ip, proto: IpProtocol.UDP }, udp(sport, 9, new Uint8Array(payload), ip)),
  );
}
const mouseAddress = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** Packets, bytes and the whole flag of each flow, as `pcap stats` names its ends. */
interface Expected {
  packets: number;
  bytes: number;
}
function tally(packets: { end: string; len: number }[]): Map<string, Expected> {
  const flows = new Map<string, Expected>();
  for (const { end, len } of packets) {
    const f = flows.get(end) ?? { packets: 0, bytes: 0 };
    f.packets++;
    f.bytes += len;
    flows.set(end, f);
  }
  return flows;
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
        EtherType.IPV4,
        ipv4({ ...a, proto: IpProtocol.UDP }, udp(1000 + (i % 7), 53, new Uint8Array(i % 50), a)),
      ),
    });
  }
  const s = await both(pcap(packets));
  assert.is(s.flows, 6000);
  assert.is(s.topFlows.length, 10);
  assert.ok(s.topFlows[0].bytes >= s.topFlows[9].bytes);
});

// In statistics mode the input area has 4 MiB of room before the statistics
// (STATS_INPUT_ROOM): a 6 MiB block makes it move past the flow table, flows and all kept.
test("captureStats() keeps its flows when a large block makes the input area grow", async () => {
  const frames = sampleFrames();
  const epbs = frames.map((data, i) => ({ kind: "epb" as const, iface: 0, ts: BigInt(i), data }));
  const file = pcapng([{
    interfaces: [{ linktype: LinkType.ETHERNET }],
    blocks: [...epbs, { kind: "raw", type: 0x40, body: new Uint8Array(6 << 20) }, ...epbs],
  }]);
  const s = await both(file);
  assert.is(s.packets, 20);
  assert.is(s.flows, 8);
  assert.is(s.topFlows[0].packets, 4);
});

// A file of several chunks (1 MiB each in statistics mode) is read ahead on a machine with
// two cores (Node, Deno); a block larger than the room kept for a carried record goes on
// without reading ahead; damage is reported at the same offset either way.
test("captureStats() of a file gives what its bytes give: several chunks, a 6 MiB block, damage", async () => {
  const dir = mkdtempSync(join(tmpdir(), "anynet-stats-read-ahead-"));
  try {
    const frames = sampleFrames();
    const many = pcap(Array.from({ length: 40000 }, (_, i) => ({ data: frames[i % frames.length], frac: i })));
    assert.ok(many.length > 3 << 20, `${many.length} bytes`);
    const epbs = frames.map((data, i) => ({ kind: "epb" as const, iface: 0, ts: BigInt(i), data }));
    const bigBlock = pcapng([{
      interfaces: [{ linktype: LinkType.ETHERNET }],
      blocks: [...epbs, { kind: "raw", type: 0x40, body: new Uint8Array(6 << 20) }, ...epbs],
    }]);
    const cases = [["many.pcap", many], ["cut.pcap", many.subarray(0, many.length - 5)], ["block.pcapng", bigBlock]];
    for (const [name, bytes] of cases as [string, Uint8Array][]) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const fromFile = await captureStats(path);
      assert.equal(fromFile, await captureStats(bytes), name);
      assert.equal(fromFile, await captureStats(path, { engine: "ts" }), `${name}, ts engine`);
    }
    const cut = await captureStats(join(dir, "cut.pcap"));
    assert.is(cut.packets, 39999);
    assert.match(cut.fileError!.message, /middle of a record/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

test("captureStats() with a full flow table keeps the largest flows whole and counts the evicted ones", async () => {
  // Twenty conversations of 1000+ bytes a packet among 5000 one-packet 42-byte ones, with
  // room for 1000 flows: the large ones always rank in the upper half, so none is evicted.
  const packets: CapturedPacket[] = [];
  const seen: { end: string; len: number }[] = [];
  const large = (e: number) => {
    const data = udpFrame(`172.16.0.${e + 1}`, 5000);
    packets.push({ data, len: 1000 + e });
    seen.push({ end: `172.16.0.${e + 1}:5000`, len: 1000 + e });
  };
  for (let e = 0; e < 20; e++) for (let k = 0; k < 3; k++) large(e);
  for (let i = 0; i < 5000; i++) {
    const data = udpFrame(mouseAddress(i), 1024);
    packets.push({ data });
    seen.push({ end: `${mouseAddress(i)}:1024`, len: data.length });
    if (i % 50 === 0) large((i / 50) % 20);
  }
  const s = await both(pcap(packets), 1000);
  const truth = [...tally(seen)].sort(([, x], [, y]) => y.bytes - x.bytes).slice(0, 10);
  assert.equal(
    s.topFlows,
    truth.map(([a, f]) => ({
      proto: IpProtocol.UDP,
      a,
      b: "192.0.2.1:9",
      packets: f.packets,
      bytes: f.bytes,
      exact: true,
    })),
  );
  assert.is(s.topFlowsExact, true, "the sketch proves no evicted flow comes near the top ten");
  assert.is(s.flowsExact, false);
  assert.ok(Math.abs(s.flows - 5020) < 5020 * 0.03, `estimate ${s.flows} for 5020 flows`);
  const t = s.flowTable;
  assert.is(t.maxFlows, 1000);
  assert.is(t.full, true);
  assert.ok(t.evictions >= 8, `${t.evictions} evictions`);
  // Only one-packet 42-byte flows were evicted, and at least all but the 1000 the table holds.
  assert.is(t.evictedFlows, t.evictedPackets);
  assert.is(t.evictedBytes, t.evictedPackets * 42);
  assert.ok(t.evictedPackets >= 5020 - 1000 && t.evictedPackets <= 5000, `${t.evictedPackets} evicted`);
});

test("captureStats() reports a flow evicted and seen again with its restarted counts, not as exact", async () => {
  // Room for 4 flows: the small first packet of 10.9.9.9 is evicted by larger flows, then
  // the flow comes back and grows to the top with its count started over.
  const back = udpFrame("10.9.9.9", 7);
  const packets: CapturedPacket[] = [{ data: back, len: 60 }];
  for (let i = 0; i < 8; i++) packets.push({ data: udpFrame(mouseAddress(i + 1), 1024), len: 500 + i });
  for (let k = 0; k < 5; k++) packets.push({ data: back, len: 2000 });
  const s = await both(pcap(packets), 4);
  assert.equal(s.topFlows[0], {
    proto: IpProtocol.UDP,
    a: "10.9.9.9:7",
    b: "192.0.2.1:9",
    packets: 5,
    bytes: 10000,
    exact: false,
  });
  assert.is(s.topFlowsExact, false);
  // The table holds every flow it lists: listed plus evicted is everything.
  assert.is(s.topFlows.reduce((n, f) => n + f.packets, 0) + s.flowTable.evictedPackets, 14);
  assert.is(s.topFlows.reduce((n, f) => n + f.bytes, 0) + s.flowTable.evictedBytes, s.bytes);
  assert.ok(s.flowTable.evictedBytes >= 60, "the first packet of 10.9.9.9 is among the evicted");
});

test("captureStats() gives the same flows in both engines at every flow bound", async () => {
  // Skewed traffic over 3000 IPv4 and IPv6 conversations, TCP and UDP, with varying sizes:
  // evictions at every bound below 3000, with re-entries, ties and table growth.
  const next = rng(7);
  const frames: Bytes[] = [];
  for (let i = 0; i < 3000; i++) {
    const v6 = i % 5 === 0;
    const ip = v6
      ? { v: 6 as const, src: `2001:db8::${(i + 1).toString(16)}`, dst: "2001:db8::ffff" }
      : { v: 4 as const, src: mouseAddress(i + 1), dst: "10.255.0.1" };
    const l4 = i % 3 === 0
      ? tcp({ sport: 1024 + (i % 7), dport: 443 }, new Uint8Array(0), ip)
      : udp(2000 + (i % 11), 53 + (i % 2), new Uint8Array(0), ip);
    const proto = i % 3 === 0 ? 6 : 17;
    const l3 = v6 ? ipv6({ ...ip, next: proto }, l4) : ipv4({ ...ip, proto }, l4);
    frames.push(ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", v6 ? EtherType.IPV6 : EtherType.IPV4, l3));
  }
  const packets: CapturedPacket[] = [];
  const used = new Set<number>();
  for (let n = 0; n < 20000; n++) {
    const u = (next() % 100000) / 100000;
    const i = Math.floor(u * u * u * frames.length);
    used.add(i);
    packets.push({ data: frames[i], len: frames[i].length + (next() % 1400) });
  }
  const file = pcap(packets);
  const distinct = used.size;
  for (const maxFlows of [1, 2, 3, 5, 10, 64, 1000, distinct - 1, distinct]) {
    const s = await both(file, maxFlows);
    assert.is(s.flowTable.full, maxFlows < distinct, `maxFlows ${maxFlows}`);
    assert.is(s.flowsExact, maxFlows >= distinct);
    if (maxFlows <= 10) {
      // The table holds no more than it lists: listed plus evicted is every IP packet.
      const ip = s.protocols.ipv4 + s.protocols.ipv6;
      assert.is(s.topFlows.reduce((n, f) => n + f.packets, 0) + s.flowTable.evictedPackets, ip);
      assert.is(s.topFlows.reduce((n, f) => n + f.bytes, 0) + s.flowTable.evictedBytes, s.bytes);
    }
  }
  const exact = await both(file, distinct);
  assert.is(exact.flows, distinct);
  assert.is(exact.topFlowsExact, true);
});

test("captureStats() takes the largest maxFlows on every runtime", async () => {
  // 1 GiB of flow table is reserved in WebAssembly at once; the runtime must allow it.
  const s = await both(pcap(sampleFrames().map((data) => ({ data }))), 8388608);
  assert.is(s.flows, 8);
  assert.is(s.flowTable.maxFlows, 8388608);
  assert.is(s.flowTable.full, false);
});

test("captureStats() rejects a bad maxFlows or an unknown option before reading", async () => {
  const file = pcap(sampleFrames().map((data) => ({ data })));
  for (const maxFlows of [0, -1, 1.5, 8388609, Infinity, NaN, "10" as unknown as number]) {
    for (const engine of ["wasm", "ts"] as const) {
      await captureStats(file, { engine, maxFlows }).then(
        () => assert.unreachable(`maxFlows ${String(maxFlows)} was accepted`),
        (e) => {
          assert.instance(e, RangeError);
          assert.is(
            e.message,
            `Cannot compute capture statistics: 'maxFlows' must be an integer from 1 to 8388608: got ${
              String(maxFlows)
            }`,
          );
        },
      );
    }
  }
  await captureStats(file, { maxflows: 10 } as unknown as { maxFlows: number }).then(
    () => assert.unreachable(),
    (e) => {
      assert.instance(e, TypeError);
      assert.match(e.message, /unknown option 'maxflows' \(did you mean 'maxFlows'\?\)/);
    },
  );
});

test("captureStats() rejects bad arguments before reading", async () => {
  await captureStats(5 as unknown as Uint8Array).then(() => assert.unreachable(), (e) => assert.instance(e, TypeError));
  await captureStats(new Uint8Array(0), { engine: "x" as "ts" }).then(
    () => assert.unreachable(),
    (e) => assert.instance(e, TypeError),
  );
});

test.run();
