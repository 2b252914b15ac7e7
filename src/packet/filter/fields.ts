/**
 * The fields a display filter and `--fields` can name, in tshark's spelling: each with
 * its type, the row flags that say it is there, and how to read its value straight from
 * a row of the packet table and the packet's bytes (see ../_layout.ts), without building
 * an object. A field that tshark may see more than once in a packet (`ip.addr`,
 * `tcp.port`, `vlan.id` …) says how many times it occurs and reads occurrence `i`.
 *
 * To add a field: one entry in FIELDS; the type decides which operators apply.
 *
 * @module
 */
import * as EtherType from "../_ether_types.ts";
import * as L from "../_layout.ts";
import * as Tcp from "../_tcp.ts";
import { writeDnsName } from "../_format.ts";

/** What a field holds, which decides the literals and operators it takes. */
export type FieldType = "integer" | "boolean" | "ipv4" | "ipv6" | "mac" | "string" | "time" | "protocol";

/** Reads something of row `r` (the index of its first column in `t`) over packet bytes `b`. */
export type RowRead = (t: Int32Array, b: Uint8Array, r: number) => number;
/** Reads occurrence `i` of a field. */
export type OccurrenceRead = (t: Int32Array, b: Uint8Array, r: number, i: number) => number;

/** Where a string value lies: `length` bytes of `buffer` from `offset`. Reused, never kept. */
export interface TextSpan {
  buffer: Uint8Array;
  offset: number;
  length: number;
}

/** A field: its name, type, presence, and the reader of its value. */
export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
  /** Row flag bits that must all be set for the field to be there (0: always there). */
  readonly mask: number;
  /** How many times the field occurs once `mask` holds; absent when once. */
  readonly count?: RowRead;
  /**
   * The value of occurrence `i`: the number (integer, boolean 0/1, IPv4 address as an
   * unsigned 32-bit number, time as whole seconds), or the offset in `b` of the address
   * bytes (IPv6, MAC).
   */
  readonly value?: OccurrenceRead;
  /** Time fields: the nanoseconds of occurrence `i`. */
  readonly nanos?: OccurrenceRead;
  /** String fields: sets `span` to occurrence `i`'s bytes. */
  readonly text?: (t: Int32Array, b: Uint8Array, r: number, i: number, span: TextSpan) => void;
  /** Integers tshark prints in hexadecimal: how many digits. */
  readonly hexDigits?: number;
}

const p = (t: Int32Array, r: number) => t[r + L.C_DATA];
const l3 = (t: Int32Array, r: number) => t[r + L.C_DATA] + t[r + L.C_L3OFF];
const l4 = (t: Int32Array, r: number) => t[r + L.C_DATA] + t[r + L.C_L4OFF];
const app = (t: Int32Array, r: number) => t[r + L.C_DATA] + t[r + L.C_APPOFF];
const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const col = (c: number): RowRead => (t, _b, r) => t[r + c];
const ucol = (c: number): OccurrenceRead => (t, _b, r) => t[r + c] >>> 0;
const two: RowRead = () => 2;
/** The TCP header captured through the window (a capture may hold only its ports). */
const TCPHDR = L.F_TCP | L.F_TCPHDR;

function protocol(name: string, mask: number, count?: RowRead): FieldDef {
  return { name, type: "protocol", mask, count };
}
function integer(name: string, mask: number, value: OccurrenceRead, hexDigits?: number): FieldDef {
  return { name, type: "integer", mask, value, hexDigits };
}
function flag(name: string, mask: number, value: OccurrenceRead): FieldDef {
  return { name, type: "boolean", mask, value };
}
function tcpFlag(name: string, bit: number): FieldDef {
  return flag(name, TCPHDR, (t, b, r) => (b[l4(t, r) + 13] & bit) !== 0 ? 1 : 0);
}
/**
 * Once for a field that lies within the captured bytes up to `l4 + end`, else absent: a
 * snap length can cut a header short, and tshark shows only what was captured.
 */
const capturedTo = (end: number): RowRead => (t, _b, r) => t[r + L.C_CAPLEN] >= t[r + L.C_L4OFF] + end ? 1 : 0;
/** The same for a field that ends `end` bytes into the application data. */
const capturedAppTo = (end: number): RowRead => (t, _b, r) => t[r + L.C_CAPLEN] >= t[r + L.C_APPOFF] + end ? 1 : 0;

/** A DNS header count at `offset` in the message: there once its two bytes were captured. */
function dnsCount(name: string, offset: number): FieldDef {
  return {
    name,
    type: "integer",
    mask: L.F_DNS,
    count: capturedAppTo(offset + 2),
    value: (t, b, r) => u16(b, app(t, r) + offset),
  };
}

/** The 802.1Q tags tshark calls `vlan` (an 802.1ad tag, 0x88a8, is `ieee8021ad` there). */
function vlanCount(t: Int32Array, b: Uint8Array, r: number): number {
  const n = t[r + L.C_VLANS], o = p(t, r);
  let k = 0;
  for (let j = 0; j < n; j++) if (u16(b, o + 12 + 4 * j) !== EtherType.QINQ) k++;
  return k;
}
/** The TCI of the `i`-th tag that vlanCount counts. */
function vlanTci(t: Int32Array, b: Uint8Array, r: number, i: number): number {
  const n = t[r + L.C_VLANS], o = p(t, r);
  for (let j = 0; j < n; j++) {
    if (u16(b, o + 12 + 4 * j) === EtherType.QINQ) continue;
    if (i-- === 0) return u16(b, o + 14 + 4 * j);
  }
  return 0;
}

/** Where the IP packet ends by its header's length (Ethernet padding excluded). */
function ipEnd(t: Int32Array, b: Uint8Array, r: number): number {
  const o = l3(t, r);
  return t[r] & L.F_IP4 ? o + u16(b, o + 2) : o + 40 + u16(b, o + 4);
}

function alpnCount(t: Int32Array, b: Uint8Array, r: number): number {
  let q = p(t, r) + t[r + L.C_ALPNOFF];
  const end = q + t[r + L.C_ALPNLEN];
  let n = 0;
  for (; q < end; q += 1 + b[q]) n++;
  return n;
}

/** Where the first question's name is rendered as text (see writeDnsName). */
const dnsScratch = new Uint8Array(1024);

/** A string field that lies in the packet bytes: its offset and length in `b`. */
function packetText(name: string, mask: number, offset: RowRead, length: RowRead): FieldDef {
  return {
    name,
    type: "string",
    mask,
    text: (t, b, r, _i, span) => {
      span.buffer = b;
      span.offset = offset(t, b, r);
      span.length = length(t, b, r);
    },
  };
}

const FIELD_LIST: FieldDef[] = [
  protocol("frame", 0),
  integer("frame.number", 0, col(L.C_N)),
  integer("frame.len", 0, ucol(L.C_LEN)),
  integer("frame.cap_len", 0, ucol(L.C_CAPLEN)),
  {
    name: "frame.time_epoch",
    type: "time",
    mask: L.F_TS,
    value: (t, _b, r) => t[r + L.C_SECHI] * 4294967296 + (t[r + L.C_SECLO] >>> 0),
    nanos: col(L.C_NSEC),
  },
  integer("frame.interface_id", L.F_IFACE, ucol(L.C_IFACE)),

  protocol("eth", L.F_ETH),
  { name: "eth.dst", type: "mac", mask: L.F_ETH, value: (t, _b, r) => p(t, r) },
  { name: "eth.src", type: "mac", mask: L.F_ETH, value: (t, _b, r) => p(t, r) + 6 },
  // tshark lists eth.addr in header order: destination, then source.
  { name: "eth.addr", type: "mac", mask: L.F_ETH, count: two, value: (t, _b, r, i) => p(t, r) + 6 * i },
  integer("eth.type", L.F_ETH, (t, b, r) => u16(b, p(t, r) + 12), 4),

  protocol("vlan", L.F_ETH, vlanCount),
  {
    name: "vlan.id",
    type: "integer",
    mask: L.F_ETH,
    count: vlanCount,
    value: (t, b, r, i) => vlanTci(t, b, r, i) & 0xfff,
  },
  {
    name: "vlan.priority",
    type: "integer",
    mask: L.F_ETH,
    count: vlanCount,
    value: (t, b, r, i) => vlanTci(t, b, r, i) >> 13,
  },

  protocol("arp", L.F_ARP),
  integer("arp.opcode", L.F_ARP, (t, b, r) => u16(b, l3(t, r) + 6)),
  { name: "arp.src.hw_mac", type: "mac", mask: L.F_ARPADDR, value: (t, _b, r) => l3(t, r) + 8 },
  { name: "arp.src.proto_ipv4", type: "ipv4", mask: L.F_ARPADDR, value: (t, b, r) => u32(b, l3(t, r) + 14) },
  { name: "arp.dst.hw_mac", type: "mac", mask: L.F_ARPADDR, value: (t, _b, r) => l3(t, r) + 18 },
  { name: "arp.dst.proto_ipv4", type: "ipv4", mask: L.F_ARPADDR, value: (t, b, r) => u32(b, l3(t, r) + 24) },

  protocol("ip", L.F_IP4),
  { name: "ip.src", type: "ipv4", mask: L.F_IP4, value: (t, b, r) => u32(b, l3(t, r) + 12) },
  { name: "ip.dst", type: "ipv4", mask: L.F_IP4, value: (t, b, r) => u32(b, l3(t, r) + 16) },
  { name: "ip.addr", type: "ipv4", mask: L.F_IP4, count: two, value: (t, b, r, i) => u32(b, l3(t, r) + 12 + 4 * i) },
  integer("ip.hdr_len", L.F_IP4, (t, b, r) => (b[l3(t, r)] & 15) * 4),
  integer("ip.dsfield", L.F_IP4, (t, b, r) => b[l3(t, r) + 1], 2),
  integer("ip.len", L.F_IP4, (t, b, r) => u16(b, l3(t, r) + 2)),
  integer("ip.id", L.F_IP4, (t, b, r) => u16(b, l3(t, r) + 4), 4),
  flag("ip.flags.df", L.F_IP4, (t, b, r) => (b[l3(t, r) + 6] >> 6) & 1),
  flag("ip.flags.mf", L.F_IP4, (t, b, r) => (b[l3(t, r) + 6] >> 5) & 1),
  integer("ip.frag_offset", L.F_IP4, (t, b, r) => (u16(b, l3(t, r) + 6) & 0x1fff) * 8),
  integer("ip.ttl", L.F_IP4, (t, b, r) => b[l3(t, r) + 8]),
  integer("ip.proto", L.F_IP4, (t, b, r) => b[l3(t, r) + 9]),

  protocol("ipv6", L.F_IP6),
  { name: "ipv6.src", type: "ipv6", mask: L.F_IP6, value: (t, _b, r) => l3(t, r) + 8 },
  { name: "ipv6.dst", type: "ipv6", mask: L.F_IP6, value: (t, _b, r) => l3(t, r) + 24 },
  { name: "ipv6.addr", type: "ipv6", mask: L.F_IP6, count: two, value: (t, _b, r, i) => l3(t, r) + 8 + 16 * i },
  integer("ipv6.tclass", L.F_IP6, (t, b, r) => (u32(b, l3(t, r)) >>> 20) & 0xff, 8),
  integer("ipv6.flow", L.F_IP6, (t, b, r) => u32(b, l3(t, r)) & 0xfffff, 6),
  integer("ipv6.plen", L.F_IP6, (t, b, r) => u16(b, l3(t, r) + 4)),
  // The fixed header's Next Header: the first extension header's type when there is one.
  integer("ipv6.nxt", L.F_IP6, (t, b, r) => b[l3(t, r) + 6]),
  integer("ipv6.hlim", L.F_IP6, (t, b, r) => b[l3(t, r) + 7]),

  protocol("tcp", L.F_TCP),
  integer("tcp.srcport", L.F_TCP, (t, b, r) => u16(b, l4(t, r))),
  integer("tcp.dstport", L.F_TCP, (t, b, r) => u16(b, l4(t, r) + 2)),
  { name: "tcp.port", type: "integer", mask: L.F_TCP, count: two, value: (t, b, r, i) => u16(b, l4(t, r) + 2 * i) },
  integer("tcp.seq_raw", TCPHDR, (t, b, r) => u32(b, l4(t, r) + 4)),
  integer("tcp.ack_raw", TCPHDR, (t, b, r) => u32(b, l4(t, r) + 8)),
  integer("tcp.hdr_len", TCPHDR, (t, b, r) => (b[l4(t, r) + 12] >> 4) * 4),
  // The segment's length by the IP header, as tshark counts it: also when the capture cut it short.
  integer("tcp.len", TCPHDR, (t, b, r) => ipEnd(t, b, r) - l4(t, r) - (b[l4(t, r) + 12] >> 4) * 4),
  integer("tcp.flags", TCPHDR, (t, b, r) => ((b[l4(t, r) + 12] & 15) << 8) | b[l4(t, r) + 13], 4),
  tcpFlag("tcp.flags.fin", Tcp.FIN),
  tcpFlag("tcp.flags.syn", Tcp.SYN),
  tcpFlag("tcp.flags.reset", Tcp.RST),
  tcpFlag("tcp.flags.push", Tcp.PSH),
  tcpFlag("tcp.flags.ack", Tcp.ACK),
  tcpFlag("tcp.flags.urg", Tcp.URG),
  tcpFlag("tcp.flags.ece", 0x40),
  tcpFlag("tcp.flags.cwr", 0x80),
  integer("tcp.window_size_value", TCPHDR, (t, b, r) => u16(b, l4(t, r) + 14)),
  {
    name: "tcp.urgent_pointer",
    type: "integer",
    mask: TCPHDR,
    count: capturedTo(20),
    value: (t, b, r) => u16(b, l4(t, r) + 18),
  },
  integer("tcp.options.mss_val", L.F_TCP | L.F_MSS, col(L.C_MSS)),
  integer("tcp.options.wscale.shift", L.F_TCP | L.F_WSCALE, col(L.C_WSCALE)),
  integer("tcp.options.timestamp.tsval", L.F_TCP | L.F_TSOPT, ucol(L.C_TSVAL)),
  integer("tcp.options.timestamp.tsecr", L.F_TCP | L.F_TSOPT, ucol(L.C_TSECR)),

  protocol("udp", L.F_UDP),
  integer("udp.srcport", L.F_UDP, (t, b, r) => u16(b, l4(t, r))),
  integer("udp.dstport", L.F_UDP, (t, b, r) => u16(b, l4(t, r) + 2)),
  { name: "udp.port", type: "integer", mask: L.F_UDP, count: two, value: (t, b, r, i) => u16(b, l4(t, r) + 2 * i) },
  {
    name: "udp.length",
    type: "integer",
    mask: L.F_UDP,
    count: capturedTo(6),
    value: (t, b, r) => u16(b, l4(t, r) + 4),
  },

  protocol("icmp", L.F_ICMP),
  integer("icmp.type", L.F_ICMP, (t, b, r) => b[l4(t, r)]),
  integer("icmp.code", L.F_ICMP, (t, b, r) => b[l4(t, r) + 1]),
  protocol("icmpv6", L.F_ICMP6),
  integer("icmpv6.type", L.F_ICMP6, (t, b, r) => b[l4(t, r)]),
  integer("icmpv6.code", L.F_ICMP6, (t, b, r) => b[l4(t, r) + 1]),

  protocol("dns", L.F_DNS),
  integer("dns.id", L.F_DNS, (t, b, r) => u16(b, app(t, r)), 4),
  flag("dns.flags.response", L.F_DNS, (t, b, r) => b[app(t, r) + 2] >> 7),
  integer("dns.flags.opcode", L.F_DNS, (t, b, r) => (b[app(t, r) + 2] >> 3) & 15),
  // tshark shows the reply code on responses only.
  {
    name: "dns.flags.rcode",
    type: "integer",
    mask: L.F_DNS,
    count: (t, b, r) => b[app(t, r) + 2] >> 7,
    value: (t, b, r) => b[app(t, r) + 3] & 15,
  },
  dnsCount("dns.count.queries", 4),
  dnsCount("dns.count.answers", 6),
  dnsCount("dns.count.auth_rr", 8),
  dnsCount("dns.count.add_rr", 10),

  {
    name: "dns.qry.name",
    type: "string",
    mask: L.F_DNS | L.F_QNAME,
    text: (t, b, r, _i, span) => {
      span.buffer = dnsScratch;
      span.offset = 0;
      span.length = writeDnsName(b, app(t, r), dnsScratch);
    },
  },
  integer("dns.qry.type", L.F_DNS | L.F_QNAME, col(L.C_QTYPE)),

  // anynet recognises a TLS ClientHello: what it decodes of TLS is that handshake.
  protocol("tls", L.F_TLS),
  integer("tls.handshake.type", L.F_TLS, () => 1),
  packetText(
    "tls.handshake.extensions_server_name",
    L.F_TLS | L.F_SNI,
    (t, _b, r) => p(t, r) + t[r + L.C_SNIOFF],
    col(L.C_SNILEN),
  ),
  {
    name: "tls.handshake.extensions_alpn_str",
    type: "string",
    mask: L.F_TLS | L.F_ALPN,
    count: alpnCount,
    text: (t, b, r, i, span) => {
      let q = p(t, r) + t[r + L.C_ALPNOFF];
      for (; i > 0; i--) q += 1 + b[q];
      span.buffer = b;
      span.offset = q + 1;
      span.length = b[q];
    },
  },

  // anynet recognises HTTP/1.x requests: what it decodes of HTTP is the request line and Host.
  protocol("http", L.F_HTTP),
  protocol("http.request", L.F_HTTP),
  packetText("http.request.method", L.F_HTTP, (t, _b, r) => app(t, r), col(L.C_METHODLEN)),
  packetText("http.request.uri", L.F_HTTP, (t, _b, r) => p(t, r) + t[r + L.C_URIOFF], col(L.C_URILEN)),
  packetText(
    "http.request.version",
    L.F_HTTP,
    (t, _b, r) => p(t, r) + t[r + L.C_URIOFF] + t[r + L.C_URILEN] + 1,
    () => 8,
  ),
  packetText("http.host", L.F_HTTP | L.F_HOST, (t, _b, r) => p(t, r) + t[r + L.C_HOSTOFF], col(L.C_HOSTLEN)),
];

/** Every field by name. */
export const FIELDS: ReadonlyMap<string, FieldDef> = new Map(FIELD_LIST.map((f) => [f.name, f]));

/** The field names, in the table's order (for "did you mean" and the docs). */
export const FIELD_NAMES: readonly string[] = FIELD_LIST.map((f) => f.name);

/** How many times field `f` occurs in row `r` (0 when absent). */
export function occurrences(f: FieldDef, t: Int32Array, b: Uint8Array, r: number): number {
  if ((t[r] & f.mask) !== f.mask) return 0;
  return f.count ? f.count(t, b, r) : 1;
}
