import { test } from "uvu";
import * as assert from "uvu/assert";
import { CaptureError, openCapture } from "anynet/packet";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeAll, decodeBoth } from "../_helpers/packet_decode.ts";
import { concat, le32, pcap, pcapng, sampleFrames } from "../../scripts/_packet_writer.ts";
import { LinkType } from "../../scripts/_packet_numbers.ts";

const frames = sampleFrames();

for (const nanos of [false, true]) {
  for (const littleEndian of [false, true]) {
    test(`openCapture() reads pcap (${nanos ? "ns" : "µs"}, ${littleEndian ? "little" : "big"}-endian)`, async () => {
      const file = pcap(frames.map((data, i) => ({ data, sec: 1700000000 + i, frac: 999 + i })), {
        nanos,
        littleEndian,
      });
      const { records, error } = await decodeBoth(file);
      assert.is(error, undefined);
      assert.is(records.length, frames.length);
      records.forEach((r, i) => {
        assert.is(r.n, i + 1);
        assert.is(r.sec, 1700000000 + i);
        assert.is(r.nsec, nanos ? 999 + i : (999 + i) * 1000);
        assert.is(r.caplen, frames[i].length);
        assert.is(r.link, "ethernet");
        assert.is(r.iface, undefined);
      });
    });
  }
}

test("openCapture() keeps snaplen-truncated records with caplen < len and no error", async () => {
  const file = pcap(frames.map((data) => ({ data })), { snaplen: 60 });
  const { records, error } = await decodeBoth(file);
  assert.is(error, undefined);
  const tls = records[1];
  assert.is(tls.caplen, 60);
  assert.is(tls.len, frames[1].length);
  assert.is(tls.tcp?.payload, 60 - 54);
  assert.is(tls.tcp?.checksumOk, undefined, "no checksum verdict for a partial segment");
  assert.is(tls.error, undefined);
});

test("openCapture() yields every packet before a cut-off last record, then a CaptureError", async () => {
  const whole = pcap(frames.slice(0, 3).map((data) => ({ data })));
  const cut = whole.subarray(0, whole.length - 10);
  const { records, error } = await decodeBoth(cut);
  assert.is(records.length, 2);
  assert.instance(error, CaptureError);
  assert.match(error!.message, /middle of a record at byte offset/);
  assert.is(error!.offset, 24 + 16 * 2 + frames[0].length + frames[1].length);
});

test("openCapture() rejects a file that is not a capture with the offset", async () => {
  const { records, error } = await decodeBoth(new TextEncoder().encode("hello, world, not a pcap"));
  assert.is(records.length, 0);
  assert.match(error!.message, /not a pcap or pcapng file at byte offset 0/);
  const empty = await decodeBoth(new Uint8Array(0));
  assert.match(empty.error!.message, /not a pcap or pcapng file/);
});

test("openCapture() gives the same records for any chunk and batch size", async () => {
  const file = pcap(frames.map((data, i) => ({ data, frac: i })));
  const whole = JSON.stringify((await decodeBoth(file)).records);
  for (const [chunkSize, batchSize] of [[1, 1], [7, 3], [64, 2], [1000, 5]]) {
    const r = await decodeBoth(file, { chunkSize, batchSize });
    assert.is(JSON.stringify(r.records), whole, `chunk ${chunkSize} batch ${batchSize}`);
  }
});

// A file is read in chunks into the decoder's input, a record cut by a chunk's end carried
// to the front (test/packet/read_ahead.test.ts covers reading ahead, which counting uses).
test("openCapture() of a file gives what its bytes give for any chunk size, file damage at the same offset", async () => {
  const dir = mkdtempSync(join(tmpdir(), "anynet-read-ahead-"));
  try {
    const whole = pcap(Array.from({ length: 40 }, (_, i) => ({ data: frames[i % frames.length], frac: i })));
    const cut = whole.subarray(0, whole.length - 7);
    for (const [name, bytes] of [["whole.pcap", whole], ["cut.pcap", cut]] as const) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      for (const engine of ["wasm", "ts"] as const) {
        for (const chunkSize of [1, 7, 64, 1000, 1 << 20]) {
          const fromBytes = await decodeAll(bytes, engine, { chunkSize });
          const fromFile = await decodeAll(path, engine, { chunkSize });
          const what = `${name}, ${engine}, chunk ${chunkSize}`;
          assert.is(fromFile.records.length, name === "cut.pcap" ? 39 : 40, what);
          assert.is(JSON.stringify(fromFile.records), JSON.stringify(fromBytes.records), what);
          assert.is(fromFile.error?.message, fromBytes.error?.message, what);
          assert.is(fromFile.error?.offset, fromBytes.error?.offset, what);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("openCapture() reads a ReadableStream and an async iterable", async () => {
  const file = pcap(frames.map((data) => ({ data })));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let o = 0; o < file.length; o += 33) c.enqueue(file.slice(o, o + 33));
      c.close();
    },
  });
  let n = 0;
  for await (const batch of openCapture(stream)) n += batch.length;
  assert.is(n, frames.length);
  async function* gen() {
    yield file.slice(0, 50);
    yield file.slice(50);
  }
  n = 0;
  for await (const batch of openCapture(gen(), { engine: "ts" })) n += batch.length;
  assert.is(n, frames.length);
});

test("openCapture() rejects bad arguments before reading", () => {
  assert.throws(
    () => openCapture(42 as unknown as Uint8Array),
    (e: unknown) => e instanceof TypeError && /source must be/.test((e as Error).message),
  );
  assert.throws(
    () => openCapture(new Uint8Array(0), { engine: "gpu" as "ts" }),
    (e: unknown) => e instanceof TypeError,
  );
  assert.throws(
    () => openCapture(new Uint8Array(0), { batchSize: 0 }),
    (e: unknown) => e instanceof RangeError && /batchSize/.test((e as Error).message),
  );
});

test("openCapture() reads pcapng: sections with either byte order, interfaces per section", async () => {
  const file = pcapng([
    {
      littleEndian: true,
      interfaces: [{ linktype: LinkType.ETHERNET }, { linktype: LinkType.RAW, tsresol: 9 }],
      blocks: [
        { kind: "epb", iface: 0, ts: 1700000000123456n, data: frames[0] },
        { kind: "raw", type: 0x0bad, body: new Uint8Array([1, 2, 3, 4, 5]) },
        { kind: "epb", iface: 1, ts: 1700000000123456789n, data: frames[3].subarray(14) },
      ],
    },
    {
      littleEndian: false,
      interfaces: [{ linktype: LinkType.IPV6, tsresol: 0x80 | 20, tsoffset: 100n }],
      blocks: [
        { kind: "epb", iface: 0, ts: (5n << 20n) | (1n << 19n), data: frames[4].subarray(14) },
        { kind: "spb", data: frames[4].subarray(14) },
        { kind: "pb", iface: 0, ts: 3n << 20n, data: frames[6].subarray(14) },
      ],
    },
  ]);
  const { records, error } = await decodeBoth(file);
  assert.is(error, undefined);
  assert.is(records.length, 5);
  assert.equal([records[0].sec, records[0].nsec, records[0].iface, records[0].link], [
    1700000000,
    123456000,
    0,
    "ethernet",
  ]);
  assert.equal([records[1].sec, records[1].nsec, records[1].iface, records[1].link], [1700000000, 123456789, 1, "raw"]);
  assert.is(records[1].dns?.qname, "www.example.com");
  assert.equal([records[2].sec, records[2].nsec, records[2].link, records[2].ip?.v], [105, 500000000, "raw", 6]);
  assert.is(records[3].sec, undefined, "a simple packet block has no timestamp");
  assert.is(records[3].iface, 0);
  assert.is(records[3].udp?.dport, 53);
  assert.equal([records[4].sec, records[4].nsec, records[4].icmp6?.type], [103, 0, 128]);
  assert.equal(records.map((r) => r.n), [1, 2, 3, 4, 5]);
});

test("openCapture() reports pcapng damage: bad block length, mismatched trailer, unknown interface", async () => {
  const good = pcapng([{
    interfaces: [{ linktype: LinkType.ETHERNET }],
    blocks: [{ kind: "epb", iface: 0, ts: 0n, data: frames[0] }],
  }]);
  const badLen = good.slice();
  const epbAt = 28 + 20;
  badLen.set(le32(13), epbAt + 4);
  let r = await decodeBoth(concat(good, badLen.subarray(28 + 20)));
  assert.is(r.records.length, 1);
  assert.match(r.error!.message, /block length is invalid at byte offset/);
  assert.is(r.error!.offset, good.length);

  const trailer = good.slice();
  trailer[trailer.length - 4] ^= 4;
  r = await decodeBoth(trailer);
  assert.is(r.records.length, 0);
  assert.match(r.error!.message, /differs/);

  const noIface = pcapng([{ interfaces: [], blocks: [{ kind: "epb", iface: 0, ts: 0n, data: frames[0] }] }]);
  r = await decodeBoth(noIface);
  assert.match(r.error!.message, /interface that the section did not define at byte offset 28/);

  const badBom = good.slice();
  badBom[8] = 0;
  r = await decodeBoth(badBom);
  assert.match(r.error!.message, /byte-order magic/);
});

test("openCapture() rejects a pcap record larger than 256 KiB", async () => {
  const file = concat(pcap([]), le32(0), le32(0), le32(300000), le32(300000));
  const r = await decodeBoth(file);
  assert.match(r.error!.message, /record larger than 262144 bytes at byte offset 24/);
});

test("openCapture() reads a file path in chunks", async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "anynet-pcap-"));
  try {
    const path = join(dir, "a.pcap");
    writeFileSync(path, pcap(frames.map((data) => ({ data }))));
    let n = 0;
    for await (const batch of openCapture(path, { chunkSize: 100 })) n += batch.length;
    assert.is(n, frames.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
