/**
 * How a capture file is read: a regular file synchronously (straight into the decoder's
 * memory), with an asynchronous read every few chunks so that the event loop still runs
 * while a large file is counted; anything else (a device, a pipe) asynchronously.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { captureStats } from "anynet/packet";
import { importPrivate } from "../_helpers/private_module.ts";
import { ethernet, ipv4, pcap, udp } from "../../scripts/_packet_writer.ts";
import { EtherType, IpProtocol } from "../../scripts/_packet_numbers.ts";

type Files = typeof import("../../src/runtime/files.ts");
const { openFileReader } = await importPrivate<Files>("runtime/files");

const dir = mkdtempSync(join(tmpdir(), "anynet-file-reads-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("a regular file is read the same synchronously and asynchronously", async () => {
  const path = join(dir, "bytes.bin");
  const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) & 255);
  writeFileSync(path, bytes);
  const reader = await openFileReader(path);
  try {
    assert.ok(reader.regular);
    const first = new Uint8Array(3000);
    assert.is(await reader.read(first, 0, 3000), 3000);
    const rest = new Uint8Array(3000);
    assert.is(reader.readSync(rest, 0, 3000), 2000);
    assert.is(reader.readSync(rest, 2000, 1000), 0);
    assert.equal([...first, ...rest.subarray(0, 2000)], [...bytes]);
  } finally {
    await reader.close();
  }
});

test("a device is not a regular file", async () => {
  const reader = await openFileReader("/dev/zero");
  try {
    assert.not.ok(reader.regular);
  } finally {
    await reader.close();
  }
});

test("the event loop runs while a large capture file is counted", async () => {
  // 40,000 frames of 1042 bytes: about 40 MiB, read 1 MiB at a time.
  const ip = { v: 4 as const, src: "192.0.2.7", dst: "192.0.2.1" };
  const frame = ethernet(
    "02:00:00:00:00:02",
    "02:00:00:00:00:01",
    EtherType.IPV4,
    ipv4({ ...ip, proto: IpProtocol.UDP }, udp(5000, 9, new Uint8Array(1000), ip)),
  );
  const packets = 40_000;
  const path = join(dir, "large.pcap");
  // One record written out, then repeated: building 40,000 records one by one is slow.
  const one = pcap([{ data: frame, sec: 1 }]);
  const file = new Uint8Array(24 + (one.length - 24) * packets);
  file.set(one);
  for (let i = 1, o = one.length; i < packets; i++, o += one.length - 24) file.set(one.subarray(24), o);
  writeFileSync(path, file);
  // A timer's ticks as each chunk is read: without asynchronous reads among the
  // synchronous ones, none could run between the second chunk and the last.
  let ticks = 0;
  const seen: number[] = [];
  const timer = setInterval(() => ticks++, 0);
  try {
    const stats = await captureStats(path, { onProgress: () => seen.push(ticks) });
    assert.is(stats.packets, packets);
    assert.is(stats.flows, 1);
  } finally {
    clearInterval(timer);
  }
  assert.ok(seen.length >= 40, `${seen.length} chunks`);
  assert.ok(seen.at(-1)! > seen[1], `the timer ran ${seen.at(-1)! - seen[1]} times after the second chunk`);
});

test.run();
