import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseWebSocketFrameHeader } from "anynet/packet";

test("parseWebSocketFrameHeader() reads a masked text frame with a 7-bit length", () => {
  const h = parseWebSocketFrameHeader(new Uint8Array([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f]));
  assert.equal(h, {
    fin: true,
    rsv: 0,
    opcode: 1,
    masked: true,
    maskKey: new Uint8Array([0x37, 0xfa, 0x21, 0x3d]),
    payloadLength: 5,
    headerLength: 6,
  });
});

test("parseWebSocketFrameHeader() reads 16-bit and 64-bit lengths", () => {
  assert.equal(parseWebSocketFrameHeader(new Uint8Array([0x02, 126, 0x01, 0x00]))?.payloadLength, 256);
  const big = parseWebSocketFrameHeader(new Uint8Array([0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0]));
  assert.equal([big?.payloadLength, big?.headerLength, big?.fin, big?.opcode], [2 ** 32, 10, true, 2]);
  assert.is(parseWebSocketFrameHeader(new Uint8Array([0x71, 0]))?.rsv, 7);
});

test("parseWebSocketFrameHeader() returns null until the header is complete", () => {
  assert.is(parseWebSocketFrameHeader(new Uint8Array([0x81])), null);
  assert.is(parseWebSocketFrameHeader(new Uint8Array([0x81, 126, 1])), null);
  assert.is(parseWebSocketFrameHeader(new Uint8Array([0x81, 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 9])), null);
});

test("parseWebSocketFrameHeader() rejects a 64-bit length with the top bit set", () => {
  assert.throws(
    () => parseWebSocketFrameHeader(new Uint8Array([0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0])),
    (e: unknown) => e instanceof RangeError,
  );
  assert.throws(() => parseWebSocketFrameHeader("x" as unknown as Uint8Array), (e: unknown) => e instanceof TypeError);
});

test.run();
