/**
 * Writes a decoded packet record back as one row of the packet table, with just the
 * header bytes that the row's readers look at, so that a record can go through the same
 * counting code as the decoder's rows (the protocol hierarchy, the connection tracker).
 *
 * What a record cannot give back is left out: the length of IPv6 extension headers (a
 * TCP payload behind them counts them as payload) and SCTP ports (SCTP associations are
 * keyed without them).
 *
 * @module
 */
import * as L from "../_layout.ts";
import * as LinkType from "../_link_types.ts";
import { ipv4Bytes, ipv6Bytes } from "../_format.ts";
import type { PacketRecord } from "../packet_record.ts";

/** The link type number of each `link` name a record can carry. */
const LINK_TYPES: Record<string, number> = {
  ethernet: LinkType.ETHERNET,
  sll: LinkType.LINUX_SLL,
  sll2: LinkType.LINUX_SLL2,
  null: LinkType.NULL,
  loop: LinkType.LOOP,
  raw: LinkType.RAW,
};

/** Room for an IPv4 header with options and the first 20 bytes of a transport header. */
const ROOM = 96;

/** A one-row table and its packet bytes, rewritten by every `encode()`. */
export class RecordRow {
  readonly table: Int32Array = new Int32Array(L.NCOLS);
  readonly bytes: Uint8Array = new Uint8Array(ROOM);

  /** Fills the row from `p`; the network header starts at byte 0. */
  encode(p: PacketRecord): void {
    const t = this.table, b = this.bytes;
    t.fill(0);
    b.fill(0);
    let f = 0;
    if (p.sec !== undefined) {
      f |= L.F_TS;
      t[L.C_SECHI] = Math.floor(p.sec / 4294967296);
      t[L.C_SECLO] = p.sec % 4294967296;
      t[L.C_NSEC] = p.nsec ?? 0;
    }
    t[L.C_LEN] = p.len;
    if (p.link in LINK_TYPES) t[L.C_LINK] = LINK_TYPES[p.link];
    else f |= L.F_UNSUPPORTED;
    if (p.eth) {
      f |= L.F_ETH;
      t[L.C_VLANS] = p.vlan?.length ?? 0;
    }
    if (p.arp) f |= L.F_ARP;
    let l4 = 0;
    const ip = p.ip;
    if (ip?.v === 4) {
      f |= L.F_IP4;
      b[0] = 0x40 | (ip.hlen >> 2);
      put16(b, 2, ip.len);
      b[9] = ip.proto;
      b.set(ipv4Bytes(ip.src) ?? [], 12);
      b.set(ipv4Bytes(ip.dst) ?? [], 16);
      // A later fragment carries no transport header.
      l4 = ip.fragOffset > 0 ? 0 : ip.hlen;
    } else if (ip?.v === 6) {
      f |= L.F_IP6;
      b[0] = 0x60;
      put16(b, 4, ip.len);
      b.set(ipv6Bytes(ip.src) ?? [], 8);
      b.set(ipv6Bytes(ip.dst) ?? [], 24);
      l4 = ip.frag && ip.frag.offset > 0 ? 0 : 40;
    }
    if (ip) t[L.C_PROTO] = ip.proto;
    t[L.C_L4OFF] = l4;
    // Only the UDP length's presence depends on the captured length here.
    t[L.C_CAPLEN] = l4 + 0xffff;
    if (p.tcp) {
      f |= L.F_TCP;
      put16(b, l4, p.tcp.sport);
      put16(b, l4 + 2, p.tcp.dport);
      if (p.tcp.seq !== undefined) {
        f |= L.F_TCPHDR;
        put16(b, l4 + 4, p.tcp.seq >>> 16);
        put16(b, l4 + 6, p.tcp.seq & 0xffff);
        b[l4 + 12] = ((p.tcp.hlen ?? 20) >> 2) << 4;
        b[l4 + 13] = p.tcp.flags ?? 0;
      }
    } else if (p.udp) {
      f |= L.F_UDP;
      put16(b, l4, p.udp.sport);
      put16(b, l4 + 2, p.udp.dport);
      if (p.udp.len !== undefined) put16(b, l4 + 4, p.udp.len);
      else t[L.C_CAPLEN] = l4 + 5;
    } else if (p.icmp || p.icmp6) {
      const icmp = (p.icmp ?? p.icmp6)!;
      f |= p.icmp ? L.F_ICMP : L.F_ICMP6;
      b[l4] = icmp.type;
      b[l4 + 1] = icmp.code;
    }
    if (p.dns) f |= L.F_DNS;
    if (p.tls) f |= L.F_TLS;
    if (p.http) f |= L.F_HTTP;
    if (p.error) f |= L.F_ERROR;
    t[L.C_FLAGS] = f;
  }
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >> 8) & 255;
  b[o + 1] = v & 255;
}
