/**
 * Frame-level decoder: the AssemblyScript twin of src/packet/_ts_frame.ts. Walks one
 * packet's headers and writes one row of the packet table. Every read is preceded by a
 * bounds check against the captured length; nothing allocates or traps.
 */
import {
  C_ALPNLEN, C_ALPNOFF, C_APPOFF, C_ERR, C_ERROFF, C_EXTCOUNT, C_FLAGS, C_FRAG6, C_HOSTLEN, C_HOSTOFF, C_L3OFF,
  C_L4OFF, C_METHODLEN, C_MSS, C_PAYLEN, C_PAYOFF, C_PROTO, C_QTYPE, C_SNILEN, C_SNIOFF, C_TSECR, C_TSVAL,
  C_URILEN, C_URIOFF, C_VLANS, C_WSCALE, E_BAD_HLEN, E_BAD_LABEL, E_BAD_LENGTH, E_BAD_OPTION, E_BAD_POINTER,
  E_BAD_VERSION, E_NAME_TOO_LONG, E_POINTER_LOOP, E_TOO_MANY, E_TRUNCATED, F_ALPN, F_ARP, F_ARPADDR, F_DNS,
  F_ERROR, F_ETH, F_FRAG6, F_HOST, F_HTTP, F_ICMP, F_ICMP6, F_IP4, F_IP6, F_IPCSUM_OK, F_L4CSUM, F_L4CSUM_OK,
  F_MSS, F_QNAME, F_QPORTS, F_QUOTE, F_SACKPERM, F_SNI, F_TCP, F_TCPHDR, F_TLS, F_TSOPT, F_UDP, F_UNSUPPORTED, F_WSCALE, L_ARP, L_DNS,
  L_ICMP, L_ICMP6, L_IPV4, L_IPV6, L_LINK, L_TCP, L_TLS, L_UDP, L_VLAN, MAX_EXT, MAX_HTTP_METHOD, MAX_JUMPS,
  MAX_VLANS, NCOLS, C_QL3OFF, C_QL4OFF, C_QPROTO, RH_MOBILE, RH_SEGMENT, RH_TYPE0,
} from "./layout";
import * as EtherType from "./ether_types";
import * as IpProtocol from "./ip_protocols";
import * as LinkType from "./link_types";
import * as Port from "./ports";
import * as Tcp from "./tcp";
import * as Tls from "./tls";

let T: usize = 0; // the row's first column
let P: usize = 0; // packet start
let CL: i32 = 0; // captured length
let OL: u32 = 0; // original length
let FL: i32 = 0;
/** Off when only statistics are wanted: no checksum verdict is read from the rows then. */
let verify: bool = true;

/** Turns checksum verification on or off (statistics mode). */
export function setVerifyChecksums(on: bool): void {
  verify = on;
}

@inline function b8(o: i32): i32 {
  return <i32>load<u8>(P + <usize>o);
}
@inline function g16(o: i32): i32 {
  return <i32>bswap<u16>(load<u16>(P + <usize>o));
}
@inline function g32(o: i32): u32 {
  return bswap<u32>(load<u32>(P + <usize>o));
}
@inline function put(col: i32, v: i32): void {
  store<i32>(T + (<usize>col << 2), v);
}
function fail(layer: i32, code: i32, off: i32): void {
  FL |= F_ERROR;
  put(C_ERR, (layer << 8) | code);
  put(C_ERROFF, off);
}
function appShort(layer: i32, off: i32): void {
  if (<u32>CL >= OL) fail(layer, E_TRUNCATED, off);
}

/**
 * Unfolded one's complement sum of packet bytes [o, o+n) taken as little-endian 16-bit
 * words. The sum is byte-order independent (RFC 1071 section 2(B)): folded, it is the
 * byte swap of the big-endian sum, so a correct checksum gives 0xffff either way, and
 * 32- and 64-bit loads add two or four words at a time. Values added to it (protocol,
 * lengths) must be byte-swapped with `sw16`.
 */
function sum16(o: i32, n: i32): u64 {
  let s: u64 = 0;
  let p = P + <usize>o;
  const end = p + <usize>n;
  for (; p + 8 <= end; p += 8) {
    const v = load<u64>(p);
    s += (v & 0xffffffff) + (v >> 32);
  }
  if (p + 4 <= end) { s += <u64>load<u32>(p); p += 4; }
  if (p + 2 <= end) { s += <u64>load<u16>(p); p += 2; }
  if (p < end) s += <u64>load<u8>(p);
  return s;
}
@inline function sw16(v: i32): u64 {
  return <u64>bswap<u16>(<u16>v);
}
@inline function fold(s: u64): u64 {
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
  return s;
}

/** Decodes the packet at `p` into row `row` of the table at `table`. */
export function decodeFrameAt(
  p: usize, caplen: i32, len: u32, link: i32, table: usize, row: i32, flags: i32,
): void {
  P = p; CL = caplen; OL = len; T = table + (<usize>(row * NCOLS) << 2); FL = flags;
  // Clear the layer columns (C_VLANS to NCOLS: 25 columns, 100 bytes) with SIMD stores:
  // V8 runs memory.fill as a call, which made the whole decode 20% slower.
  const z = i32x4.splat(0);
  const c = T + (<usize>C_VLANS << 2);
  v128.store(c, z);
  v128.store(c, z, 16);
  v128.store(c, z, 32);
  v128.store(c, z, 48);
  v128.store(c, z, 64);
  v128.store(c, z, 80);
  store<i32>(c, 0, 96);
  switch (link) {
    case LinkType.ETHERNET: ethernet(); break;
    case LinkType.LINUX_SLL: {
      if (CL < 16) fail(L_LINK, E_TRUNCATED, 0);
      else network(g16(14), 16);
      break;
    }
    case LinkType.LINUX_SLL2: {
      if (CL < 20) fail(L_LINK, E_TRUNCATED, 0);
      else network(g16(0), 20);
      break;
    }
    case LinkType.NULL: {
      if (CL < 4) { fail(L_LINK, E_TRUNCATED, 0); break; }
      let af = load<u32>(P);
      if ((af & 0xffff) == 0) af = bswap<u32>(af);
      family(af);
      break;
    }
    case LinkType.LOOP: {
      if (CL < 4) fail(L_LINK, E_TRUNCATED, 0);
      else family(g32(0));
      break;
    }
    case LinkType.RAW: case LinkType.RAW_DLT12: case LinkType.RAW_DLT14: {
      if (CL < 1) { fail(L_LINK, E_TRUNCATED, 0); break; }
      const v = b8(0) >> 4;
      if (v == 4) ipv4(0);
      else if (v == 6) ipv6(0);
      else fail(L_LINK, E_BAD_VERSION, 0);
      break;
    }
    case LinkType.IPV4: ipv4(0); break;
    case LinkType.IPV6: ipv6(0); break;
    default: FL |= F_UNSUPPORTED;
  }
  put(C_FLAGS, FL);
}

function family(af: u32): void {
  if (af == LinkType.AF_INET) ipv4(4);
  else if (af == LinkType.AF_INET6_BSD || af == LinkType.AF_INET6_FREEBSD || af == LinkType.AF_INET6_DARWIN) ipv6(4);
}

function ethernet(): void {
  if (CL < 14) { fail(L_LINK, E_TRUNCATED, 0); return; }
  FL |= F_ETH;
  let type = g16(12);
  let o = 14;
  let n = 0;
  while (type == EtherType.VLAN || type == EtherType.QINQ || type == EtherType.QINQ_LEGACY) {
    if (n == MAX_VLANS) { fail(L_VLAN, E_TOO_MANY, o - 2); return; }
    if (o + 4 > CL) { fail(L_VLAN, E_TRUNCATED, o - 2); return; }
    n++;
    put(C_VLANS, n);
    type = g16(o + 2);
    o += 4;
  }
  network(type, o);
}

function network(type: i32, o: i32): void {
  if (type == EtherType.IPV4) ipv4(o);
  else if (type == EtherType.IPV6) ipv6(o);
  else if (type == EtherType.ARP) arp(o);
}

function arp(o: i32): void {
  put(C_L3OFF, o);
  if (o + 8 > CL) { fail(L_ARP, E_TRUNCATED, o); return; }
  FL |= F_ARP;
  if (b8(o + 4) == 6 && b8(o + 5) == 4) {
    if (o + 28 > CL) { fail(L_ARP, E_TRUNCATED, o + 8); return; }
    FL |= F_ARPADDR;
  }
}

function ipv4(o: i32): void {
  put(C_L3OFF, o);
  if (o + 20 > CL) { fail(L_IPV4, E_TRUNCATED, o); return; }
  const vhl = b8(o);
  if (vhl >> 4 != 4) { fail(L_IPV4, E_BAD_VERSION, o); return; }
  const hl = (vhl & 15) * 4;
  if (hl < 20) { fail(L_IPV4, E_BAD_HLEN, o); return; }
  if (o + hl > CL) { fail(L_IPV4, E_TRUNCATED, o); return; }
  FL |= F_IP4;
  if (verify && fold(sum16(o, hl)) == 0xffff) FL |= F_IPCSUM_OK;
  const proto = b8(o + 9);
  put(C_PROTO, proto);
  const total = g16(o + 2);
  if (total < hl || <u32>(o + total) > OL) { fail(L_IPV4, E_BAD_LENGTH, o + 2); return; }
  const fo = g16(o + 6);
  if ((fo & 0x1fff) != 0) return;
  const end = o + total;
  const whole = verify && (fo & 0x2000) == 0 && end <= CL;
  const pseudo: u64 = whole ? sum16(o + 12, 8) + sw16(proto) : 0;
  transport(proto, o + hl, end, whole, pseudo);
}

function ipv6(o: i32): void {
  put(C_L3OFF, o);
  if (o + 40 > CL) { fail(L_IPV6, E_TRUNCATED, o); return; }
  if (b8(o) >> 4 != 6) { fail(L_IPV6, E_BAD_VERSION, o); return; }
  FL |= F_IP6;
  const end = o + 40 + g16(o + 4);
  let nh = b8(o + 6);
  put(C_PROTO, nh);
  if (<u32>end > OL) { fail(L_IPV6, E_BAD_LENGTH, o + 4); return; }
  let q = o + 40;
  let n = 0;
  let fragOff = 0;
  let mf = 0;
  let dst = o + 24; // the pseudo-header's destination: the final one (RFC 8200 §8.1)
  while (
    nh == IpProtocol.HOP_BY_HOP || nh == IpProtocol.ROUTING || nh == IpProtocol.FRAGMENT ||
    nh == IpProtocol.DEST_OPTS || nh == IpProtocol.AUTH
  ) {
    if (n == MAX_EXT) { fail(L_IPV6, E_TOO_MANY, q); return; }
    if (q + 8 > CL) { fail(L_IPV6, E_TRUNCATED, q); return; }
    let hl: i32;
    if (nh == IpProtocol.FRAGMENT) {
      FL |= F_FRAG6;
      put(C_FRAG6, q);
      const fo = g16(q + 2);
      fragOff = fo & 0xfff8;
      mf = fo & 1;
      hl = 8;
    } else if (nh == IpProtocol.AUTH) {
      hl = (b8(q + 1) + 2) * 4;
    } else {
      hl = (b8(q + 1) + 1) * 8;
    }
    if (q + hl > end) { fail(L_IPV6, E_BAD_LENGTH, q); return; }
    if (nh == IpProtocol.ROUTING && b8(q + 3) > 0) dst = finalDestination(q, hl, dst);
    nh = b8(q);
    q += hl;
    n++;
    put(C_EXTCOUNT, n);
    put(C_PROTO, nh);
  }
  if (fragOff != 0) return;
  const whole = verify && mf == 0 && end <= CL;
  const pseudo: u64 = whole ? sum16(o + 8, 16) + sum16(dst, 16) + sw16(nh) : 0;
  transport(nh, q, end, whole, pseudo);
}

/** The final destination in a routing header with segments left (see _ts_frame.ts). */
function finalDestination(q: i32, hl: i32, dst: i32): i32 {
  const type = b8(q + 2);
  if ((type == RH_TYPE0 || type == RH_MOBILE) && hl >= 24 && q + hl <= CL) return q + 8 + ((hl - 8) >> 4 << 4) - 16;
  if (type == RH_SEGMENT && hl >= 24 && q + 24 <= CL) return q + 8;
  return dst;
}

function transport(proto: i32, o: i32, end: i32, whole: bool, pseudo: u64): void {
  put(C_L4OFF, o);
  if (proto == IpProtocol.TCP) tcp(o, end, whole, pseudo);
  else if (proto == IpProtocol.UDP) udp(o, end, whole, pseudo);
  else if (proto == IpProtocol.ICMP || proto == IpProtocol.ICMPV6) {
    const layer = proto == IpProtocol.ICMP ? L_ICMP : L_ICMP6;
    if (o + 4 > end) { fail(layer, E_BAD_LENGTH, o); return; }
    if (o + 4 > CL) { fail(layer, E_TRUNCATED, o); return; }
    FL |= proto == IpProtocol.ICMP ? F_ICMP : F_ICMP6;
    const type = b8(o);
    if (proto == IpProtocol.ICMP ? isIcmpError(type) : type >= 1 && type <= 4) quote(o + 8, proto == IpProtocol.ICMP);
  }
}

function isIcmpError(type: i32): bool {
  return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/** The packet an ICMP error quotes (see _ts_frame.ts). */
function quote(q: i32, v4: bool): void {
  let nh: i32;
  let t: i32;
  if (v4) {
    if (q + 20 > CL || b8(q) >> 4 != 4) return;
    const hl = (b8(q) & 15) * 4;
    if (hl < 20 || q + hl > CL) return;
    nh = b8(q + 9);
    t = (g16(q + 6) & 0x1fff) != 0 ? -1 : q + hl;
  } else {
    if (q + 40 > CL || b8(q) >> 4 != 6) return;
    nh = b8(q + 6);
    t = q + 40;
    for (let n = 0; n < MAX_EXT && t >= 0; n++) {
      if (nh != IpProtocol.HOP_BY_HOP && nh != IpProtocol.ROUTING && nh != IpProtocol.DEST_OPTS && nh != IpProtocol.FRAGMENT) break;
      if (t + 8 > CL) t = -1;
      else {
        const later = nh == IpProtocol.FRAGMENT && (g16(t + 2) & 0xfff8) != 0;
        const hl = nh == IpProtocol.FRAGMENT ? 8 : (b8(t + 1) + 1) * 8;
        nh = b8(t);
        t = later ? -1 : t + hl;
      }
    }
  }
  FL |= F_QUOTE;
  put(C_QL3OFF, q);
  put(C_QPROTO, nh);
  if (t < 0) return;
  put(C_QL4OFF, t);
  if ((nh == IpProtocol.TCP || nh == IpProtocol.UDP) && t + 4 <= CL) FL |= F_QPORTS;
}

function tcp(o: i32, end: i32, whole: bool, pseudo: u64): void {
  if (o + 20 > end) { fail(L_TCP, E_BAD_LENGTH, o); return; }
  // A cut header still gives what was captured: ports from 4 bytes, through the window from 16.
  if (o + 4 > CL) { fail(L_TCP, E_TRUNCATED, o); return; }
  FL |= F_TCP;
  if (o + 16 > CL) { fail(L_TCP, E_TRUNCATED, o); return; }
  FL |= F_TCPHDR;
  const hl = (b8(o + 12) >> 4) * 4;
  if (hl < 20 || o + hl > end) { fail(L_TCP, E_BAD_HLEN, o + 12); return; }
  const oe = o + hl;
  const ce = oe < CL ? oe : CL;
  let q = o + 20;
  while (q < ce) {
    const k = b8(q);
    if (k == Tcp.OPT_END) break;
    if (k == Tcp.OPT_NOP) { q++; continue; }
    if (q + 1 >= oe) { fail(L_TCP, E_BAD_OPTION, q); return; }
    if (q + 1 >= ce) break;
    const l = b8(q + 1);
    if (l < 2 || q + l > oe) { fail(L_TCP, E_BAD_OPTION, q); return; }
    if (q + l > ce) break;
    if (k == Tcp.OPT_MSS) {
      if (l != Tcp.OPT_MSS_LEN) { fail(L_TCP, E_BAD_OPTION, q); return; }
      FL |= F_MSS;
      put(C_MSS, g16(q + 2));
    } else if (k == Tcp.OPT_WSCALE) {
      if (l != Tcp.OPT_WSCALE_LEN) { fail(L_TCP, E_BAD_OPTION, q); return; }
      FL |= F_WSCALE;
      put(C_WSCALE, b8(q + 2));
    } else if (k == Tcp.OPT_SACK_PERM) {
      if (l != Tcp.OPT_SACK_PERM_LEN) { fail(L_TCP, E_BAD_OPTION, q); return; }
      FL |= F_SACKPERM;
    } else if (k == Tcp.OPT_TIMESTAMPS) {
      if (l != Tcp.OPT_TIMESTAMPS_LEN) { fail(L_TCP, E_BAD_OPTION, q); return; }
      FL |= F_TSOPT;
      put(C_TSVAL, <i32>g32(q + 2));
      put(C_TSECR, <i32>g32(q + 6));
    }
    q += l;
  }
  if (oe > CL) { fail(L_TCP, E_TRUNCATED, o); return; }
  const capEnd = end < CL ? end : CL;
  put(C_PAYOFF, oe);
  put(C_PAYLEN, capEnd - oe);
  if (whole) {
    FL |= F_L4CSUM;
    if (fold(pseudo + sw16(end - o) + sum16(o, end - o)) == 0xffff) FL |= F_L4CSUM_OK;
  }
  if (capEnd > oe) {
    // Most payloads are neither: their first byte rules both out without a call.
    const first = b8(oe);
    if (first == Tls.CONTENT_HANDSHAKE) tls(oe, capEnd);
    else if (first >= 0x41 && first <= 0x5a) http(oe, capEnd);
  }
}

function udp(o: i32, end: i32, whole: bool, pseudo: u64): void {
  if (o + 8 > end) { fail(L_UDP, E_BAD_LENGTH, o); return; }
  if (o + 4 > CL) { fail(L_UDP, E_TRUNCATED, o); return; }
  FL |= F_UDP;
  if (o + 8 > CL) { fail(L_UDP, E_TRUNCATED, o); return; }
  const ul = g16(o + 4);
  if (ul < 8 || o + ul > end) { fail(L_UDP, E_BAD_LENGTH, o + 4); return; }
  const ue = o + ul;
  const capEnd = ue < CL ? ue : CL;
  put(C_PAYOFF, o + 8);
  put(C_PAYLEN, capEnd - (o + 8));
  if (whole && !((FL & F_IP4) != 0 && g16(o + 6) == 0)) {
    FL |= F_L4CSUM;
    if (fold(pseudo + sw16(ul) + sum16(o, ul)) == 0xffff) FL |= F_L4CSUM_OK;
  }
  if (g16(o) == Port.DNS || g16(o + 2) == Port.DNS) dns(o + 8, capEnd, ue);
}

function dns(d: i32, capEnd: i32, msgEnd: i32): void {
  put(C_APPOFF, d);
  if (d + 4 > capEnd) { appShort(L_DNS, d); return; }
  FL |= F_DNS;
  if (d + 12 > capEnd) { appShort(L_DNS, d); return; }
  if (g16(d + 4) == 0) return;
  let q = d + 12;
  let jumps = 0;
  let nameLen = 0;
  let after = -1;
  while (true) {
    if (q >= capEnd) { appShort(L_DNS, q); return; }
    const l = b8(q);
    if (l == 0) { q++; break; }
    if ((l & 0xc0) == 0xc0) {
      if (q + 2 > capEnd) { appShort(L_DNS, q); return; }
      const target = d + (((l & 0x3f) << 8) | b8(q + 1));
      if (target >= msgEnd) { fail(L_DNS, E_BAD_POINTER, q); return; }
      if (jumps == MAX_JUMPS) { fail(L_DNS, E_POINTER_LOOP, q); return; }
      jumps++;
      if (after < 0) after = q + 2;
      q = target;
      continue;
    }
    if ((l & 0xc0) != 0) { fail(L_DNS, E_BAD_LABEL, q); return; }
    nameLen += l + 1;
    if (nameLen > 255) { fail(L_DNS, E_NAME_TOO_LONG, q); return; }
    if (q + 1 + l > capEnd) { appShort(L_DNS, q); return; }
    q += 1 + l;
  }
  if (after < 0) after = q;
  if (after + 2 > capEnd) { appShort(L_DNS, after); return; }
  FL |= F_QNAME;
  put(C_QTYPE, g16(after));
}

function tls(s: i32, ce: i32): bool {
  if (s + 6 > ce) return false;
  // A handshake record (record version 3.0 to 3.4) holding a ClientHello.
  if (b8(s) != Tls.CONTENT_HANDSHAKE || b8(s + 1) != 3 || b8(s + 2) > 4 || b8(s + 5) != Tls.CLIENT_HELLO) return false;
  FL |= F_TLS;
  put(C_APPOFF, s);
  if (s + 9 > ce) { appShort(L_TLS, s + 5); return true; }
  const recEnd = s + 5 + g16(s + 3);
  const hEnd = s + 9 + ((b8(s + 6) << 16) | g16(s + 7));
  if (hEnd > recEnd) { fail(L_TLS, E_BAD_LENGTH, s + 6); return true; }
  let q = s + 9 + 34;
  if (q + 1 > ce) { appShort(L_TLS, q); return true; }
  q += 1 + b8(q);
  if (q + 2 > ce) { appShort(L_TLS, q); return true; }
  q += 2 + g16(q);
  if (q + 1 > ce) { appShort(L_TLS, q); return true; }
  q += 1 + b8(q);
  if (q + 2 > ce) { appShort(L_TLS, q); return true; }
  const ee = q + 2 + g16(q);
  if (ee > hEnd) { fail(L_TLS, E_BAD_LENGTH, q); return true; }
  q += 2;
  while (q + 4 <= ee) {
    if (q + 4 > ce) { appShort(L_TLS, q); return true; }
    const type = g16(q);
    const l = g16(q + 2);
    const x = q + 4;
    if (x + l > ee) { fail(L_TLS, E_BAD_LENGTH, q + 2); return true; }
    if (type == Tls.EXT_SERVER_NAME || type == Tls.EXT_ALPN) {
      if (x + l > ce) { appShort(L_TLS, q); return true; }
      if (l < 2 || 2 + g16(x) > l) { fail(L_TLS, E_BAD_LENGTH, x); return true; }
      const listEnd = x + 2 + g16(x);
      let y = x + 2;
      if (type == Tls.EXT_SERVER_NAME) {
        while (y + 3 <= listEnd) {
          const nl = g16(y + 1);
          if (y + 3 + nl > listEnd) { fail(L_TLS, E_BAD_LENGTH, y + 1); return true; }
          if (b8(y) == Tls.SNI_HOST_NAME && (FL & F_SNI) == 0) {
            FL |= F_SNI;
            put(C_SNIOFF, y + 3);
            put(C_SNILEN, nl);
          }
          y += 3 + nl;
        }
      } else {
        while (y < listEnd) {
          if (y + 1 + b8(y) > listEnd) { fail(L_TLS, E_BAD_LENGTH, y); return true; }
          y += 1 + b8(y);
        }
        FL |= F_ALPN;
        put(C_ALPNOFF, x + 2);
        put(C_ALPNLEN, listEnd - (x + 2));
      }
    }
    q = x + l;
  }
  return true;
}

function http(s: i32, ce: i32): void {
  let m = 0;
  while (s + m < ce && m <= MAX_HTTP_METHOD && b8(s + m) >= 0x41 && b8(s + m) <= 0x5a) m++;
  if (m == 0 || m > MAX_HTTP_METHOD || s + m >= ce || b8(s + m) != 0x20) return;
  const u = s + m + 1;
  let k = u;
  while (k < ce && b8(k) != 0x20 && b8(k) != 13 && b8(k) != 10) k++;
  if (k == u || k >= ce || b8(k) != 0x20) return;
  const v = k + 1;
  if (v + 10 > ce) return;
  if (
    b8(v) != 0x48 || b8(v + 1) != 0x54 || b8(v + 2) != 0x54 || b8(v + 3) != 0x50 ||
    b8(v + 4) != 0x2f || b8(v + 5) != 0x31 || b8(v + 6) != 0x2e ||
    b8(v + 7) < 0x30 || b8(v + 7) > 0x39 || b8(v + 8) != 13 || b8(v + 9) != 10
  ) return;
  FL |= F_HTTP;
  put(C_APPOFF, s);
  put(C_METHODLEN, m);
  put(C_URIOFF, u);
  put(C_URILEN, k - u);
  let q = v + 10;
  while (true) {
    let e = q;
    while (e < ce && b8(e) != 10) e++;
    if (e >= ce) return;
    const le = e > q && b8(e - 1) == 13 ? e - 1 : e;
    if (le == q) return;
    if (
      le - q >= 5 && (b8(q) | 0x20) == 0x68 && (b8(q + 1) | 0x20) == 0x6f &&
      (b8(q + 2) | 0x20) == 0x73 && (b8(q + 3) | 0x20) == 0x74 && b8(q + 4) == 0x3a
    ) {
      let a = q + 5;
      let z = le;
      while (a < z && (b8(a) == 0x20 || b8(a) == 9)) a++;
      while (z > a && (b8(z - 1) == 0x20 || b8(z - 1) == 9)) z--;
      FL |= F_HOST;
      put(C_HOSTOFF, a);
      put(C_HOSTLEN, z - a);
      return;
    }
    q = e + 1;
  }
}
