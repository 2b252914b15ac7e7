/**
 * A small capture writer for the packet tests, the packet benchmark and the long fuzz run:
 * frames (Ethernet, VLAN, SLL, IPv4, IPv6, ARP, TCP, UDP, ICMP, DNS, TLS ClientHello, HTTP)
 * and pcap/pcapng files around them. Checksums are computed unless a test asks for a wrong
 * one. It lives in scripts/ because the scripts use it too, and they do not import test/.
 *
 * @module
 */

import { EtherType, IpProtocol, LinkType, TcpFlag } from "./_packet_numbers.ts";

export type Bytes = Uint8Array;

export function concat(...parts: (Bytes | number[])[]): Bytes {
  return concatList(parts);
}
/** {@linkcode concat} of a list too long to spread into arguments (a capture of many packets). */
export function concatList(parts: readonly (Bytes | number[])[]): Bytes {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
export const be16 = (v: number): number[] => [(v >> 8) & 255, v & 255];
export const be32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
export const le16 = (v: number): number[] => [v & 255, (v >> 8) & 255];
export const le32 = (v: number): number[] => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
export const text = (s: string): Bytes => new TextEncoder().encode(s);

export function mac(s: string): number[] {
  return s.split(":").map((x) => parseInt(x, 16));
}
export function ip4(s: string): number[] {
  return s.split(".").map(Number);
}
export function ip6(s: string): number[] {
  const [head, tail] = s.includes("::") ? s.split("::") : [s, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.flatMap((g) => be16(parseInt(g, 16)));
}

export function checksum(data: Bytes | number[], initial = 0): number {
  let s = initial;
  for (let i = 0; i + 1 < data.length; i += 2) s += (data[i] << 8) | data[i + 1];
  if (data.length % 2) s += data[data.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return ~s & 0xffff;
}

export function ethernet(dst: string, src: string, type: number, payload: Bytes): Bytes {
  return concat(mac(dst), mac(src), be16(type), payload);
}
/** Ethernet with the first tag's TPID in the type position. */
export function ethernetVlan(
  dst: string,
  src: string,
  type: number,
  payload: Bytes,
  vlans: { tpid: number; id: number; pcp?: number }[],
): Bytes {
  const parts: number[] = [...mac(dst), ...mac(src)];
  for (const v of vlans) parts.push(...be16(v.tpid), ...be16(((v.pcp ?? 0) << 13) | v.id));
  parts.push(...be16(type));
  return concat(parts, payload);
}

export interface Ipv4Options {
  src?: string;
  dst?: string;
  proto: number;
  ttl?: number;
  id?: number;
  tos?: number;
  df?: boolean;
  mf?: boolean;
  fragOffset?: number;
  options?: number[];
  badChecksum?: boolean;
  totalLength?: number;
}
export function ipv4(o: Ipv4Options, payload: Bytes): Bytes {
  const opts = o.options ?? [];
  const hl = 20 + opts.length;
  const h = [
    0x40 | (hl / 4),
    o.tos ?? 0,
    ...be16(o.totalLength ?? hl + payload.length),
    ...be16(o.id ?? 1),
    ...be16((o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) / 8)),
    o.ttl ?? 64,
    o.proto,
    0,
    0,
    ...ip4(o.src ?? "10.0.0.1"),
    ...ip4(o.dst ?? "10.0.0.2"),
    ...opts,
  ];
  const c = checksum(h) ^ (o.badChecksum ? 1 : 0);
  h[10] = c >> 8;
  h[11] = c & 255;
  return concat(h, payload);
}

export interface Ipv6Options {
  src?: string;
  dst?: string;
  next: number;
  hlim?: number;
  flow?: number;
  /** Extension headers: raw bytes each, already with their own next-header byte. */
  ext?: Bytes[];
}
export function ipv6(o: Ipv6Options, payload: Bytes): Bytes {
  const ext = concat(...(o.ext ?? []));
  const h = [
    ...be32((6 << 28) | (o.flow ?? 0)),
    ...be16(ext.length + payload.length),
    o.next,
    o.hlim ?? 64,
    ...ip6(o.src ?? "2001:db8::1"),
    ...ip6(o.dst ?? "2001:db8::2"),
  ];
  return concat(h, ext, payload);
}

/** A pseudo-header sum for TCP/UDP checksums. */
export function pseudo(ipHeader: { v: 4 | 6; src: string; dst: string }, proto: number, length: number): number[] {
  return ipHeader.v === 4
    ? [...ip4(ipHeader.src), ...ip4(ipHeader.dst), 0, proto, ...be16(length)]
    : [...ip6(ipHeader.src), ...ip6(ipHeader.dst), ...be32(length), 0, 0, 0, proto];
}

export interface TcpOptions {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags?: number;
  win?: number;
  urp?: number;
  options?: number[];
  badChecksum?: boolean;
}
export function tcp(o: TcpOptions, payload: Bytes, ip: { v: 4 | 6; src: string; dst: string }): Bytes {
  const opts = o.options ?? [];
  const hl = 20 + opts.length;
  const h = [
    ...be16(o.sport),
    ...be16(o.dport),
    ...be32(o.seq ?? 1000),
    ...be32(o.ack ?? 0),
    (hl / 4) << 4,
    o.flags ?? TcpFlag.PSH | TcpFlag.ACK,
    ...be16(o.win ?? 65535),
    0,
    0,
    ...be16(o.urp ?? 0),
    ...opts,
  ];
  const seg = concat(h, payload);
  const c = checksum(concat(pseudo(ip, IpProtocol.TCP, seg.length), seg)) ^ (o.badChecksum ? 1 : 0);
  seg[16] = c >> 8;
  seg[17] = c & 255;
  return seg;
}

export function udp(
  sport: number,
  dport: number,
  payload: Bytes,
  ip: { v: 4 | 6; src: string; dst: string },
  opts: { noChecksum?: boolean; badChecksum?: boolean } = {},
): Bytes {
  const seg = concat(be16(sport), be16(dport), be16(8 + payload.length), [0, 0], payload);
  if (!opts.noChecksum) {
    let c = checksum(concat(pseudo(ip, IpProtocol.UDP, seg.length), seg)) ^ (opts.badChecksum ? 1 : 0);
    if (c === 0) c = 0xffff;
    seg[6] = c >> 8;
    seg[7] = c & 255;
  }
  return seg;
}

export function icmpEcho(type: number, code: number, data: Bytes = new Uint8Array(8)): Bytes {
  const m = concat([type, code, 0, 0, 0, 1, 0, 1], data);
  const c = checksum(m);
  m[2] = c >> 8;
  m[3] = c & 255;
  return m;
}

export function dnsName(name: string): number[] {
  if (name === ".") return [0];
  return [...name.split(".").flatMap((l) => [l.length, ...text(l)]), 0];
}
export function dnsQuery(id: number, name: string, qtype: number, flags = 0x0100): Bytes {
  return concat(be16(id), be16(flags), be16(1), be16(0), be16(0), be16(0), dnsName(name), be16(qtype), be16(1));
}

export function tlsClientHello(sni?: string, alpn?: string[]): Bytes {
  const exts: number[] = [];
  if (sni !== undefined) {
    const name = [...text(sni)];
    const list = [0, ...be16(name.length), ...name];
    exts.push(...be16(0), ...be16(list.length + 2), ...be16(list.length), ...list);
  }
  if (alpn) {
    const list = alpn.flatMap((p) => [p.length, ...text(p)]);
    exts.push(...be16(16), ...be16(list.length + 2), ...be16(list.length), ...list);
  }
  exts.push(...be16(0x002b), ...be16(3), 2, 3, 4); // supported_versions
  const body = [
    3,
    3,
    ...new Array(32).fill(7),
    0,
    ...be16(4),
    0x13,
    0x01,
    0x13,
    0x02,
    1,
    0,
    ...be16(exts.length),
    ...exts,
  ];
  const hs = [1, (body.length >> 16) & 255, ...be16(body.length & 0xffff), ...body];
  return concat([0x16, 3, 1, ...be16(hs.length)], hs);
}

export function httpRequest(method: string, uri: string, host?: string): Bytes {
  return text(`${method} ${uri} HTTP/1.1\r\n${host !== undefined ? `Host: ${host}\r\n` : ""}User-Agent: t\r\n\r\n`);
}

export interface CapturedPacket {
  data: Bytes;
  /** Original length. @default data.length */
  len?: number;
  sec?: number;
  /** Microseconds or nanoseconds per the file's precision. */
  frac?: number;
}

export interface PcapOptions {
  linktype?: number;
  nanos?: boolean;
  littleEndian?: boolean;
  snaplen?: number;
}
/** A pcap file; packets longer than `snaplen` are cut to it. */
export function pcap(packets: CapturedPacket[], o: PcapOptions = {}): Bytes {
  const le = o.littleEndian ?? true;
  const w16 = le ? le16 : be16;
  const w32 = le ? le32 : be32;
  const snap = o.snaplen ?? 262144;
  const parts: (Bytes | number[])[] = [
    w32(o.nanos ? 0xa1b23c4d : 0xa1b2c3d4),
    w16(2),
    w16(4),
    w32(0),
    w32(0),
    w32(snap),
    w32(o.linktype ?? LinkType.ETHERNET),
  ];
  for (const p of packets) {
    const data = p.data.subarray(0, Math.min(p.data.length, snap));
    parts.push(w32(p.sec ?? 1700000000), w32(p.frac ?? 0), w32(data.length), w32(p.len ?? p.data.length), data);
  }
  return concatList(parts);
}

export interface PcapngInterface {
  linktype: number;
  snaplen?: number;
  /** Raw if_tsresol byte. */
  tsresol?: number;
  /** if_tsoffset in seconds. */
  tsoffset?: bigint;
}
export type PcapngBlock =
  | { kind: "epb"; iface: number; ts: bigint; data: Bytes; len?: number }
  | { kind: "spb"; data: Bytes; len?: number }
  | { kind: "pb"; iface: number; ts: bigint; data: Bytes; len?: number }
  | { kind: "raw"; type: number; body: Bytes };
export interface PcapngSection {
  littleEndian?: boolean;
  interfaces: PcapngInterface[];
  blocks: PcapngBlock[];
}

function pad4(b: Bytes): Bytes {
  return concat(b, new Array((4 - (b.length % 4)) % 4).fill(0));
}

/** A pcapng file of one or more sections. */
export function pcapng(sections: PcapngSection[]): Bytes {
  const out: (Bytes | number[])[] = [];
  for (const s of sections) {
    const le = s.littleEndian ?? true;
    const w16 = le ? le16 : be16;
    const w32 = le ? le32 : be32;
    const w64 = (v: bigint) => {
      const hi = Number((BigInt.asUintN(64, v) >> 32n) & 0xffffffffn), lo = Number(BigInt.asUintN(64, v) & 0xffffffffn);
      return le ? [...le32(lo), ...le32(hi)] : [...be32(hi), ...be32(lo)];
    };
    const block = (type: number, body: Bytes) => {
      const b = pad4(body);
      out.push(w32(type), w32(b.length + 12), b, w32(b.length + 12));
    };
    block(0x0a0d0d0a, concat(w32(0x1a2b3c4d), w16(1), w16(0), w64(-1n)));
    for (const f of s.interfaces) {
      const opts: number[] = [];
      if (f.tsresol !== undefined) opts.push(...w16(9), ...w16(1), f.tsresol, 0, 0, 0);
      if (f.tsoffset !== undefined) opts.push(...w16(14), ...w16(8), ...w64(f.tsoffset));
      if (opts.length) opts.push(0, 0, 0, 0);
      block(1, concat(w16(f.linktype), w16(0), w32(f.snaplen ?? 0), opts));
    }
    for (const b of s.blocks) {
      if (b.kind === "epb") {
        const hi = Number(b.ts >> 32n), lo = Number(b.ts & 0xffffffffn);
        block(6, concat(w32(b.iface), w32(hi), w32(lo), w32(b.data.length), w32(b.len ?? b.data.length), b.data));
      } else if (b.kind === "pb") {
        const hi = Number(b.ts >> 32n), lo = Number(b.ts & 0xffffffffn);
        block(
          2,
          concat(w16(b.iface), w16(0), w32(hi), w32(lo), w32(b.data.length), w32(b.len ?? b.data.length), b.data),
        );
      } else if (b.kind === "spb") {
        block(3, concat(w32(b.len ?? b.data.length), b.data));
      } else {
        block(b.type, b.body);
      }
    }
  }
  return concat(...out);
}

/** A deterministic pseudo-random generator (xorshift32). */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** A mixed set of frames covering every protocol the decoder knows (Ethernet). */
export function sampleFrames(): Bytes[] {
  const a4 = { v: 4 as const, src: "192.168.1.10", dst: "93.184.216.34" };
  const a6 = { v: 6 as const, src: "2001:db8::10", dst: "2001:db8:0:1::53" };
  const m1 = "00:11:22:33:44:55", m2 = "66:77:88:99:aa:bb";
  const frames: Bytes[] = [];
  const syn = tcp(
    {
      sport: 40000,
      dport: 443,
      flags: TcpFlag.SYN,
      seq: 0xfffffff0,
      options: [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7],
    },
    new Uint8Array(0),
    a4,
  );
  frames.push(ethernet(m2, m1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.TCP, df: true }, syn)));
  frames.push(
    ethernet(
      m2,
      m1,
      EtherType.IPV4,
      ipv4(
        { ...a4, proto: IpProtocol.TCP },
        tcp({ sport: 40000, dport: 443 }, tlsClientHello("example.com", ["h2", "http/1.1"]), a4),
      ),
    ),
  );
  frames.push(
    ethernet(
      m2,
      m1,
      EtherType.IPV4,
      ipv4(
        { ...a4, proto: IpProtocol.TCP },
        tcp({ sport: 40001, dport: 80 }, httpRequest("GET", "/index.html?q=1", "example.org"), a4),
      ),
    ),
  );
  frames.push(
    ethernet(
      m2,
      m1,
      EtherType.IPV4,
      ipv4({ ...a4, proto: IpProtocol.UDP }, udp(5353, 53, dnsQuery(0x1234, "www.example.com", 1), a4)),
    ),
  );
  frames.push(
    ethernet(
      m2,
      m1,
      EtherType.IPV6,
      ipv6({ ...a6, next: IpProtocol.UDP }, udp(5353, 53, dnsQuery(7, "ipv6.example.net", 28), a6)),
    ),
  );
  frames.push(ethernet(m2, m1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.ICMP }, icmpEcho(8, 0))));
  frames.push(ethernet(m2, m1, EtherType.IPV6, ipv6({ ...a6, next: IpProtocol.ICMPV6 }, icmpEcho(128, 0))));
  frames.push(
    ethernet(
      "ff:ff:ff:ff:ff:ff",
      m1,
      EtherType.ARP,
      concat(
        be16(1),
        be16(EtherType.IPV4),
        [6, 4],
        be16(1),
        mac(m1),
        ip4("192.168.1.10"),
        [0, 0, 0, 0, 0, 0],
        ip4("192.168.1.1"),
      ),
    ),
  );
  frames.push(
    ethernetVlan(m2, m1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.UDP }, udp(1234, 5678, text("hello"), a4)), [{
      tpid: EtherType.VLAN,
      id: 100,
      pcp: 5,
    }]),
  );
  frames.push(
    ethernetVlan(
      m2,
      m1,
      EtherType.IPV6,
      ipv6({ ...a6, next: IpProtocol.TCP }, tcp({ sport: 1, dport: 2, flags: TcpFlag.ACK }, new Uint8Array(0), a6)),
      [{ tpid: EtherType.QINQ, id: 10 }, { tpid: EtherType.VLAN, id: 20 }],
    ),
  );
  return frames;
}
