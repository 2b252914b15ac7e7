/**
 * The packet table of `pcap export`: one flat row per packet, its columns read straight
 * from the decoder's rows (../_layout.ts) through the display filter's field readers
 * (../filter/fields.ts), so a column means what the field of the same name means in a
 * filter. A column is null where the packet lacks the field (no TCP header, no DNS
 * question …).
 *
 * To add a column: one entry in PACKET_COLUMNS (a name, a type, a reader).
 *
 * @module
 */
import * as L from "../_layout.ts";
import * as IpProtocol from "../_ip_protocols.ts";
import { macText } from "../_format.ts";
import { communityIdOfBytes } from "../community_id.ts";
import { fieldText } from "../filter/field_text.ts";
import { type FieldDef, FIELDS, occurrences } from "../filter/fields.ts";
import type { PacketBatch } from "../batch.ts";
import type { CellValue, ColumnBlock, ColumnType, ExportColumn } from "./table.ts";

type Reader = (t: Int32Array, b: Uint8Array, r: number) => CellValue;

interface PacketColumn extends ExportColumn {
  readonly read: Reader;
}

function field(name: string): FieldDef {
  const f = FIELDS.get(name);
  if (!f) throw new Error(`no field ${name}`);
  return f;
}

/** The first occurrence's number, or null. */
function num(name: string): Reader {
  const f = field(name);
  return (t, b, r) => (occurrences(f, t, b, r) > 0 ? f.value!(t, b, r, 0) : null);
}
function bool(name: string): Reader {
  const f = field(name);
  return (t, b, r) => (occurrences(f, t, b, r) > 0 ? f.value!(t, b, r, 0) !== 0 : null);
}
function big(name: string): Reader {
  const f = field(name);
  return (t, b, r) => (occurrences(f, t, b, r) > 0 ? BigInt(f.value!(t, b, r, 0)) : null);
}
/** The field as tshark prints it (addresses, names), or null. */
function text(name: string): Reader {
  const f = field(name);
  return (t, b, r) => (occurrences(f, t, b, r) > 0 ? fieldText(f, t, b, r) : null);
}
/** The IPv4 field, else the IPv6 one. */
function either(v4: Reader, v6: Reader): Reader {
  return (t, b, r) => (t[r] & L.F_IP4 ? v4(t, b, r) : t[r] & L.F_IP6 ? v6(t, b, r) : null);
}
/** The TCP field, else the UDP (or ICMPv6) one. */
function firstOf(...readers: Reader[]): Reader {
  return (t, b, r) => {
    for (const read of readers) {
      const v = read(t, b, r);
      if (v !== null) return v;
    }
    return null;
  };
}

/** The highest layer decoded, by the names `captureStats()` counts. */
const LAYERS: readonly [number, string][] = [
  [L.F_HTTP, "http"],
  [L.F_TLS, "tls"],
  [L.F_DNS, "dns"],
  [L.F_TCP, "tcp"],
  [L.F_UDP, "udp"],
  [L.F_ICMP, "icmp"],
  [L.F_ICMP6, "icmp6"],
  [L.F_ARP, "arp"],
  [L.F_IP4, "ipv4"],
  [L.F_IP6, "ipv6"],
  [L.F_ETH, "ethernet"],
];
function topLayer(t: Int32Array, _b: Uint8Array, r: number): CellValue {
  const f = t[r];
  for (const [bit, name] of LAYERS) if (f & bit) return name;
  return null;
}

function decodeError(t: Int32Array, _b: Uint8Array, r: number): CellValue {
  if (!(t[r] & L.F_ERROR)) return null;
  const e = t[r + L.C_ERR];
  return `${L.LAYERS[e >> 8] ?? "?"}: ${L.CODES[e & 0xff] ?? "?"}`;
}

function timestamp(t: Int32Array, _b: Uint8Array, r: number): CellValue {
  if (!(t[r] & L.F_TS)) return null;
  const seconds = t[r + L.C_SECHI] * 4294967296 + (t[r + L.C_SECLO] >>> 0);
  return BigInt(seconds) * 1_000_000_000n + BigInt(t[r + L.C_NSEC]);
}

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];

/**
 * The flow's Community ID (seed 0): for TCP and UDP with their ports, ICMP and ICMPv6
 * by type and code, other IP protocols by addresses alone; null without an IP header,
 * or for TCP or UDP whose header was not decoded (a later fragment, a cut packet).
 */
function communityId(t: Int32Array, b: Uint8Array, r: number): CellValue {
  const f = t[r];
  if (!(f & (L.F_IP4 | L.F_IP6))) return null;
  // Packets of one flow come in runs: the SHA-1 is computed once per flow while it is cached.
  const key = flowKey(t, b, r);
  let id = communityIds.get(key);
  if (id === undefined) {
    id = computeCommunityId(t, b, r);
    if (communityIds.size >= COMMUNITY_ID_CACHE) communityIds.clear();
    communityIds.set(key, id);
  }
  return id;
}

/** Flows whose Community ID is remembered; past this, the cache starts again empty. */
const COMMUNITY_ID_CACHE = 65536;
const communityIds = new Map<string, CellValue>();

/** What the Community ID depends on, as a string: flags, protocol, address and L4 bytes. */
function flowKey(t: Int32Array, b: Uint8Array, r: number): string {
  const f = t[r];
  const l3 = t[r + L.C_DATA] + t[r + L.C_L3OFF];
  const l4 = t[r + L.C_DATA] + t[r + L.C_L4OFF];
  const head = (f & (L.F_IP4 | L.F_TCP | L.F_UDP | L.F_ICMP | L.F_ICMP6)) * 256 + t[r + L.C_PROTO];
  const l4Key = f & (L.F_TCP | L.F_UDP | L.F_ICMP | L.F_ICMP6) ? u16(b, l4) * 65536 + u16(b, l4 + 2) : 0;
  if (f & L.F_IP4) {
    return `${head}:${u16(b, l3 + 12) * 65536 + u16(b, l3 + 14)}:${u16(b, l3 + 16) * 65536 + u16(b, l3 + 18)}:${l4Key}`;
  }
  let key = `${head}:${l4Key}`;
  for (let o = l3 + 8; o < l3 + 40; o += 2) key += ":" + u16(b, o);
  return key;
}

function computeCommunityId(t: Int32Array, b: Uint8Array, r: number): CellValue {
  const f = t[r];
  if (!(f & (L.F_IP4 | L.F_IP6))) return null;
  const l3 = t[r + L.C_DATA] + t[r + L.C_L3OFF];
  const l4 = t[r + L.C_DATA] + t[r + L.C_L4OFF];
  const proto = t[r + L.C_PROTO];
  const v4 = (f & L.F_IP4) !== 0;
  let sport = 0, dport = 0;
  if (f & (L.F_TCP | L.F_UDP)) {
    sport = u16(b, l4);
    dport = u16(b, l4 + 2);
  } else if (f & (L.F_ICMP | L.F_ICMP6)) {
    sport = b[l4];
    dport = b[l4 + 1];
  } else if (proto === IpProtocol.TCP || proto === IpProtocol.UDP) {
    return null;
  }
  return v4
    ? communityIdOfBytes(proto, b, l3 + 12, l3 + 16, 4, sport, dport, 0)
    : communityIdOfBytes(proto, b, l3 + 8, l3 + 24, 16, sport, dport, 0);
}

function column(name: string, type: ColumnType, read: Reader): PacketColumn {
  return { name, type, read };
}

/** The columns of the packet table, in order. */
export const PACKET_COLUMNS: readonly PacketColumn[] = [
  column("frame_number", "int32", num("frame.number")),
  column("ts", "timestamp_ns", timestamp),
  column("cap_len", "int32", num("frame.cap_len")),
  column("len", "int32", num("frame.len")),
  column("link_type", "int32", (t, _b, r) => t[r + L.C_LINK]),
  column("eth_src", "string", (t, b, r) => (t[r] & L.F_ETH ? macText(b, t[r + L.C_DATA] + 6) : null)),
  column("eth_dst", "string", (t, b, r) => (t[r] & L.F_ETH ? macText(b, t[r + L.C_DATA]) : null)),
  column("eth_type", "int32", num("eth.type")),
  column("vlan_id", "int32", num("vlan.id")),
  column("ip_version", "int32", (t, _b, r) => (t[r] & L.F_IP4 ? 4 : t[r] & L.F_IP6 ? 6 : null)),
  column("src_addr", "string", either(text("ip.src"), text("ipv6.src"))),
  column("dst_addr", "string", either(text("ip.dst"), text("ipv6.dst"))),
  column("ttl", "int32", either(num("ip.ttl"), num("ipv6.hlim"))),
  column("ip_proto", "int32", (t, _b, r) => (t[r] & (L.F_IP4 | L.F_IP6) ? t[r + L.C_PROTO] : null)),
  column("protocol", "string", topLayer),
  column("src_port", "int32", firstOf(num("tcp.srcport"), num("udp.srcport"))),
  column("dst_port", "int32", firstOf(num("tcp.dstport"), num("udp.dstport"))),
  column("tcp_flags", "int32", num("tcp.flags")),
  column("tcp_syn", "boolean", bool("tcp.flags.syn")),
  column("tcp_ack", "boolean", bool("tcp.flags.ack")),
  column("tcp_fin", "boolean", bool("tcp.flags.fin")),
  column("tcp_rst", "boolean", bool("tcp.flags.reset")),
  column("tcp_psh", "boolean", bool("tcp.flags.push")),
  column("tcp_seq", "int64", big("tcp.seq_raw")),
  column("tcp_ack_num", "int64", big("tcp.ack_raw")),
  column("tcp_window", "int32", num("tcp.window_size_value")),
  column("tcp_len", "int32", num("tcp.len")),
  column("udp_length", "int32", num("udp.length")),
  column("icmp_type", "int32", firstOf(num("icmp.type"), num("icmpv6.type"))),
  column("icmp_code", "int32", firstOf(num("icmp.code"), num("icmpv6.code"))),
  column("dns_query", "string", text("dns.qry.name")),
  column("dns_response", "boolean", bool("dns.flags.response")),
  column("tls_sni", "string", text("tls.handshake.extensions_server_name")),
  column("http_method", "string", text("http.request.method")),
  column("http_uri", "string", text("http.request.uri")),
  column("http_host", "string", text("http.host")),
  column("error", "string", decodeError),
  column("community_id", "string", communityId),
];

/** The rows of a batch as a block of the packet table. */
export function packetBlock(batch: PacketBatch): ColumnBlock {
  const t = batch._table, b = batch._bytes, n = batch.length;
  const values: CellValue[][] = [];
  for (const c of PACKET_COLUMNS) {
    const read = c.read;
    const out: CellValue[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = read(t, b, i * L.NCOLS);
    values.push(out);
  }
  return { length: n, values };
}

/** The batches of a capture as blocks of the packet table. */
export async function* packetBlocks(batches: AsyncIterable<PacketBatch>): AsyncIterable<ColumnBlock> {
  for await (const batch of batches) yield packetBlock(batch);
}
