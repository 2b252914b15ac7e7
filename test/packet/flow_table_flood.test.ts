import { test } from "uvu";
import * as assert from "uvu/assert";
import { captureStats } from "anynet/packet";
import { type Bytes, ethernet, ipv6, pcap, udp } from "../../scripts/_packet_writer.ts";
import { EtherType, IpProtocol } from "../../scripts/_packet_numbers.ts";

// Flows crafted against each engine's flow-table hash as it would be without a key: an
// attacker reads the code, so an unkeyed hash can be inverted to put every flow of a
// capture into one probe run, and each new flow then walks all the others. The flows
// are IPv6/UDP from [::1]:1000 to 2001:db8::/32; the table key (wasm/assembly/stats.ts)
// is version, protocol, the lower end (address 16, port 2), then the other end.
const N = 40000;

function keyOf(b: Uint8Array, port: number): Uint8Array {
  const key = new Uint8Array(40);
  key.set([6, 17]);
  key[17] = 1;
  key.set([0x03, 0xe8], 18);
  key.set(b, 20);
  key.set([port >> 8, port & 255], 36);
  return key;
}

function frame(b: Uint8Array, port: number): Bytes {
  const dst = Array.from({ length: 8 }, (_, i) => ((b[2 * i] << 8) | b[2 * i + 1]).toString(16)).join(":");
  const ip = { v: 6 as const, src: "::1", dst };
  return ethernet(
    "02:00:00:00:00:02",
    "02:00:00:00:00:01",
    EtherType.IPV6,
    ipv6({ ...ip, next: IpProtocol.UDP }, udp(1000, port, new Uint8Array(0), ip)),
  );
}

/**
 * For the WebAssembly engine's multiply-xor hash over five 64-bit words: every key gets
 * the same hash when the fourth word's product is chosen (the multiplier is odd, so it
 * inverts) and the fifth word cancels what the fourth left.
 */
function wasmCollisions(): Bytes[] {
  const M = 0x9e3779b97f4a7c15n, MASK = (1n << 64n) - 1n;
  let inverse = 1n;
  for (let i = 0; i < 6; i++) inverse = (inverse * (2n - M * inverse)) & MASK;
  const word = (k: Uint8Array, o: number) => new DataView(k.buffer).getBigUint64(o, true);
  const prefix = keyOf(new Uint8Array([0x20, 0x01, 0x0d, 0xb8, ...new Array(12).fill(0)]), 0);
  let h = (word(prefix, 0) * M) & MASK;
  h = ((h ^ (h >> 29n) ^ word(prefix, 8)) * M) & MASK;
  h = ((h ^ (h >> 29n) ^ word(prefix, 16)) * M) & MASK;
  const carried = h ^ (h >> 29n);
  const frames: Bytes[] = [];
  for (let i = 1n; i <= BigInt(N); i++) {
    // The fourth product is i, so what it carries on is i too, cancelled by the fifth word.
    const w3 = ((i * inverse) & MASK) ^ carried;
    const w4 = i ^ 0x123456789abcn;
    const b = new Uint8Array(16);
    b.set([0x20, 0x01, 0x0d, 0xb8]);
    const view = new DataView(b.buffer);
    view.setBigUint64(4, w3, true);
    view.setUint32(12, Number(w4 & 0xffffffffn), true);
    frames.push(frame(b, Number((w4 >> 40n) & 255n) | (Number((w4 >> 32n) & 255n) << 8)));
  }
  return frames;
}

/**
 * For the TypeScript engine's FNV-1a: the low 16 bits of the hash (the slot in a table of
 * up to 65536) depend only on the low 16 bits of each step, and each step inverts, so the
 * states after the address's last two bytes are met with those the port's two bytes need.
 */
function tsCollisions(): Bytes[] {
  const P = 0x01000193;
  let inverse = 1;
  for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(P, inverse));
  const prefix = keyOf(new Uint8Array([0x20, 0x01, 0x0d, 0xb8, ...new Array(12).fill(0)]), 0);
  let s = 0x811c9dc5;
  for (let i = 0; i < 34; i++) s = Math.imul(s ^ prefix[i], P);
  const byState = new Map<number, number[]>();
  for (let x = 0; x < 65536; x++) {
    const f = Math.imul(Math.imul(s ^ (x >> 8), P) ^ (x & 255), P) & 0xffff;
    byState.set(f, [...(byState.get(f) ?? []), x]);
  }
  const frames: Bytes[] = [];
  for (let port = 0; port < 65536 && frames.length < N; port++) {
    // Backwards from hash 0 (low 16 bits) through the port's two bytes: the state the
    // address must leave.
    const before = Math.imul(Math.imul(0, inverse) ^ (port & 255), inverse) ^ (port >> 8);
    for (const x of byState.get(before & 0xffff) ?? []) {
      const b = new Uint8Array([0x20, 0x01, 0x0d, 0xb8, ...new Array(10).fill(0), x >> 8, x & 255]);
      if (frames.length < N) frames.push(frame(b, port));
    }
  }
  return frames;
}

/** `N` one-packet flows from [::1]:1000 to [2001:db8::n]:9: nothing crafted. */
function ordinary(): Bytes[] {
  return Array.from({ length: N }, (_, i) => {
    const b = new Uint8Array([0x20, 0x01, 0x0d, 0xb8, ...new Array(10).fill(0), i >> 8, i & 255]);
    return frame(b, 9);
  });
}

async function timed(frames: Bytes[], engine: "wasm" | "ts"): Promise<number> {
  const start = performance.now();
  const s = await captureStats(pcap(frames.map((data) => ({ data }))), { engine });
  assert.is(s.flows, N);
  return performance.now() - start;
}

for (const [engine, crafted] of [["wasm", wasmCollisions], ["ts", tsCollisions]] as const) {
  test(`captureStats() on the ${engine} engine takes no longer for flows crafted against its table hash`, async () => {
    const frames = crafted();
    assert.is(new Set(frames.map((f) => f.join())).size, N, "distinct flows");
    const plain = await timed(ordinary(), engine);
    const attacked = await timed(frames, engine);
    // Unkeyed, the crafted flows take 5-20 times longer here (quadratic in N): a wide
    // margin for a loaded machine either way.
    assert.ok(
      attacked < plain * 3 + 250,
      `${N} crafted flows took ${attacked.toFixed(0)} ms, ordinary ${plain.toFixed(0)} ms`,
    );
  });
}

test.run();
