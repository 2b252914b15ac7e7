import { test } from "uvu";
import * as assert from "uvu/assert";
import { internetChecksum } from "anynet/packet";

// An IPv4 header (127.0.0.1 → 127.0.0.1, ICMP, TTL 64) with its checksum field zeroed.
const ipv4Header = new Uint8Array([
  0x45,
  0x00,
  0x00,
  0x54,
  0x00,
  0x00,
  0x40,
  0x00,
  0x40,
  0x01,
  0x00,
  0x00,
  127,
  0,
  0,
  1,
  127,
  0,
  0,
  1,
]);

test("internetChecksum() computes an IPv4 header checksum in WebAssembly", () => {
  assert.is(internetChecksum(ipv4Header), 0x3ca7);
});

test("internetChecksum() over a header holding its checksum is 0", () => {
  const filled = ipv4Header.slice();
  filled[10] = 0x3c;
  filled[11] = 0xa7;
  assert.is(internetChecksum(filled), 0);
  assert.is(internetChecksum(filled, { engine: "ts" }), 0);
});

test("internetChecksum() pads an odd last byte with zero (RFC 1071)", () => {
  assert.is(internetChecksum(new Uint8Array([0x01])), 0xfeff);
  assert.is(internetChecksum(new Uint8Array([])), 0xffff);
});

test("internetChecksum() agrees between WebAssembly and TypeScript on random data", () => {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  for (let n = 0; n < 300; n++) {
    const bytes = Uint8Array.from({ length: n * 7 + (n % 3) }, random);
    assert.is(internetChecksum(bytes), internetChecksum(bytes, { engine: "ts" }), `length ${bytes.length}`);
  }
});

test("internetChecksum() rejects an unknown engine with a TypeError", () => {
  assert.throws(
    () => internetChecksum(ipv4Header, { engine: "gpu" as "ts" }),
    (e: unknown) => e instanceof TypeError && /unknown engine 'gpu'/.test((e as Error).message),
  );
});

test.run();
