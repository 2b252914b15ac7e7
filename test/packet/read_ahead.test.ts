/**
 * Reading a file ahead (drive() with `readAhead`, what `captureStats()` counts with): on a
 * machine with two cores, Node and Deno read the next chunk into a second area while this
 * one is decoded and copy the record a chunk ends in the middle of before it. Whatever the
 * chunk size, every packet must come out as decoding the same bytes from memory gives it,
 * and damage at the same file offset. (On one core, or on Bun, the file is read
 * synchronously: the same assertions then hold for that path.)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { importPrivate } from "../_helpers/private_module.ts";
import { pcap, pcapng, sampleFrames } from "../../scripts/_packet_writer.ts";
import { LinkType } from "../../scripts/_packet_numbers.ts";

const { drive } = await importPrivate<typeof import("../../src/packet/_drive.ts")>("packet/_drive");
const { createEngine } = await importPrivate<typeof import("../../src/packet/_engine.ts")>("packet/_engine");
const L = await importPrivate<typeof import("../../src/packet/_layout.ts")>("packet/_layout");
// The class drive() throws, from the same modules (on Bun, anynet/packet may be another copy).
const { CaptureError } = await importPrivate<typeof import("../../src/packet/capture_error.ts")>(
  "packet/capture_error",
);
type CaptureError = InstanceType<typeof CaptureError>;

/** Every row drive() gave, as text: its columns but the data pointer, then its captured bytes. */
async function rowsOf(
  source: string | Uint8Array,
  engineName: "wasm" | "ts",
  chunkSize: number,
): Promise<{ rows: string[]; error?: CaptureError }> {
  const engine = createEngine(engineName, 64);
  const rows: string[] = [];
  try {
    for await (const count of drive(engine, source, chunkSize, undefined, { readAhead: true })) {
      const table = engine.table(), bytes = engine.bytes();
      for (let r = 0; r < count; r++) {
        const row = Array.from(table.subarray(r * L.NCOLS, (r + 1) * L.NCOLS));
        const data = row[L.C_DATA];
        row[L.C_DATA] = 0;
        rows.push(`${row.join(",")} ${Array.from(bytes.subarray(data, data + row[L.C_CAPLEN])).join(".")}`);
      }
    }
  } catch (error) {
    if (!(error instanceof CaptureError)) throw error;
    return { rows, error };
  }
  return { rows };
}

test("a file read ahead gives every packet as its bytes do, for any chunk size, with damage at the same offset", async () => {
  const dir = mkdtempSync(join(tmpdir(), "anynet-read-ahead-"));
  try {
    const frames = sampleFrames();
    const whole = pcap(Array.from({ length: 300 }, (_, i) => ({ data: frames[i % frames.length], frac: i })));
    const epbs = frames.map((data, i) => ({ kind: "epb" as const, iface: 0, ts: BigInt(i), data }));
    // A block larger than the room kept for a carried record: reading goes on synchronously.
    const bigBlock = pcapng([{
      interfaces: [{ linktype: LinkType.ETHERNET }],
      blocks: [...epbs, { kind: "raw", type: 0x40, body: new Uint8Array(300_000) }, ...epbs],
    }]);
    // The block is carried across every chunk it spans, copied each time: large chunks only.
    const cases: [string, Uint8Array, number, number[]][] = [
      ["whole.pcap", whole, 300, [1, 13, 200, 4096, 1 << 20]],
      ["cut.pcap", whole.subarray(0, whole.length - 9), 299, [1, 13, 200, 4096, 1 << 20]],
      ["block.pcapng", bigBlock, 2 * frames.length, [4096, 100_000, 1 << 20]],
    ];
    for (const [name, bytes, packets, chunkSizes] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      for (const engine of ["wasm", "ts"] as const) {
        for (const chunkSize of chunkSizes) {
          const what = `${name}, ${engine} engine, chunks of ${chunkSize}`;
          const fromFile = await rowsOf(path, engine, chunkSize);
          const fromBytes = await rowsOf(bytes, engine, chunkSize);
          assert.is(fromFile.rows.length, packets, what);
          assert.ok(fromFile.rows.every((row, i) => row === fromBytes.rows[i]), what);
          assert.is(fromFile.error?.message, fromBytes.error?.message, what);
          assert.is(fromFile.error?.offset, fromBytes.error?.offset, what);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
