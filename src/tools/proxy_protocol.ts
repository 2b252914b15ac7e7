/**
 * The PROXY protocol header (HAProxy's "PROXY protocol" specification, versions 1 and 2)
 * that the proxy writes to a backend before any byte of the client's, so that the
 * backend learns the real client's address rather than the proxy's.
 *
 * Version 1 is one text line:
 *
 * ```
 * PROXY TCP4 203.0.113.7 192.0.2.1 56324 443\r\n
 * PROXY TCP6 2001:db8::7 2001:db8::1 56324 443\r\n
 * PROXY UNKNOWN\r\n
 * ```
 *
 * Version 2 is binary:
 *
 * ```
 * 12 bytes  signature \r\n\r\n\0\r\nQUIT\n
 *  1 byte   0x21: version 2 (high nibble), command PROXY (low nibble)
 *  1 byte   family and transport: 0x11 TCP over IPv4, 0x21 TCP over IPv6, 0x00 unspecified
 *  2 bytes  length of what follows, big-endian: 12 (IPv4), 36 (IPv6), 0
 *  then     source address, destination address, source port, destination port
 * ```
 *
 * @module
 */
import { ipv4Bytes, ipv6Bytes } from "../packet/_format.ts";
import type { NetAddr } from "../net/mod.ts";

/** The PROXY protocol versions the proxy can send. */
export type ProxyProtocolVersion = "v1" | "v2";

/** The twelve bytes every version 2 header starts with. */
export const PROXY_V2_SIGNATURE: Uint8Array = Uint8Array.from([
  0x0d,
  0x0a,
  0x0d,
  0x0a,
  0x00,
  0x0d,
  0x0a,
  0x51,
  0x55,
  0x49,
  0x54,
  0x0a,
]);

/** Version 2 (high nibble) and the PROXY command (low nibble): the connection is relayed for a client. */
const V2_PROXY_COMMAND = 0x21;
/** Version 2 and the LOCAL command: the proxy's own connection (a health check), no client behind it. */
const V2_LOCAL_COMMAND = 0x20;
const V2_TCP4 = 0x11;
const V2_TCP6 = 0x21;
const V2_UNSPEC = 0x00;

/** An address as the header carries it: its family and bytes, or nothing when it is not an IP address. */
type Ip = { family: 4 | 6; bytes: Uint8Array; text: string } | undefined;

function parseIp(hostname: string): Ip {
  const bare = hostname.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  const v4 = ipv4Bytes(bare);
  if (v4) return { family: 4, bytes: v4, text: bare };
  const v6 = ipv6Bytes(bare);
  if (!v6) return undefined;
  // An IPv4 client on a dual-stack listener shows as ::ffff:a.b.c.d: it is an IPv4 client.
  const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  if (mapped) return { family: 4, bytes: v6.slice(12), text: v6.slice(12).join(".") };
  return { family: 6, bytes: v6, text: bare.toLowerCase() };
}

/** The IPv4-mapped IPv6 form of an IPv4 address, for a header whose other address is IPv6. */
function asIpv6(ip: NonNullable<Ip>): NonNullable<Ip> {
  if (ip.family === 6) return ip;
  const bytes = new Uint8Array(16);
  bytes[10] = bytes[11] = 0xff;
  bytes.set(ip.bytes, 12);
  return { family: 6, bytes, text: `::ffff:${ip.text}` };
}

/**
 * Both ends in one family: as they are when they share one, both as IPv6 when they
 * differ (the spec has no mixed form); `undefined` when either is not an IP address.
 */
function addressPair(source: NetAddr, destination: NetAddr): [NonNullable<Ip>, NonNullable<Ip>] | undefined {
  const src = parseIp(source.hostname), dst = parseIp(destination.hostname);
  if (!src || !dst) return undefined;
  return src.family === dst.family ? [src, dst] : [asIpv6(src), asIpv6(dst)];
}

/**
 * The header announcing a TCP connection from `source` (the client) to `destination`
 * (the address the client connected to, the proxy's).
 *
 * @param version `"v1"` (text) or `"v2"` (binary).
 * @param source The client's address.
 * @param destination The proxy's address as the client reached it.
 * @returns The bytes to write before any byte of the client's.
 * @example The text form
 * ```ts
 * import { proxyProtocolHeader } from "anynet/tools";
 * const header = proxyProtocolHeader("v1", { hostname: "192.0.2.7", port: 5000 }, { hostname: "192.0.2.1", port: 80 });
 * console.assert(new TextDecoder().decode(header) === "PROXY TCP4 192.0.2.7 192.0.2.1 5000 80\r\n");
 * ```
 */
export function proxyProtocolHeader(version: ProxyProtocolVersion, source: NetAddr, destination: NetAddr): Uint8Array {
  const pair = addressPair(source, destination);
  if (version === "v1") {
    // UNKNOWN tells the receiver to use the connection's own addresses.
    const line = pair
      ? `PROXY TCP${pair[0].family} ${pair[0].text} ${pair[1].text} ${source.port} ${destination.port}\r\n`
      : "PROXY UNKNOWN\r\n";
    return new TextEncoder().encode(line);
  }
  const addressBytes = pair ? 2 * pair[0].bytes.byteLength + 4 : 0;
  const header = new Uint8Array(16 + addressBytes);
  header.set(PROXY_V2_SIGNATURE, 0);
  header[12] = V2_PROXY_COMMAND;
  header[13] = pair ? (pair[0].family === 4 ? V2_TCP4 : V2_TCP6) : V2_UNSPEC;
  const view = new DataView(header.buffer);
  view.setUint16(14, addressBytes);
  if (pair) {
    const size = pair[0].bytes.byteLength;
    header.set(pair[0].bytes, 16);
    header.set(pair[1].bytes, 16 + size);
    view.setUint16(16 + 2 * size, source.port);
    view.setUint16(18 + 2 * size, destination.port);
  }
  return header;
}

/**
 * The header of a connection the proxy opens for itself (a health check): v1 `PROXY
 * UNKNOWN`, v2 the LOCAL command without addresses. A backend that expects the header
 * then sees a well-formed one rather than a connection that ends before it.
 */
export function proxyProtocolLocalHeader(version: ProxyProtocolVersion): Uint8Array {
  if (version === "v1") return new TextEncoder().encode("PROXY UNKNOWN\r\n");
  const header = new Uint8Array(16);
  header.set(PROXY_V2_SIGNATURE, 0);
  header[12] = V2_LOCAL_COMMAND;
  header[13] = V2_UNSPEC;
  return header;
}
