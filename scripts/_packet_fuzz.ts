/**
 * Differential fuzzing of the two decoders: random and mutated frames (and mutated
 * capture files) go through the WebAssembly and the TypeScript engine, and every record
 * and file-level error must be identical. Used by test/packet/fuzz.test.ts (short) and
 * scripts/fuzz_packet.ts (long).
 *
 * @module
 */
import { CaptureError, openCapture } from "anynet/packet";
import { AddressFamily, EtherType, LinkType } from "./_packet_numbers.ts";
import { be16, be32, type Bytes, concat, le32, pcapng, type PcapngBlock, rng, sampleFrames } from "./_packet_writer.ts";

/** The link types the decoder knows, one pcapng interface each. */
export const FUZZ_LINKS: number[] = [
  LinkType.ETHERNET,
  LinkType.LINUX_SLL,
  LinkType.LINUX_SLL2,
  LinkType.NULL,
  LinkType.LOOP,
  LinkType.RAW,
  LinkType.RAW_DLT12,
  LinkType.RAW_DLT14,
  LinkType.IPV4,
  LinkType.IPV6,
  LinkType.USER0,
];

function seedFrames(): Bytes[] {
  const eth = sampleFrames();
  // The same packets behind the other link-layer headers.
  const ip = eth.map((f) => f.subarray(f[12] === 0x81 || f[12] === 0x88 ? 18 : 14));
  return [...eth, ...ip];
}

/** A pcapng capture of `count` random and mutated frames (seeded, reproducible). */
export function fuzzCapture(seed: number, count: number): Bytes {
  const next = rng(seed);
  const seeds = seedFrames();
  const blocks: PcapngBlock[] = [];
  for (let i = 0; i < count; i++) {
    const iface = next() % FUZZ_LINKS.length;
    const link = FUZZ_LINKS[iface];
    let frame: Uint8Array;
    const kind = next() % 10;
    if (kind === 0) {
      frame = new Uint8Array(next() % 120);
      for (let j = 0; j < frame.length; j++) frame[j] = next() & 255;
    } else {
      const base = seeds[next() % seeds.length];
      const ipOnly = base[0] >> 4 === 4 || base[0] >> 4 === 6;
      let prefix: number[] = [];
      if (ipOnly) {
        const v6 = base[0] >> 4 === 6;
        const type = be16(v6 ? EtherType.IPV6 : EtherType.IPV4);
        if (link === LinkType.ETHERNET) prefix = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, ...type];
        else if (link === LinkType.LINUX_SLL) prefix = [0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, ...type];
        else if (link === LinkType.LINUX_SLL2) prefix = [...type, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0];
        // NULL in either byte order (the capturing host's), LOOP always big-endian.
        else if (link === LinkType.NULL) prefix = v6 ? le32(AddressFamily.INET6_DARWIN) : be32(AddressFamily.INET);
        else if (link === LinkType.LOOP) prefix = be32(v6 ? AddressFamily.INET6_BSD : AddressFamily.INET);
      }
      frame = concat(prefix, base);
      // Mutate: flip bytes (biased toward headers), then maybe cut.
      const flips = next() % 6;
      for (let j = 0; j < flips && frame.length > 0; j++) {
        const at = next() % 3 === 0 ? next() % frame.length : next() % Math.min(frame.length, 64);
        frame[at] = next() % 4 === 0 ? [0, 0xff, 0x80, 0x7f, 5, 6, 17, 44, 0xc0][next() % 9] : next() & 255;
      }
      if (next() % 4 === 0) frame = frame.subarray(0, next() % (frame.length + 1));
    }
    const len = next() % 5 === 0 ? frame.length + (next() % 2000) : frame.length;
    blocks.push({ kind: "epb", iface, ts: BigInt(1700000000) * 1000000n + BigInt(i), data: frame, len });
  }
  return pcapng([{ interfaces: FUZZ_LINKS.map((linktype) => ({ linktype })), blocks }]);
}

/** Mutates a whole capture file (byte flips, cuts): file-level damage of every kind. */
export function mutateFile(file: Bytes, seed: number): Bytes {
  const next = rng(seed);
  const out = file.slice();
  const flips = 1 + (next() % 8);
  for (let i = 0; i < flips; i++) out[next() % out.length] = next() & 255;
  return next() % 3 === 0 ? out.subarray(0, next() % out.length) : out;
}

/** Decodes `file` with both engines; returns the packet count, or a description of the first difference. */
export async function compareEngines(
  file: Bytes,
  chunkSize?: number,
): Promise<{ packets: number; difference?: string }> {
  const run = async (engine: "wasm" | "ts") => {
    const lines: string[] = [];
    let error = "";
    try {
      for await (const batch of openCapture(file, { engine, chunkSize })) {
        for (let i = 0; i < batch.length; i++) lines.push(JSON.stringify(batch.get(i)));
      }
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      error = e.message;
    }
    return { lines, error };
  };
  const w = await run("wasm");
  const t = await run("ts");
  const n = Math.max(w.lines.length, t.lines.length);
  for (let i = 0; i < n; i++) {
    if (w.lines[i] !== t.lines[i]) {
      return { packets: n, difference: `record ${i + 1}:\n  wasm ${w.lines[i]}\n  ts   ${t.lines[i]}` };
    }
  }
  if (w.error !== t.error) return { packets: n, difference: `file error: wasm '${w.error}', ts '${t.error}'` };
  return { packets: n };
}
