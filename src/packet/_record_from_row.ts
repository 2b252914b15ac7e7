/**
 * Turns one row of the packet table (either engine) into a {@linkcode PacketRecord}.
 * Fields that are plain header values are read from the packet bytes at the offsets the
 * decoder recorded; everything the decoder had to compute is in the table.
 *
 * @module
 */
import * as IpProtocol from "./_ip_protocols.ts";
import * as L from "./_layout.ts";
import { linkName } from "./_link_types.ts";
import { asciiText, dnsNameText, ipv4Text, ipv6Text, macText } from "./_format.ts";
import type { IcmpFields, PacketRecord, TcpFields, UdpFields } from "./packet_record.ts";

/** Builds the record of row `r` of table `t` over packet bytes `b`. */
export function recordFromRow(t: Int32Array, r: number, b: Uint8Array, withN: boolean): PacketRecord {
  const base = r * L.NCOLS;
  const col = (c: number) => t[base + c];
  const f = col(L.C_FLAGS);
  const p = col(L.C_DATA);
  const u8 = (o: number) => b[p + o];
  const u16 = (o: number) => (b[p + o] << 8) | b[p + o + 1];
  const u32 = (o: number) => ((b[p + o] << 24) | (b[p + o + 1] << 16) | (b[p + o + 2] << 8) | b[p + o + 3]) >>> 0;
  const rec: PacketRecord = {} as PacketRecord;
  if (withN) rec.n = col(L.C_N);
  if (f & L.F_TS) {
    rec.sec = col(L.C_SECHI) * 4294967296 + (col(L.C_SECLO) >>> 0);
    rec.nsec = col(L.C_NSEC);
  }
  rec.caplen = col(L.C_CAPLEN) >>> 0;
  rec.len = col(L.C_LEN) >>> 0;
  rec.link = linkName(col(L.C_LINK), (f & L.F_UNSUPPORTED) !== 0);
  if (f & L.F_IFACE) rec.iface = col(L.C_IFACE) >>> 0;
  if (f & L.F_ETH) {
    rec.eth = { src: macText(b, p + 6), dst: macText(b, p), type: u16(12) };
    const n = col(L.C_VLANS);
    if (n > 0) {
      rec.vlan = [];
      for (let i = 0; i < n; i++) {
        const tci = u16(14 + 4 * i);
        rec.vlan.push({ id: tci & 0xfff, pcp: tci >> 13, tpid: u16(12 + 4 * i) });
      }
    }
  }
  const l3 = col(L.C_L3OFF);
  if (f & L.F_ARP) {
    rec.arp = { op: u16(l3 + 6) };
    if (f & L.F_ARPADDR) {
      rec.arp.sha = macText(b, p + l3 + 8);
      rec.arp.spa = ipv4Text(b, p + l3 + 14);
      rec.arp.tha = macText(b, p + l3 + 18);
      rec.arp.tpa = ipv4Text(b, p + l3 + 24);
    }
  } else if (f & L.F_IP4) {
    const fo = u16(l3 + 6);
    rec.ip = {
      v: 4,
      src: ipv4Text(b, p + l3 + 12),
      dst: ipv4Text(b, p + l3 + 16),
      proto: u8(l3 + 9),
      ttl: u8(l3 + 8),
      len: u16(l3 + 2),
      id: u16(l3 + 4),
      tos: u8(l3 + 1),
      hlen: (u8(l3) & 15) * 4,
      df: (fo & 0x4000) !== 0,
      mf: (fo & 0x2000) !== 0,
      fragOffset: (fo & 0x1fff) * 8,
      checksumOk: (f & L.F_IPCSUM_OK) !== 0,
    };
  } else if (f & L.F_IP6) {
    const ext: number[] = [];
    let nh = u8(l3 + 6);
    let q = l3 + 40;
    for (let i = col(L.C_EXTCOUNT); i > 0; i--) {
      ext.push(nh);
      const hl = nh === IpProtocol.FRAGMENT ? 8 : nh === IpProtocol.AUTH ? (u8(q + 1) + 2) * 4 : (u8(q + 1) + 1) * 8;
      nh = u8(q);
      q += hl;
    }
    rec.ip = {
      v: 6,
      src: ipv6Text(b, p + l3 + 8),
      dst: ipv6Text(b, p + l3 + 24),
      proto: col(L.C_PROTO),
      hlim: u8(l3 + 7),
      len: u16(l3 + 4),
      flow: u32(l3) & 0xfffff,
      ext,
    };
    if (f & L.F_FRAG6) {
      const fh = col(L.C_FRAG6);
      rec.ip.frag = { offset: u16(fh + 2) & 0xfff8, mf: (u8(fh + 3) & 1) !== 0, id: u32(fh + 4) };
    }
  }
  const l4 = col(L.C_L4OFF);
  const captured = col(L.C_CAPLEN);
  if (f & L.F_TCP) {
    const tcp: TcpFields = { sport: u16(l4), dport: u16(l4 + 2) } as TcpFields;
    if (f & L.F_TCPHDR) {
      tcp.seq = u32(l4 + 4);
      tcp.ack = u32(l4 + 8);
      tcp.flags = u8(l4 + 13);
      tcp.win = u16(l4 + 14);
      if (captured >= l4 + 20) tcp.urp = u16(l4 + 18);
      tcp.hlen = (u8(l4 + 12) >> 4) * 4;
    }
    if (f & L.F_L4CSUM) {
      tcp.checksumOk = (f & L.F_L4CSUM_OK) !== 0;
      tcp.checksum = u16(l4 + 16);
    }
    if (f & L.F_MSS) tcp.mss = col(L.C_MSS);
    if (f & L.F_WSCALE) tcp.wscale = col(L.C_WSCALE);
    if (f & L.F_SACKPERM) tcp.sackPerm = true;
    if (f & L.F_TSOPT) {
      tcp.tsval = col(L.C_TSVAL) >>> 0;
      tcp.tsecr = col(L.C_TSECR) >>> 0;
    }
    tcp.payload = col(L.C_PAYLEN);
    rec.tcp = tcp;
  } else if (f & L.F_UDP) {
    const udp: UdpFields = { sport: u16(l4), dport: u16(l4 + 2) } as UdpFields;
    if (captured >= l4 + 6) udp.len = u16(l4 + 4);
    if (f & L.F_L4CSUM) {
      udp.checksumOk = (f & L.F_L4CSUM_OK) !== 0;
      udp.checksum = u16(l4 + 6);
    }
    udp.payload = col(L.C_PAYLEN);
    rec.udp = udp;
  } else if (f & (L.F_ICMP | L.F_ICMP6)) {
    const icmp: IcmpFields = { type: u8(l4), code: u8(l4 + 1) };
    const has = (n: number) => captured >= l4 + n;
    if (f & L.F_ICMP) {
      if (icmp.type === 3 && icmp.code === 4 && has(8)) icmp.mtu = u16(l4 + 6);
      else if (icmp.type === 5 && has(8)) icmp.gateway = ipv4Text(b, p + l4 + 4);
      else if (icmp.type === 12 && has(5)) icmp.pointer = u8(l4 + 4);
    } else if ((icmp.type === 2 || icmp.type === 4) && has(8)) {
      if (icmp.type === 2) icmp.mtu = u32(l4 + 4);
      else icmp.pointer = u32(l4 + 4);
    }
    if (f & L.F_QUOTE) {
      const q = col(L.C_QL3OFF);
      const v6 = (u8(q) >> 4) === 6;
      icmp.quote = v6
        ? { v: 6, src: ipv6Text(b, p + q + 8), dst: ipv6Text(b, p + q + 24), proto: col(L.C_QPROTO) }
        : { v: 4, src: ipv4Text(b, p + q + 12), dst: ipv4Text(b, p + q + 16), proto: col(L.C_QPROTO) };
      if (f & L.F_QPORTS) {
        const t = col(L.C_QL4OFF);
        icmp.quote.sport = u16(t);
        icmp.quote.dport = u16(t + 2);
      }
    }
    if (f & L.F_ICMP) rec.icmp = icmp;
    else rec.icmp6 = icmp;
  }
  const app = col(L.C_APPOFF);
  if (f & L.F_DNS) {
    const w = u16(app + 2);
    rec.dns = { id: u16(app), qr: (w & 0x8000) !== 0, opcode: (w >> 11) & 15, rcode: w & 15 };
    if (captured >= app + 6) rec.dns.qdcount = u16(app + 4);
    if (captured >= app + 8) rec.dns.ancount = u16(app + 6);
    if (captured >= app + 10) rec.dns.nscount = u16(app + 8);
    if (captured >= app + 12) rec.dns.arcount = u16(app + 10);
    if (f & L.F_QNAME) {
      rec.dns.qname = dnsNameText(b, p + app);
      rec.dns.qtype = col(L.C_QTYPE);
    }
  }
  if (f & L.F_TLS) {
    rec.tls = {};
    if (f & L.F_SNI) rec.tls.sni = asciiText(b, p + col(L.C_SNIOFF), col(L.C_SNILEN));
    if (f & L.F_ALPN) {
      const alpn: string[] = [];
      let q = p + col(L.C_ALPNOFF);
      const end = q + col(L.C_ALPNLEN);
      while (q < end) {
        alpn.push(asciiText(b, q + 1, b[q]));
        q += 1 + b[q];
      }
      rec.tls.alpn = alpn;
    }
  }
  if (f & L.F_HTTP) {
    const uo = col(L.C_URIOFF), ul = col(L.C_URILEN);
    rec.http = {
      method: asciiText(b, p + app, col(L.C_METHODLEN)),
      uri: asciiText(b, p + uo, ul),
      version: asciiText(b, p + uo + ul + 1, 8),
    };
    if (f & L.F_HOST) rec.http.host = asciiText(b, p + col(L.C_HOSTOFF), col(L.C_HOSTLEN));
  }
  if (f & L.F_ERROR) {
    const e = col(L.C_ERR);
    rec.error = { layer: L.LAYERS[e >> 8] ?? "?", code: L.CODES[e & 0xff] ?? "?", offset: col(L.C_ERROFF) };
  }
  return rec;
}
