/**
 * The decoded packet as an object: what `PacketBatch.get()`, `decodeFrame()` and
 * `anynet pcap decode --json` give. A field is absent when its layer is.
 *
 * @module
 */

/** Ethernet II header. */
export interface EthernetFields {
  /** Source MAC, lowercase `aa:bb:cc:dd:ee:ff`. */
  src: string;
  /** Destination MAC. */
  dst: string;
  /** The EtherType right after the addresses (0x8100 when tagged). */
  type: number;
}

/** One 802.1Q/802.1ad tag. */
export interface VlanTag {
  /** VLAN identifier (12 bits). */
  id: number;
  /** Priority code point (3 bits). */
  pcp: number;
  /** The tag protocol identifier: 0x8100, 0x88a8 or 0x9100. */
  tpid: number;
}

/** ARP (RFC 826); addresses only for Ethernet/IPv4 ARP. */
export interface ArpFields {
  op: number;
  sha?: string;
  spa?: string;
  tha?: string;
  tpa?: string;
}

/** IPv4 header (RFC 791). */
export interface Ipv4Fields {
  v: 4;
  src: string;
  dst: string;
  proto: number;
  ttl: number;
  /** Total length from the header. */
  len: number;
  id: number;
  tos: number;
  /** Header length in bytes. */
  hlen: number;
  df: boolean;
  mf: boolean;
  /** Fragment offset in bytes. */
  fragOffset: number;
  checksumOk: boolean;
}

/** IPv6 header (RFC 8200) and its extension headers. */
export interface Ipv6Fields {
  v: 6;
  /** RFC 5952 text. */
  src: string;
  dst: string;
  /** The upper-layer protocol after the extension headers. */
  proto: number;
  hlim: number;
  /** Payload length from the header. */
  len: number;
  flow: number;
  /** Extension header types in order. */
  ext: number[];
  /** The fragment header, when present (offset in bytes). */
  frag?: { offset: number; mf: boolean; id: number };
}

/**
 * TCP header (RFC 9293) with the options anynet decodes. A header cut short by the snap
 * length keeps what was captured, as tshark does: the ports from 4 bytes; `seq` to `win`
 * once 16 bytes are there, `urp` at 20, each option when whole (`error` says `truncated`).
 */
export interface TcpFields {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  /** The 8 flag bits CWR ECE URG ACK PSH RST SYN FIN, as a number. */
  flags?: number;
  win?: number;
  urp?: number;
  hlen?: number;
  /** Present when the whole segment is in the capture. */
  checksumOk?: boolean;
  /** The header's checksum field, present with `checksumOk`. */
  checksum?: number;
  mss?: number;
  wscale?: number;
  sackPerm?: boolean;
  tsval?: number;
  tsecr?: number;
  /** Bytes of payload captured. */
  payload: number;
}

/** UDP header (RFC 768). */
export interface UdpFields {
  sport: number;
  dport: number;
  /** The length field; absent when the capture ends before it. */
  len?: number;
  /** Present when the whole datagram is captured and it carries a checksum. */
  checksumOk?: boolean;
  /** The header's checksum field, present with `checksumOk`. */
  checksum?: number;
  payload: number;
}

/** The packet an ICMP or ICMPv6 error quotes: its IP header and, when captured, its ports. */
export interface IcmpQuote {
  v: 4 | 6;
  src: string;
  dst: string;
  /** The quoted packet's transport protocol (after IPv6 extension headers). */
  proto: number;
  /** TCP or UDP ports of the quoted packet. */
  sport?: number;
  dport?: number;
}

/** ICMP or ICMPv6 type and code, and what an error message carries. */
export interface IcmpFields {
  type: number;
  code: number;
  /** Errors (unreachable, time exceeded, parameter problem, redirect, too big …): the quoted packet. */
  quote?: IcmpQuote;
  /** ICMP "need to fragment" and ICMPv6 "packet too big": the next hop's MTU. */
  mtu?: number;
  /** ICMP redirect: the gateway to use. */
  gateway?: string;
  /** Parameter problem: the offset of the faulty byte. */
  pointer?: number;
}

/**
 * DNS header and first question (RFC 1035). A header cut short by the snap length keeps
 * the identifier and flags (4 bytes) and each count that was captured.
 */
export interface DnsFields {
  id: number;
  qr: boolean;
  opcode: number;
  rcode: number;
  qdcount?: number;
  ancount?: number;
  nscount?: number;
  arcount?: number;
  qname?: string;
  qtype?: number;
}

/** A TLS ClientHello's server name and ALPN protocols. */
export interface TlsFields {
  sni?: string;
  alpn?: string[];
}

/** An HTTP/1.x request line and Host header. */
export interface HttpFields {
  method: string;
  uri: string;
  version: string;
  host?: string;
}

/** Where and why decoding of a packet stopped. */
export interface PacketError {
  /** The layer: `link`, `vlan`, `arp`, `ipv4`, `ipv6`, `icmp`, `icmp6`, `tcp`, `udp`, `dns`, `tls`, `http`. */
  layer: string;
  /** What: `truncated`, `bad-version`, `bad-header-length`, `bad-length`, `bad-option`, … */
  code: string;
  /** Byte offset in the packet. */
  offset: number;
}

/** One decoded packet. */
export interface PacketRecord {
  /** Frame number from 1 (absent for `decodeFrame()`). */
  n?: number;
  /** UTC timestamp: seconds and nanoseconds; absent when the block has none. */
  sec?: number;
  nsec?: number;
  caplen: number;
  /** Original length on the wire. */
  len: number;
  /** `ethernet`, `sll`, `sll2`, `null`, `loop`, `raw` or `unsupported`. */
  link: string;
  /** pcapng interface id. */
  iface?: number;
  eth?: EthernetFields;
  vlan?: VlanTag[];
  arp?: ArpFields;
  ip?: Ipv4Fields | Ipv6Fields;
  tcp?: TcpFields;
  udp?: UdpFields;
  icmp?: IcmpFields;
  icmp6?: IcmpFields;
  dns?: DnsFields;
  tls?: TlsFields;
  http?: HttpFields;
  error?: PacketError;
}
