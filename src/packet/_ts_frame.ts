/**
 * The TypeScript reference decoder, frame level: walks one packet's headers and writes
 * one row of the packet table (see _layout.ts). wasm/assembly/frame.ts is the same
 * algorithm in AssemblyScript; the two must produce identical rows.
 *
 * Module-level state instead of a context object keeps the hot path free of allocation.
 *
 * @module
 */
import * as EtherType from "./_ether_types.ts";
import * as IpProtocol from "./_ip_protocols.ts";
import * as L from "./_layout.ts";
import * as LinkType from "./_link_types.ts";
import * as Port from "./_ports.ts";
import * as Tcp from "./_tcp.ts";
import * as Tls from "./_tls.ts";

let B: Uint8Array = new Uint8Array(0);
let T: Int32Array = new Int32Array(0);
let P = 0; // packet start in B
let ROW = 0; // index of the row's first column
let CL = 0; // captured length
let OL = 0; // original length
let FL = 0; // flags

function u16(o: number): number {
  return (B[P + o] << 8) | B[P + o + 1];
}
function u32(o: number): number {
  return ((B[P + o] << 24) | (B[P + o + 1] << 16) | (B[P + o + 2] << 8) | B[P + o + 3]) >>> 0;
}
function put(col: number, v: number): void {
  T[ROW + col] = v;
}
function fail(layer: number, code: number, off: number): void {
  FL |= L.F_ERROR;
  put(L.C_ERR, (layer << 8) | code);
  put(L.C_ERROFF, off);
}
/** App-layer data ran out: an error only when the packet was captured whole. */
function appShort(layer: number, off: number): void {
  if (CL >= OL) fail(layer, L.E_TRUNCATED, off);
}

/** Unfolded sum of big-endian 16-bit words of packet bytes [o, o+n). */
function sum16(o: number, n: number): number {
  let s = 0;
  let i = P + o;
  const end = i + n;
  for (; i + 1 < end; i += 2) s += (B[i] << 8) | B[i + 1];
  if (i < end) s += B[i] << 8;
  return s;
}
function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return s;
}

/**
 * Decodes the packet at `b[p .. p+caplen)` into row `row` of table `t`. The capture
 * layer has already written the row's N, DATA, CAPLEN, LEN, timestamp, LINK and IFACE.
 */
export function decodeFrameTs(
  b: Uint8Array,
  p: number,
  caplen: number,
  len: number,
  link: number,
  t: Int32Array,
  row: number,
  flags: number,
): void {
  B = b;
  P = p;
  CL = caplen;
  OL = len;
  T = t;
  ROW = row * L.NCOLS;
  FL = flags;
  t.fill(0, ROW + L.C_VLANS, ROW + L.NCOLS);
  switch (link) {
    case LinkType.ETHERNET:
      ethernet();
      break;
    case LinkType.LINUX_SLL:
      if (CL < 16) fail(L.L_LINK, L.E_TRUNCATED, 0);
      else network(u16(14), 16);
      break;
    case LinkType.LINUX_SLL2:
      if (CL < 20) fail(L.L_LINK, L.E_TRUNCATED, 0);
      else network(u16(0), 20);
      break;
    case LinkType.NULL: {
      if (CL < 4) {
        fail(L.L_LINK, L.E_TRUNCATED, 0);
        break;
      }
      // DLT_NULL holds the AF value in the capturing host's byte order: a value with
      // zero low half was written big-endian.
      let af = (B[P] | (B[P + 1] << 8) | (B[P + 2] << 16) | (B[P + 3] << 24)) >>> 0;
      if ((af & 0xffff) === 0) af = u32(0);
      family(af);
      break;
    }
    case LinkType.LOOP:
      if (CL < 4) fail(L.L_LINK, L.E_TRUNCATED, 0);
      else family(u32(0));
      break;
    case LinkType.RAW:
    case LinkType.RAW_DLT12:
    case LinkType.RAW_DLT14: {
      if (CL < 1) {
        fail(L.L_LINK, L.E_TRUNCATED, 0);
        break;
      }
      const v = B[P] >> 4;
      if (v === 4) ipv4(0);
      else if (v === 6) ipv6(0);
      else fail(L.L_LINK, L.E_BAD_VERSION, 0);
      break;
    }
    case LinkType.IPV4:
      ipv4(0);
      break;
    case LinkType.IPV6:
      ipv6(0);
      break;
    default:
      FL |= L.F_UNSUPPORTED;
  }
  put(L.C_FLAGS, FL);
}

function family(af: number): void {
  if (af === LinkType.AF_INET) ipv4(4);
  else if (af === LinkType.AF_INET6_BSD || af === LinkType.AF_INET6_FREEBSD || af === LinkType.AF_INET6_DARWIN) ipv6(4);
}

function ethernet(): void {
  if (CL < 14) {
    fail(L.L_LINK, L.E_TRUNCATED, 0);
    return;
  }
  FL |= L.F_ETH;
  let type = u16(12);
  let o = 14;
  let n = 0;
  while (type === EtherType.VLAN || type === EtherType.QINQ || type === EtherType.QINQ_LEGACY) {
    if (n === L.MAX_VLANS) {
      fail(L.L_VLAN, L.E_TOO_MANY, o - 2);
      return;
    }
    if (o + 4 > CL) {
      fail(L.L_VLAN, L.E_TRUNCATED, o - 2);
      return;
    }
    n++;
    put(L.C_VLANS, n);
    type = u16(o + 2);
    o += 4;
  }
  network(type, o);
}

function network(type: number, o: number): void {
  if (type === EtherType.IPV4) ipv4(o);
  else if (type === EtherType.IPV6) ipv6(o);
  else if (type === EtherType.ARP) arp(o);
}

function arp(o: number): void {
  put(L.C_L3OFF, o);
  if (o + 8 > CL) {
    fail(L.L_ARP, L.E_TRUNCATED, o);
    return;
  }
  FL |= L.F_ARP;
  if (B[P + o + 4] === 6 && B[P + o + 5] === 4) {
    if (o + 28 > CL) {
      fail(L.L_ARP, L.E_TRUNCATED, o + 8);
      return;
    }
    FL |= L.F_ARPADDR;
  }
}

function ipv4(o: number): void {
  put(L.C_L3OFF, o);
  if (o + 20 > CL) {
    fail(L.L_IPV4, L.E_TRUNCATED, o);
    return;
  }
  const vhl = B[P + o];
  if (vhl >> 4 !== 4) {
    fail(L.L_IPV4, L.E_BAD_VERSION, o);
    return;
  }
  const hl = (vhl & 15) * 4;
  if (hl < 20) {
    fail(L.L_IPV4, L.E_BAD_HLEN, o);
    return;
  }
  if (o + hl > CL) {
    fail(L.L_IPV4, L.E_TRUNCATED, o);
    return;
  }
  FL |= L.F_IP4;
  if (fold(sum16(o, hl)) === 0xffff) FL |= L.F_IPCSUM_OK;
  const proto = B[P + o + 9];
  put(L.C_PROTO, proto);
  const total = u16(o + 2);
  if (total < hl || o + total > OL) {
    fail(L.L_IPV4, L.E_BAD_LENGTH, o + 2);
    return;
  }
  const fo = u16(o + 6);
  if ((fo & 0x1fff) !== 0) return;
  const end = o + total;
  const whole = (fo & 0x2000) === 0 && end <= CL;
  // Pseudo-header: addresses and protocol; the transport adds the upper-layer length.
  const pseudo = whole ? sum16(o + 12, 8) + proto : 0;
  transport(proto, o + hl, end, whole, pseudo);
}

function ipv6(o: number): void {
  put(L.C_L3OFF, o);
  if (o + 40 > CL) {
    fail(L.L_IPV6, L.E_TRUNCATED, o);
    return;
  }
  if (B[P + o] >> 4 !== 6) {
    fail(L.L_IPV6, L.E_BAD_VERSION, o);
    return;
  }
  FL |= L.F_IP6;
  const end = o + 40 + u16(o + 4);
  let nh = B[P + o + 6];
  put(L.C_PROTO, nh);
  if (end > OL) {
    fail(L.L_IPV6, L.E_BAD_LENGTH, o + 4);
    return;
  }
  let q = o + 40;
  let n = 0;
  let fragOff = 0;
  let mf = 0;
  // The pseudo-header's destination: the final one (RFC 8200 §8.1), which a routing header
  // with segments left holds in its list while the fixed header names the next hop.
  let dst = o + 24;
  while (
    nh === IpProtocol.HOP_BY_HOP || nh === IpProtocol.ROUTING || nh === IpProtocol.FRAGMENT ||
    nh === IpProtocol.DEST_OPTS || nh === IpProtocol.AUTH
  ) {
    if (n === L.MAX_EXT) {
      fail(L.L_IPV6, L.E_TOO_MANY, q);
      return;
    }
    if (q + 8 > CL) {
      fail(L.L_IPV6, L.E_TRUNCATED, q);
      return;
    }
    let hl: number;
    if (nh === IpProtocol.FRAGMENT) {
      FL |= L.F_FRAG6;
      put(L.C_FRAG6, q);
      const fo = u16(q + 2);
      fragOff = fo & 0xfff8;
      mf = fo & 1;
      hl = 8;
    } else if (nh === IpProtocol.AUTH) {
      hl = (B[P + q + 1] + 2) * 4;
    } else {
      hl = (B[P + q + 1] + 1) * 8;
    }
    if (q + hl > end) {
      fail(L.L_IPV6, L.E_BAD_LENGTH, q);
      return;
    }
    if (nh === IpProtocol.ROUTING && B[P + q + 3] > 0) dst = finalDestination(q, hl, dst);
    nh = B[P + q];
    q += hl;
    n++;
    put(L.C_EXTCOUNT, n);
    put(L.C_PROTO, nh);
  }
  if (fragOff !== 0) return;
  const whole = mf === 0 && end <= CL;
  const pseudo = whole ? sum16(o + 8, 16) + sum16(dst, 16) + nh : 0;
  transport(nh, q, end, whole, pseudo);
}

/**
 * Where the final destination lies in the routing header at `q` (`hl` bytes) that still
 * has segments left: the last address of a type 0 or type 2 header, the first entry of a
 * segment routing header's list (it holds the segments in reverse); `dst` for other types
 * or a header too short to hold one.
 */
function finalDestination(q: number, hl: number, dst: number): number {
  const type = B[P + q + 2];
  if ((type === L.RH_TYPE0 || type === L.RH_MOBILE) && hl >= 24 && q + hl <= CL) {
    return q + 8 + ((hl - 8) >> 4 << 4) - 16;
  }
  if (type === L.RH_SEGMENT && hl >= 24 && q + 24 <= CL) return q + 8;
  return dst;
}

function transport(proto: number, o: number, end: number, whole: boolean, pseudo: number): void {
  put(L.C_L4OFF, o);
  if (proto === IpProtocol.TCP) tcp(o, end, whole, pseudo);
  else if (proto === IpProtocol.UDP) udp(o, end, whole, pseudo);
  else if (proto === IpProtocol.ICMP || proto === IpProtocol.ICMPV6) {
    const layer = proto === IpProtocol.ICMP ? L.L_ICMP : L.L_ICMP6;
    if (o + 4 > end) {
      fail(layer, L.E_BAD_LENGTH, o);
      return;
    }
    if (o + 4 > CL) {
      fail(layer, L.E_TRUNCATED, o);
      return;
    }
    FL |= proto === IpProtocol.ICMP ? L.F_ICMP : L.F_ICMP6;
    const type = B[P + o];
    if (proto === IpProtocol.ICMP ? isIcmpError(type) : type >= 1 && type <= 4) quote(o + 8, proto === IpProtocol.ICMP);
  }
}

/** ICMP types that quote the packet they answer: unreachable, source quench, redirect, time exceeded, parameter problem. */
function isIcmpError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/**
 * The packet an ICMP error quotes, from `q`: its IP header when captured, and its TCP or
 * UDP ports (the first 4 bytes, which is all that RFC 792 promises to quote).
 */
function quote(q: number, v4: boolean): void {
  let nh: number;
  let t: number;
  if (v4) {
    if (q + 20 > CL || B[P + q] >> 4 !== 4) return;
    const hl = (B[P + q] & 15) * 4;
    if (hl < 20 || q + hl > CL) return;
    nh = B[P + q + 9];
    // A later fragment quotes no transport header.
    t = (u16(q + 6) & 0x1fff) !== 0 ? -1 : q + hl;
  } else {
    if (q + 40 > CL || B[P + q] >> 4 !== 6) return;
    nh = B[P + q + 6];
    t = q + 40;
    for (let n = 0; n < L.MAX_EXT && t >= 0; n++) {
      if (
        nh !== IpProtocol.HOP_BY_HOP && nh !== IpProtocol.ROUTING && nh !== IpProtocol.DEST_OPTS &&
        nh !== IpProtocol.FRAGMENT
      ) break;
      if (t + 8 > CL) t = -1;
      else {
        const later = nh === IpProtocol.FRAGMENT && (u16(t + 2) & 0xfff8) !== 0;
        const hl = nh === IpProtocol.FRAGMENT ? 8 : (B[P + t + 1] + 1) * 8;
        nh = B[P + t];
        t = later ? -1 : t + hl;
      }
    }
  }
  FL |= L.F_QUOTE;
  put(L.C_QL3OFF, q);
  put(L.C_QPROTO, nh);
  if (t < 0) return;
  put(L.C_QL4OFF, t);
  if ((nh === IpProtocol.TCP || nh === IpProtocol.UDP) && t + 4 <= CL) FL |= L.F_QPORTS;
}

function tcp(o: number, end: number, whole: boolean, pseudo: number): void {
  if (o + 20 > end) {
    fail(L.L_TCP, L.E_BAD_LENGTH, o);
    return;
  }
  // A snap length may cut the header: what was captured is still decoded, as tshark does:
  // the ports from 4 bytes, the fields through the window from 16, each option when whole.
  if (o + 4 > CL) {
    fail(L.L_TCP, L.E_TRUNCATED, o);
    return;
  }
  FL |= L.F_TCP;
  if (o + 16 > CL) {
    fail(L.L_TCP, L.E_TRUNCATED, o);
    return;
  }
  FL |= L.F_TCPHDR;
  const hl = (B[P + o + 12] >> 4) * 4;
  if (hl < 20 || o + hl > end) {
    fail(L.L_TCP, L.E_BAD_HLEN, o + 12);
    return;
  }
  const oe = o + hl;
  const ce = oe < CL ? oe : CL;
  let q = o + 20;
  while (q < ce) {
    const k = B[P + q];
    if (k === Tcp.OPT_END) break;
    if (k === Tcp.OPT_NOP) {
      q++;
      continue;
    }
    if (q + 1 >= oe) {
      fail(L.L_TCP, L.E_BAD_OPTION, q);
      return;
    }
    if (q + 1 >= ce) break;
    const l = B[P + q + 1];
    if (l < 2 || q + l > oe) {
      fail(L.L_TCP, L.E_BAD_OPTION, q);
      return;
    }
    if (q + l > ce) break;
    if (k === Tcp.OPT_MSS) {
      if (l !== Tcp.OPT_MSS_LEN) {
        fail(L.L_TCP, L.E_BAD_OPTION, q);
        return;
      }
      FL |= L.F_MSS;
      put(L.C_MSS, u16(q + 2));
    } else if (k === Tcp.OPT_WSCALE) {
      if (l !== Tcp.OPT_WSCALE_LEN) {
        fail(L.L_TCP, L.E_BAD_OPTION, q);
        return;
      }
      FL |= L.F_WSCALE;
      put(L.C_WSCALE, B[P + q + 2]);
    } else if (k === Tcp.OPT_SACK_PERM) {
      if (l !== Tcp.OPT_SACK_PERM_LEN) {
        fail(L.L_TCP, L.E_BAD_OPTION, q);
        return;
      }
      FL |= L.F_SACKPERM;
    } else if (k === Tcp.OPT_TIMESTAMPS) {
      if (l !== Tcp.OPT_TIMESTAMPS_LEN) {
        fail(L.L_TCP, L.E_BAD_OPTION, q);
        return;
      }
      FL |= L.F_TSOPT;
      put(L.C_TSVAL, u32(q + 2) | 0);
      put(L.C_TSECR, u32(q + 6) | 0);
    }
    q += l;
  }
  if (oe > CL) {
    fail(L.L_TCP, L.E_TRUNCATED, o);
    return;
  }
  const capEnd = end < CL ? end : CL;
  put(L.C_PAYOFF, oe);
  put(L.C_PAYLEN, capEnd - oe);
  if (whole) {
    FL |= L.F_L4CSUM;
    if (fold(pseudo + (end - o) + sum16(o, end - o)) === 0xffff) FL |= L.F_L4CSUM_OK;
  }
  if (capEnd > oe) {
    if (!tls(oe, capEnd)) http(oe, capEnd);
  }
}

function udp(o: number, end: number, whole: boolean, pseudo: number): void {
  if (o + 8 > end) {
    fail(L.L_UDP, L.E_BAD_LENGTH, o);
    return;
  }
  // The ports from 4 captured bytes, the length from 6 (as tshark shows them).
  if (o + 4 > CL) {
    fail(L.L_UDP, L.E_TRUNCATED, o);
    return;
  }
  FL |= L.F_UDP;
  if (o + 8 > CL) {
    fail(L.L_UDP, L.E_TRUNCATED, o);
    return;
  }
  const ul = u16(o + 4);
  if (ul < 8 || o + ul > end) {
    fail(L.L_UDP, L.E_BAD_LENGTH, o + 4);
    return;
  }
  const ue = o + ul;
  const capEnd = ue < CL ? ue : CL;
  put(L.C_PAYOFF, o + 8);
  put(L.C_PAYLEN, capEnd - (o + 8));
  // An IPv4 UDP checksum of zero means "not computed" (RFC 768).
  if (whole && !(FL & L.F_IP4 && u16(o + 6) === 0)) {
    FL |= L.F_L4CSUM;
    if (fold(pseudo + ul + sum16(o, ul)) === 0xffff) FL |= L.F_L4CSUM_OK;
  }
  if (u16(o) === Port.DNS || u16(o + 2) === Port.DNS) dns(o + 8, capEnd, ue);
}

function dns(d: number, capEnd: number, msgEnd: number): void {
  put(L.C_APPOFF, d);
  // The identifier and flags from 4 bytes; each count once captured (as tshark shows them).
  if (d + 4 > capEnd) {
    appShort(L.L_DNS, d);
    return;
  }
  FL |= L.F_DNS;
  if (d + 12 > capEnd) {
    appShort(L.L_DNS, d);
    return;
  }
  if (u16(d + 4) === 0) return;
  let q = d + 12;
  let jumps = 0;
  let nameLen = 0;
  let after = -1;
  for (;;) {
    if (q >= capEnd) {
      appShort(L.L_DNS, q);
      return;
    }
    const l = B[P + q];
    if (l === 0) {
      q++;
      break;
    }
    if ((l & 0xc0) === 0xc0) {
      if (q + 2 > capEnd) {
        appShort(L.L_DNS, q);
        return;
      }
      const target = d + (((l & 0x3f) << 8) | B[P + q + 1]);
      if (target >= msgEnd) {
        fail(L.L_DNS, L.E_BAD_POINTER, q);
        return;
      }
      if (jumps === L.MAX_JUMPS) {
        fail(L.L_DNS, L.E_POINTER_LOOP, q);
        return;
      }
      jumps++;
      if (after < 0) after = q + 2;
      q = target;
      continue;
    }
    if ((l & 0xc0) !== 0) {
      fail(L.L_DNS, L.E_BAD_LABEL, q);
      return;
    }
    nameLen += l + 1;
    if (nameLen > 255) {
      fail(L.L_DNS, L.E_NAME_TOO_LONG, q);
      return;
    }
    if (q + 1 + l > capEnd) {
      appShort(L.L_DNS, q);
      return;
    }
    q += 1 + l;
  }
  if (after < 0) after = q;
  if (after + 2 > capEnd) {
    appShort(L.L_DNS, after);
    return;
  }
  FL |= L.F_QNAME;
  put(L.C_QTYPE, u16(after));
}

/** A TLS ClientHello at the start of the payload; false when the payload is not one. */
function tls(s: number, ce: number): boolean {
  if (s + 6 > ce) return false;
  // A handshake record (record version 3.0 to 3.4) holding a ClientHello.
  if (
    B[P + s] !== Tls.CONTENT_HANDSHAKE || B[P + s + 1] !== 3 || B[P + s + 2] > 4 || B[P + s + 5] !== Tls.CLIENT_HELLO
  ) return false;
  FL |= L.F_TLS;
  put(L.C_APPOFF, s);
  if (s + 9 > ce) {
    appShort(L.L_TLS, s + 5);
    return true;
  }
  const recEnd = s + 5 + u16(s + 3);
  const hEnd = s + 9 + ((B[P + s + 6] << 16) | u16(s + 7));
  if (hEnd > recEnd) {
    fail(L.L_TLS, L.E_BAD_LENGTH, s + 6);
    return true;
  }
  let q = s + 9 + 34;
  if (q + 1 > ce) {
    appShort(L.L_TLS, q);
    return true;
  }
  q += 1 + B[P + q];
  if (q + 2 > ce) {
    appShort(L.L_TLS, q);
    return true;
  }
  q += 2 + u16(q);
  if (q + 1 > ce) {
    appShort(L.L_TLS, q);
    return true;
  }
  q += 1 + B[P + q];
  if (q + 2 > ce) {
    appShort(L.L_TLS, q);
    return true;
  }
  const ee = q + 2 + u16(q);
  if (ee > hEnd) {
    fail(L.L_TLS, L.E_BAD_LENGTH, q);
    return true;
  }
  q += 2;
  while (q + 4 <= ee) {
    if (q + 4 > ce) {
      appShort(L.L_TLS, q);
      return true;
    }
    const type = u16(q);
    const l = u16(q + 2);
    const x = q + 4;
    if (x + l > ee) {
      fail(L.L_TLS, L.E_BAD_LENGTH, q + 2);
      return true;
    }
    if (type === Tls.EXT_SERVER_NAME || type === Tls.EXT_ALPN) {
      if (x + l > ce) {
        appShort(L.L_TLS, q);
        return true;
      }
      if (l < 2 || 2 + u16(x) > l) {
        fail(L.L_TLS, L.E_BAD_LENGTH, x);
        return true;
      }
      const listEnd = x + 2 + u16(x);
      let y = x + 2;
      if (type === Tls.EXT_SERVER_NAME) {
        while (y + 3 <= listEnd) {
          const nl = u16(y + 1);
          if (y + 3 + nl > listEnd) {
            fail(L.L_TLS, L.E_BAD_LENGTH, y + 1);
            return true;
          }
          if (B[P + y] === Tls.SNI_HOST_NAME && (FL & L.F_SNI) === 0) {
            FL |= L.F_SNI;
            put(L.C_SNIOFF, y + 3);
            put(L.C_SNILEN, nl);
          }
          y += 3 + nl;
        }
      } else {
        while (y < listEnd) {
          if (y + 1 + B[P + y] > listEnd) {
            fail(L.L_TLS, L.E_BAD_LENGTH, y);
            return true;
          }
          y += 1 + B[P + y];
        }
        FL |= L.F_ALPN;
        put(L.C_ALPNOFF, x + 2);
        put(L.C_ALPNLEN, listEnd - (x + 2));
      }
    }
    q = x + l;
  }
  return true;
}

function http(s: number, ce: number): void {
  let m = 0;
  while (s + m < ce && m <= L.MAX_HTTP_METHOD && B[P + s + m] >= 0x41 && B[P + s + m] <= 0x5a) m++;
  if (m === 0 || m > L.MAX_HTTP_METHOD || s + m >= ce || B[P + s + m] !== 0x20) return;
  const u = s + m + 1;
  let k = u;
  while (k < ce && B[P + k] !== 0x20 && B[P + k] !== 13 && B[P + k] !== 10) k++;
  if (k === u || k >= ce || B[P + k] !== 0x20) return;
  const v = k + 1;
  if (v + 10 > ce) return;
  // "HTTP/1." then a digit, then CRLF.
  if (
    B[P + v] !== 0x48 || B[P + v + 1] !== 0x54 || B[P + v + 2] !== 0x54 || B[P + v + 3] !== 0x50 ||
    B[P + v + 4] !== 0x2f || B[P + v + 5] !== 0x31 || B[P + v + 6] !== 0x2e ||
    B[P + v + 7] < 0x30 || B[P + v + 7] > 0x39 || B[P + v + 8] !== 13 || B[P + v + 9] !== 10
  ) return;
  FL |= L.F_HTTP;
  put(L.C_APPOFF, s);
  put(L.C_METHODLEN, m);
  put(L.C_URIOFF, u);
  put(L.C_URILEN, k - u);
  let q = v + 10;
  for (;;) {
    let e = q;
    while (e < ce && B[P + e] !== 10) e++;
    if (e >= ce) return;
    const le = e > q && B[P + e - 1] === 13 ? e - 1 : e;
    if (le === q) return;
    if (
      le - q >= 5 && (B[P + q] | 0x20) === 0x68 && (B[P + q + 1] | 0x20) === 0x6f &&
      (B[P + q + 2] | 0x20) === 0x73 && (B[P + q + 3] | 0x20) === 0x74 && B[P + q + 4] === 0x3a
    ) {
      let a = q + 5;
      let z = le;
      while (a < z && (B[P + a] === 0x20 || B[P + a] === 9)) a++;
      while (z > a && (B[P + z - 1] === 0x20 || B[P + z - 1] === 9)) z--;
      FL |= L.F_HOST;
      put(L.C_HOSTOFF, a);
      put(L.C_HOSTLEN, z - a);
      return;
    }
    q = e + 1;
  }
}
