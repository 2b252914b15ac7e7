/**
 * The Community ID of a flow (version 1 of corelight's community-id specification):
 * `1:` and the base64 SHA-1 of the seed, both addresses, the IP protocol, a pad byte and
 * both ports, the ends ordered so that both directions give the same ID. Zeek, Suricata,
 * Elastic and Arkime compute the same string, so flows join across their logs.
 *
 * ICMP and ICMPv6 have no ports: the type stands for the source port, and for the
 * destination port either the type of the matching reply (an echo request and its reply
 * are one flow) or, for one-way messages, the code; one-way messages are not reordered.
 * The pairs are Zeek's (ICMP4_counterpart and ICMP6_counterpart in its ICMP analyzer).
 *
 * @module
 */
import { checkIntegerRange, checkOptionsObject, refuse } from "../_argument_checks.ts";
import { ipv4Bytes, ipv6Bytes } from "./_format.ts";
import * as IpProtocol from "./_ip_protocols.ts";
import { sha1 } from "./_sha1.ts";

/** SCTP (RFC 9260), whose ports the Community ID includes although anynet does not decode it. */
const SCTP = 132;

/** ICMP request and reply types that form one flow (RFC 792, RFC 950, RFC 1256). */
const ICMP4_PAIRS: ReadonlyMap<number, number> = new Map([
  [8, 0],
  [0, 8],
  [13, 14],
  [14, 13],
  [15, 16],
  [16, 15],
  [10, 9],
  [9, 10],
  [17, 18],
  [18, 17],
]);
/** ICMPv6 request and reply types that form one flow (RFC 4443, 4861, 2710, 4620, 6275). */
const ICMP6_PAIRS: ReadonlyMap<number, number> = new Map([
  [128, 129],
  [129, 128],
  [130, 131],
  [131, 130],
  [133, 134],
  [134, 133],
  [135, 136],
  [136, 135],
  [139, 140],
  [140, 139],
  [144, 145],
  [145, 144],
]);

/** The port-like numbers of an ICMP or ICMPv6 message, and whether it is one-way. */
export interface IcmpPorts {
  sport: number;
  dport: number;
  oneWay: boolean;
}

/** The ports an ICMP (`proto` 1) or ICMPv6 (58) message of `type` and `code` stands for. */
export function icmpPorts(proto: number, type: number, code: number): IcmpPorts {
  const counterpart = (proto === IpProtocol.ICMPV6 ? ICMP6_PAIRS : ICMP4_PAIRS).get(type);
  return counterpart === undefined
    ? { sport: type, dport: code, oneWay: true }
    : { sport: type, dport: counterpart, oneWay: false };
}

/** Whether the Community ID of protocol `proto` includes ports. */
export function hasPorts(proto: number): boolean {
  return proto === IpProtocol.TCP || proto === IpProtocol.UDP || proto === SCTP || proto === IpProtocol.ICMP ||
    proto === IpProtocol.ICMPV6;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function base64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64[n >> 18] + BASE64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? BASE64[(n >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? BASE64[n & 63] : "=";
  }
  return out;
}

/**
 * The Community ID from address bytes: `alen` (4 or 16) bytes of each address at
 * `b[so]` and `b[dso]`. Ports are ignored for a protocol without them; for ICMP and
 * ICMPv6 pass the type as `sport` and the code as `dport`.
 */
export function communityIdOfBytes(
  proto: number,
  b: Uint8Array,
  so: number,
  dso: number,
  alen: number,
  sport: number,
  dport: number,
  seed: number,
): string {
  let oneWay = false;
  if (proto === IpProtocol.ICMP || proto === IpProtocol.ICMPV6) {
    ({ sport, dport, oneWay } = icmpPorts(proto, sport, dport));
  }
  const ports = hasPorts(proto);
  if (!ports) sport = dport = 0;
  let cmp = 0;
  for (let i = 0; i < alen && cmp === 0; i++) cmp = b[so + i] - b[dso + i];
  // The lower (address, port) end first, unless a one-way ICMP message fixes the order.
  if (!oneWay && (cmp > 0 || (cmp === 0 && sport > dport))) {
    [so, dso] = [dso, so];
    [sport, dport] = [dport, sport];
  }
  const input = new Uint8Array(2 + 2 * alen + 2 + (ports ? 4 : 0));
  input[0] = seed >> 8;
  input[1] = seed & 255;
  input.set(b.subarray(so, so + alen), 2);
  input.set(b.subarray(dso, dso + alen), 2 + alen);
  input[2 + 2 * alen] = proto;
  if (ports) {
    const p = 4 + 2 * alen;
    input[p] = sport >> 8;
    input[p + 1] = sport & 255;
    input[p + 2] = dport >> 8;
    input[p + 3] = dport & 255;
  }
  return `1:${base64(sha1(input))}`;
}

/** A flow's five-tuple, as {@linkcode communityId} takes it. */
export interface CommunityIdFlow {
  /** The IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, 132 SCTP, …). */
  proto: number;
  /** Source address, IPv4 dotted quad or IPv6 text; both ends of the same version. */
  src: string;
  dst: string;
  /** Source port; for ICMP and ICMPv6 the message type. Ignored for protocols without ports. @default {0} */
  sport?: number;
  /** Destination port; for ICMP and ICMPv6 the message code. @default {0} */
  dport?: number;
}

/** Options for {@linkcode communityId}. */
export interface CommunityIdOptions {
  /** The seed, from 0 to 65535, that keeps IDs of different domains apart. @default {0} */
  seed?: number;
}

/**
 * The Community ID (version 1) of a flow, the same for both directions.
 *
 * @param flow The protocol, addresses and ports (ICMP type and code).
 * @param options The seed.
 * @returns `1:` and the base64 hash.
 * @throws {TypeError} On addresses that are not IP addresses of the same version.
 * @throws {RangeError} On a protocol, port or seed out of range.
 * @example
 * ```ts
 * import { communityId } from "anynet/packet";
 * const id = communityId({ proto: 17, src: "192.168.1.52", dst: "8.8.8.8", sport: 54585, dport: 53 });
 * console.assert(id === "1:d/FP5EW3wiY1vCndhwleRRKHowQ=");
 * ```
 */
export function communityId(flow: CommunityIdFlow, options: CommunityIdOptions = {}): string {
  const action = "compute Community ID";
  checkOptionsObject(action, flow, ["proto", "src", "dst", "sport", "dport"]);
  checkOptionsObject(action, options, ["seed"]);
  const proto = checkIntegerRange(action, "proto", flow.proto, 0, 255);
  const seed = checkIntegerRange(action, "seed", options.seed ?? 0, 0, 65535);
  const sport = checkIntegerRange(action, "sport", flow.sport ?? 0, 0, 65535);
  const dport = checkIntegerRange(action, "dport", flow.dport ?? 0, 0, 65535);
  const address = (name: string, text: unknown) => {
    const bytes = typeof text === "string" ? ipv4Bytes(text) ?? ipv6Bytes(text) : undefined;
    if (!bytes) refuse(action, `'${name}' must be an IPv4 or IPv6 address: got ${JSON.stringify(text)}`);
    return bytes;
  };
  const src = address("src", flow.src), dst = address("dst", flow.dst);
  if (src.length !== dst.length) {
    refuse(action, `'src' and 'dst' must be of the same IP version: got ${flow.src} and ${flow.dst}`);
  }
  const both = new Uint8Array(src.length * 2);
  both.set(src);
  both.set(dst, src.length);
  return communityIdOfBytes(proto, both, 0, src.length, src.length, sport, dport, seed);
}
