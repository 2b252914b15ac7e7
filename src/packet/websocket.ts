/**
 * The WebSocket frame header (RFC 6455 section 5.2), for users that decode streams.
 *
 * @module
 */

/** A parsed WebSocket frame header. */
export interface WebSocketFrameHeader {
  fin: boolean;
  /** The three reserved bits RSV1..RSV3 as a number (0 to 7). */
  rsv: number;
  /** 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  opcode: number;
  masked: boolean;
  /** The masking key, when `masked`. */
  maskKey?: Uint8Array;
  /** Payload length in bytes. */
  payloadLength: number;
  /** Length of the header itself (2 to 14 bytes): the payload starts there. */
  headerLength: number;
}

/**
 * Parses the WebSocket frame header at the start of `bytes`.
 *
 * @param bytes Stream bytes starting at a frame boundary.
 * @returns The header, or `null` when `bytes` does not yet hold all of it.
 * @throws {TypeError} When `bytes` is not a Uint8Array.
 * @throws {RangeError} When a 64-bit payload length has its most significant bit set
 *   (forbidden by RFC 6455) or exceeds 2^53 - 1.
 * @example A masked text frame of 5 bytes
 * ```ts
 * import { parseWebSocketFrameHeader } from "anynet/packet";
 * const h = parseWebSocketFrameHeader(new Uint8Array([0x81, 0x85, 1, 2, 3, 4]));
 * console.assert(h?.opcode === 1 && h.payloadLength === 5 && h.headerLength === 6);
 * ```
 */
export function parseWebSocketFrameHeader(bytes: Uint8Array): WebSocketFrameHeader | null {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`Cannot parse WebSocket frame header: 'bytes' must be a Uint8Array: got ${typeof bytes}`);
  }
  if (bytes.length < 2) return null;
  const b0 = bytes[0], b1 = bytes[1];
  const masked = (b1 & 0x80) !== 0;
  let length = b1 & 0x7f;
  let o = 2;
  if (length === 126) {
    if (bytes.length < 4) return null;
    length = (bytes[2] << 8) | bytes[3];
    o = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return null;
    if (bytes[2] & 0x80) {
      throw new RangeError(
        "Cannot parse WebSocket frame header: the 64-bit payload length has its most significant bit set",
      );
    }
    const hi = ((bytes[2] << 24) | (bytes[3] << 16) | (bytes[4] << 8) | bytes[5]) >>> 0;
    const lo = ((bytes[6] << 24) | (bytes[7] << 16) | (bytes[8] << 8) | bytes[9]) >>> 0;
    if (hi > 0x1fffff) {
      throw new RangeError(`Cannot parse WebSocket frame header: payload length beyond 2^53 - 1 (high word ${hi})`);
    }
    length = hi * 4294967296 + lo;
    o = 10;
  }
  const header: WebSocketFrameHeader = {
    fin: (b0 & 0x80) !== 0,
    rsv: (b0 >> 4) & 7,
    opcode: b0 & 15,
    masked,
    payloadLength: length,
    headerLength: o + (masked ? 4 : 0),
  };
  if (masked) {
    if (bytes.length < o + 4) return null;
    header.maskKey = bytes.slice(o, o + 4);
  }
  return header;
}
