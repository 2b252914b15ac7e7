import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeFrame, type PacketRecord } from "anynet/packet";
import { importPrivate } from "../_helpers/private_module.ts";
import {
  be16,
  be32,
  concat,
  dnsName,
  dnsQuery,
  ethernet,
  httpRequest,
  icmpEcho,
  ip4,
  ip6,
  ipv4,
  ipv6,
  le32,
  mac,
  sampleFrames,
  tcp,
  text,
  tlsClientHello,
  udp,
} from "../../scripts/_packet_writer.ts";
import { AddressFamily, EtherType, IpProtocol, LinkType } from "../../scripts/_packet_numbers.ts";

const a4 = { v: 4 as const, src: "10.1.2.3", dst: "10.4.5.6" };
const a6 = { v: 6 as const, src: "fe80::1", dst: "2001:db8::2" };
const M1 = "02:00:00:00:00:01", M2 = "02:00:00:00:00:02";

/** Decodes with both engines, asserts they agree, returns the record. */
function both(bytes: Uint8Array, link: number = LinkType.ETHERNET, len?: number): PacketRecord {
  const w = decodeFrame(bytes, link, { len });
  const t = decodeFrame(bytes, link, { engine: "ts", len });
  assert.equal(w, t, "wasm and ts disagree");
  return w;
}

test("decodeFrame() decodes every sample protocol identically in both engines", () => {
  const records = sampleFrames().map((f) => both(f));
  assert.equal(records[0].tcp?.mss, 1460);
  assert.equal(records[0].tcp?.wscale, 7);
  assert.is(records[0].tcp?.sackPerm, true);
  assert.equal([records[0].tcp?.tsval, records[0].tcp?.tsecr], [1, 0]);
  assert.equal(records[1].tls, { sni: "example.com", alpn: ["h2", "http/1.1"] });
  assert.equal(records[2].http, { method: "GET", uri: "/index.html?q=1", version: "HTTP/1.1", host: "example.org" });
  assert.equal(records[3].dns, {
    id: 0x1234,
    qr: false,
    opcode: 0,
    rcode: 0,
    qdcount: 1,
    ancount: 0,
    nscount: 0,
    arcount: 0,
    qname: "www.example.com",
    qtype: 1,
  });
  assert.equal(records[7].arp, {
    op: 1,
    sha: "00:11:22:33:44:55",
    spa: "192.168.1.10",
    tha: "00:00:00:00:00:00",
    tpa: "192.168.1.1",
  });
  assert.equal(records[9].vlan, [{ id: 10, pcp: 0, tpid: EtherType.QINQ }, { id: 20, pcp: 0, tpid: EtherType.VLAN }]);
  assert.is(records[9].eth?.type, EtherType.QINQ);
  for (const r of records) assert.is(r.error, undefined, JSON.stringify(r));
});

test("decodeFrame() gives the IPv4 header fields and checks the header checksum", () => {
  const seg = udp(1, 2, text("x"), a4);
  const ok = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV4,
      ipv4({ ...a4, proto: IpProtocol.UDP, ttl: 7, id: 0xbeef, tos: 0x10, df: true, options: [1, 1, 1, 0] }, seg),
    ),
  );
  assert.equal(ok.ip, {
    v: 4,
    src: "10.1.2.3",
    dst: "10.4.5.6",
    proto: IpProtocol.UDP,
    ttl: 7,
    len: 24 + seg.length,
    id: 0xbeef,
    tos: 0x10,
    hlen: 24,
    df: true,
    mf: false,
    fragOffset: 0,
    checksumOk: true,
  });
  assert.equal(ok.eth, { src: M1, dst: M2, type: EtherType.IPV4 });
  const bad = both(ethernet(M2, M1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.UDP, badChecksum: true }, seg)));
  assert.is((bad.ip as { checksumOk: boolean }).checksumOk, false);
  assert.is(bad.udp?.checksumOk, true);
});

test("decodeFrame() verifies TCP and UDP checksums over IPv4 and IPv6 pseudo-headers", () => {
  const t4 = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV4,
      ipv4({ ...a4, proto: IpProtocol.TCP }, tcp({ sport: 1, dport: 2 }, text("data"), a4)),
    ),
  );
  assert.is(t4.tcp?.checksumOk, true);
  const t4bad = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV4,
      ipv4({ ...a4, proto: IpProtocol.TCP }, tcp({ sport: 1, dport: 2, badChecksum: true }, text("data"), a4)),
    ),
  );
  assert.is(t4bad.tcp?.checksumOk, false);
  const u6 = both(ethernet(M2, M1, EtherType.IPV6, ipv6({ ...a6, next: IpProtocol.UDP }, udp(7, 9, text("odd"), a6))));
  assert.is(u6.udp?.checksumOk, true);
  const u6bad = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV6,
      ipv6({ ...a6, next: IpProtocol.UDP }, udp(7, 9, text("odd"), a6, { badChecksum: true })),
    ),
  );
  assert.is(u6bad.udp?.checksumOk, false);
  const none = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV4,
      ipv4({ ...a4, proto: IpProtocol.UDP }, udp(7, 9, text("z"), a4, { noChecksum: true })),
    ),
  );
  assert.is(none.udp?.checksumOk, undefined, "IPv4 UDP checksum 0 means not computed");
  assert.equal(u6.ip && u6.ip.v === 6 ? [u6.ip.src, u6.ip.dst] : [], ["fe80::1", "2001:db8::2"]);
});

test("decodeFrame() keeps the fields a snap length left of a cut TCP, UDP or DNS header, as tshark does", async () => {
  const { packetLine } = await importPrivate<typeof import("../../src/packet/_text.ts")>("packet/_text");
  // MSS, SACK permitted, timestamps, NOP, window scale: options end at 20 + 20 bytes.
  const options = [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 3, 3, 7];
  const seg = tcp({ sport: 40000, dport: 80, seq: 7, ack: 9, flags: 0x12, win: 512, urp: 3, options }, text("x"), a4);
  const whole = ethernet(M2, M1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.TCP }, seg));
  const cut = (tcpBytes: number) => both(whole.subarray(0, 34 + tcpBytes), LinkType.ETHERNET, whole.length);
  const err = { layer: "tcp", code: "truncated", offset: 34 };
  assert.equal([cut(3).tcp, cut(3).error], [undefined, err]);
  assert.equal(cut(15).tcp, { sport: 40000, dport: 80, payload: 0 });
  assert.equal(cut(15).error, err);
  assert.equal(cut(16).tcp, { sport: 40000, dport: 80, seq: 7, ack: 9, flags: 0x12, win: 512, hlen: 40, payload: 0 });
  assert.is(cut(19).tcp?.urp, undefined);
  assert.is(cut(20).tcp?.urp, 3);
  // Each option once whole: MSS at 24, SACK permitted at 26, timestamps at 36, window scale at 40.
  assert.equal([cut(23).tcp?.mss, cut(24).tcp?.mss, cut(25).tcp?.sackPerm, cut(26).tcp?.sackPerm], [
    undefined,
    1460,
    undefined,
    true,
  ]);
  assert.equal([cut(35).tcp?.tsval, cut(36).tcp?.tsecr, cut(39).tcp?.wscale, cut(39).error], [
    undefined,
    2,
    undefined,
    err,
  ]);
  assert.equal([cut(40).tcp?.wscale, cut(40).error, cut(40).tcp?.checksumOk], [7, undefined, undefined]);
  const line = (r: PacketRecord) => packetLine({ ...r, n: 1, sec: 0, nsec: 0 });
  assert.match(
    line(cut(15)),
    /IP 10\.1\.2\.3\.40000 > 10\.4\.5\.6\.80: TCP \[\|tcp\] length 75 \[tcp truncated at 34\]$/,
  );

  const dgram = ethernet(
    M2,
    M1,
    EtherType.IPV4,
    ipv4({ ...a4, proto: IpProtocol.UDP }, udp(5353, 53, dnsQuery(0x1234, "example.com", 1), a4)),
  );
  const ucut = (n: number) => both(dgram.subarray(0, 34 + n), LinkType.ETHERNET, dgram.length);
  assert.equal([ucut(4).udp, ucut(4).error], [{ sport: 5353, dport: 53, payload: 0 }, {
    layer: "udp",
    code: "truncated",
    offset: 34,
  }]);
  assert.match(line(ucut(4)), /: UDP \[\|udp\] length/);
  assert.equal(ucut(7).udp?.len, 37);
  assert.is(ucut(8 + 3).dns, undefined);
  assert.equal(ucut(8 + 7).dns, { id: 0x1234, qr: false, opcode: 0, rcode: 0, qdcount: 1 });
  assert.equal(ucut(8 + 12).dns?.arcount, 0);
  assert.is(ucut(8 + 12).error, undefined, "a question the snap length cut is not an error");
});

test("decodeFrame() checks TCP and UDP over IPv6 against the routing header's final destination", () => {
  const hop = "2001:db8::aa", last = "2001:db8::ff";
  const rh0 = (left: number, next: number) => new Uint8Array([next, 2, 0, left, 0, 0, 0, 0, ...ip6(last)]);
  const srh = (left: number, next: number) =>
    new Uint8Array([next, 4, 4, left, 1, 0, 0, 0, ...ip6(last), ...ip6("2001:db8::bb")]);
  const verdict = (rh: (left: number, next: number) => Uint8Array, left: number, over: string, proto: number) => {
    const ip = { v: 6 as const, src: a6.src, dst: over };
    const l4 = proto === IpProtocol.UDP ? udp(1, 2, text("abc"), ip) : tcp({ sport: 1, dport: 2 }, text("abc"), ip);
    const r = both(
      ethernet(
        M2,
        M1,
        EtherType.IPV6,
        ipv6({ src: a6.src, dst: hop, next: IpProtocol.ROUTING, ext: [rh(left, proto)] }, l4),
      ),
    );
    return (r.udp ?? r.tcp)?.checksumOk;
  };
  // Segments left: the final destination is in the list (RFC 8200 §8.1), last for type 0,
  // first for segment routing; none left: the fixed header's destination is the final one.
  assert.equal([verdict(rh0, 1, last, IpProtocol.UDP), verdict(rh0, 1, hop, IpProtocol.UDP)], [true, false]);
  assert.equal([verdict(rh0, 0, hop, IpProtocol.TCP), verdict(rh0, 0, last, IpProtocol.TCP)], [true, false]);
  assert.equal([verdict(srh, 1, last, IpProtocol.TCP), verdict(srh, 1, hop, IpProtocol.TCP)], [true, false]);
  assert.equal([verdict(srh, 0, hop, IpProtocol.UDP), verdict(srh, 0, last, IpProtocol.UDP)], [true, false]);
});

test("decodeFrame() decodes the packet an ICMP or ICMPv6 error quotes, and the text line words it as tcpdump", async () => {
  const { packetLine } = await importPrivate<typeof import("../../src/packet/_text.ts")>("packet/_text");
  const line = (r: PacketRecord) => packetLine({ ...r, n: 1, sec: 0, nsec: 0 });
  const router = { v: 4 as const, src: "10.9.9.9", dst: a4.src };
  const quoted = ipv4({ ...a4, proto: IpProtocol.UDP }, udp(5353, 53, text("query"), a4));
  const icmpError = (type: number, code: number, rest: number[], body: Uint8Array) =>
    both(
      ethernet(
        M2,
        M1,
        EtherType.IPV4,
        ipv4({ ...router, proto: IpProtocol.ICMP }, concat([type, code, 0, 0], rest, body)),
      ),
    );
  const port = icmpError(3, 3, [0, 0, 0, 0], quoted);
  assert.equal(port.icmp, {
    type: 3,
    code: 3,
    quote: { v: 4, src: a4.src, dst: a4.dst, proto: IpProtocol.UDP, sport: 5353, dport: 53 },
  });
  assert.match(line(port), /ICMP 10\.4\.5\.6 udp port 53 unreachable length/);
  assert.match(line(icmpError(3, 1, [0, 0, 0, 0], quoted)), /ICMP host 10\.4\.5\.6 unreachable length/);
  assert.match(
    line(icmpError(3, 4, [0, 0, 5, 0xdc], quoted)),
    /ICMP 10\.4\.5\.6 unreachable - need to frag \(mtu 1500\)/,
  );
  assert.match(line(icmpError(11, 0, [0, 0, 0, 0], quoted)), /ICMP time exceeded in-transit length/);
  assert.match(line(icmpError(5, 1, ip4("10.9.9.1"), quoted)), /ICMP redirect 10\.4\.5\.6 to host 10\.9\.9\.1 length/);
  assert.match(line(icmpError(12, 0, [8, 0, 0, 0], quoted)), /ICMP parameter problem - octet 8 length/);
  // Only the IP header quoted: no ports; too little even for it: no quote.
  assert.equal(icmpError(3, 3, [0, 0, 0, 0], quoted.subarray(0, 22)).icmp?.quote?.dport, undefined);
  assert.is(icmpError(3, 3, [0, 0, 0, 0], quoted.subarray(0, 19)).icmp?.quote, undefined);
  assert.is(icmpError(0, 0, [0, 1, 0, 1], quoted).icmp?.quote, undefined, "an echo reply quotes nothing");

  const q6 = ipv6({ ...a6, next: IpProtocol.TCP }, tcp({ sport: 40000, dport: 443 }, text(""), a6));
  const icmp6Error = (type: number, code: number, rest: number[]) =>
    both(
      ethernet(
        M2,
        M1,
        EtherType.IPV6,
        ipv6({ src: "2001:db8::9", dst: a6.src, next: IpProtocol.ICMPV6 }, concat([type, code, 0, 0], rest, q6)),
      ),
    );
  const unreachable6 = icmp6Error(1, 4, [0, 0, 0, 0]);
  assert.equal(unreachable6.icmp6?.quote, { v: 6, src: a6.src, dst: a6.dst, proto: 6, sport: 40000, dport: 443 });
  assert.match(line(unreachable6), /ICMP6 destination unreachable, unreachable port, 2001:db8::2 tcp port 443 length/);
  assert.match(line(icmp6Error(2, 0, be32(1280))), /ICMP6 packet too big, mtu 1280 length/);
  assert.match(line(icmp6Error(3, 0, [0, 0, 0, 0])), /ICMP6 time exceeded in-transit for 2001:db8::2 length/);
  assert.match(line(icmp6Error(4, 1, be32(40))), /ICMP6 parameter problem, next header - octet 40 length/);
});

test("decodeFrame() gives the checksum field, and the text line marks a wrong one as tcpdump -v does", async () => {
  const { packetLine } = await importPrivate<typeof import("../../src/packet/_text.ts")>("packet/_text");
  const seg = udp(7, 9, text("odd"), a4, { badChecksum: true });
  const r = both(ethernet(M2, M1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.UDP }, seg)));
  assert.equal([r.udp?.checksumOk, r.udp?.checksum], [false, (seg[6] << 8) | seg[7]]);
  const hex = ((seg[6] << 8) | seg[7]).toString(16).padStart(4, "0");
  assert.match(packetLine({ ...r, n: 1 }), new RegExp(`UDP len 3 \\[bad udp cksum 0x${hex}!\\] length \\d+$`));
  const good = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV4,
      ipv4({ ...a4, proto: IpProtocol.TCP }, tcp({ sport: 1, dport: 2 }, text("x"), a4)),
    ),
  );
  assert.is(good.tcp?.checksumOk, true);
  assert.not.match(packetLine({ ...good, n: 1 }), /cksum/);
});

test("decodeFrame() handles IPv4 fragments: transport only in the first, no checksum verdict", () => {
  const payload = tcp({ sport: 80, dport: 81 }, text("0123456789abcdef"), a4);
  const first = both(
    ethernet(M2, M1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.TCP, mf: true, id: 9 }, payload)),
  );
  assert.is(first.tcp?.sport, 80);
  assert.is(first.tcp?.checksumOk, undefined);
  const later = both(
    ethernet(M2, M1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.TCP, fragOffset: 1480, id: 9 }, payload)),
  );
  assert.is(later.tcp, undefined);
  assert.equal(later.ip && later.ip.v === 4 ? [later.ip.fragOffset, later.ip.mf] : [], [1480, false]);
  assert.is(later.error, undefined);
});

test("decodeFrame() walks IPv6 extension headers and the fragment header", () => {
  const hbh = new Uint8Array([60, 0, 1, 4, 0, 0, 0, 0]);
  const dst = new Uint8Array([44, 0, 1, 4, 0, 0, 0, 0]);
  const frag = new Uint8Array([17, 0, ...be16(0 | 1), ...be32(0xabcdef01)]);
  const r = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV6,
      ipv6({ ...a6, next: IpProtocol.HOP_BY_HOP, ext: [hbh, dst, frag], flow: 0x12345 }, udp(1, 2, text("x"), a6)),
    ),
  );
  assert.ok(r.ip?.v === 6);
  if (r.ip?.v !== 6) return;
  assert.equal(r.ip.ext, [0, 60, 44]);
  assert.equal(r.ip.frag, { offset: 0, mf: true, id: 0xabcdef01 });
  assert.is(r.ip.proto, 17);
  assert.is(r.ip.flow, 0x12345);
  assert.is(r.udp?.sport, 1);
  assert.is(r.udp?.checksumOk, undefined);
  const later = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV6,
      ipv6(
        { ...a6, next: IpProtocol.FRAGMENT, ext: [new Uint8Array([17, 0, ...be16(1480), 0, 0, 0, 1])] },
        text("more data"),
      ),
    ),
  );
  assert.is(later.udp, undefined);
  assert.is(later.ip?.v === 6 && later.ip.frag?.offset, 1480);
  // Routing (43, length in 8-byte units) then AH (51, length in 4-byte units minus 2).
  const routing = new Uint8Array([51, 0, 0, 0, 0, 0, 0, 0]);
  const ah = new Uint8Array(24);
  ah[0] = 6;
  ah[1] = 4;
  const viaAh = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV6,
      ipv6({ ...a6, next: IpProtocol.ROUTING, ext: [routing, ah] }, tcp({ sport: 7, dport: 8 }, text("x"), a6)),
    ),
  );
  assert.equal(viaAh.ip?.v === 6 ? [viaAh.ip.ext, viaAh.ip.proto] : [], [[43, 51], 6]);
  assert.is(viaAh.tcp?.sport, 7);
  assert.is(viaAh.tcp?.payload, 1);
  const many = Array.from({ length: 9 }, () => new Uint8Array([60, 0, 1, 4, 0, 0, 0, 0]));
  const loop = both(
    ethernet(M2, M1, EtherType.IPV6, ipv6({ ...a6, next: IpProtocol.DEST_OPTS, ext: many }, new Uint8Array(8))),
  );
  assert.equal(loop.error, { layer: "ipv6", code: "too-many-headers", offset: 14 + 40 + 64 });
});

test("decodeFrame() reads the link types: SLL, SLL2, NULL (both orders), LOOP, raw, unsupported", () => {
  const ip = ipv4({ ...a4, proto: IpProtocol.ICMP }, icmpEcho(0, 0));
  const sll = both(concat(be16(0), be16(1), be16(6), mac(M1), [0, 0], be16(EtherType.IPV4), ip), LinkType.LINUX_SLL);
  assert.equal([sll.link, sll.icmp?.type, sll.eth], ["sll", 0, undefined]);
  const sll2 = both(
    concat(be16(EtherType.IPV4), [0, 0], be32(3), be16(1), [0, 6], mac(M1), [0, 0], ip),
    LinkType.LINUX_SLL2,
  );
  assert.equal([sll2.link, sll2.ip?.src], ["sll2", "10.1.2.3"]);
  assert.is(both(concat(le32(AddressFamily.INET), ip), LinkType.NULL).ip?.v, 4);
  assert.is(both(concat(be32(AddressFamily.INET), ip), LinkType.NULL).ip?.v, 4);
  const v6 = ipv6({ ...a6, next: IpProtocol.ICMPV6 }, icmpEcho(128, 0));
  for (const af of [AddressFamily.INET6_BSD, AddressFamily.INET6_FREEBSD, AddressFamily.INET6_DARWIN]) {
    assert.is(both(concat(le32(af), v6), LinkType.NULL).icmp6?.type, 128);
  }
  assert.is(both(concat(be32(AddressFamily.INET6_DARWIN), v6), LinkType.LOOP).link, "loop");
  assert.is(both(concat(be32(AddressFamily.INET6_DARWIN), v6), LinkType.LOOP).ip?.v, 6);
  for (const lt of [LinkType.RAW, LinkType.RAW_DLT12, LinkType.RAW_DLT14]) {
    assert.is(both(ip, lt).ip?.v, 4);
    assert.is(both(v6, lt).ip?.v, 6);
  }
  assert.is(both(ip, LinkType.IPV4).ip?.v, 4);
  assert.is(both(v6, LinkType.IPV6).ip?.v, 6);
  assert.equal(both(new Uint8Array([0x50, 0, 0]), LinkType.RAW).error, {
    layer: "link",
    code: "bad-version",
    offset: 0,
  });
  const other = both(new Uint8Array(20), LinkType.USER0);
  assert.equal([other.link, other.error], ["unsupported", undefined]);
});

test("decodeFrame() reports malformed packets with layer, code and offset and keeps the layers before", () => {
  const shortIp = both(ethernet(M2, M1, EtherType.IPV4, new Uint8Array(10)));
  assert.equal(shortIp.error, { layer: "ipv4", code: "truncated", offset: 14 });
  assert.ok(shortIp.eth);
  const badHl = ethernet(M2, M1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.TCP }, new Uint8Array(20)));
  badHl[14] = 0x43;
  assert.equal(both(badHl).error, { layer: "ipv4", code: "bad-header-length", offset: 14 });
  const badTotal = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV4,
      ipv4({ ...a4, proto: IpProtocol.UDP, totalLength: 500 }, udp(1, 2, text("x"), a4)),
    ),
  );
  assert.equal(badTotal.error, { layer: "ipv4", code: "bad-length", offset: 16 });
  assert.ok(badTotal.ip);
  const badOpt = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV4,
      ipv4({ ...a4, proto: IpProtocol.TCP }, tcp({ sport: 1, dport: 2, options: [2, 3, 0, 0] }, text(""), a4)),
    ),
  );
  assert.equal(badOpt.error, { layer: "tcp", code: "bad-option", offset: 34 + 20 });
  assert.is(badOpt.tcp?.sport, 1);
  const badUdp = ethernet(M2, M1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.UDP }, udp(1, 2, text("abc"), a4)));
  badUdp[34 + 5] = 4;
  assert.equal(both(badUdp).error, { layer: "udp", code: "bad-length", offset: 38 });
  const vlanCut = both(concat(mac(M2), mac(M1), be16(EtherType.VLAN), [0]));
  assert.equal(vlanCut.error, { layer: "vlan", code: "truncated", offset: 12 });
  assert.equal(both(new Uint8Array(5)).error, { layer: "link", code: "truncated", offset: 0 });
  assert.equal(both(ethernet(M2, M1, EtherType.ARP, new Uint8Array(4))).error, {
    layer: "arp",
    code: "truncated",
    offset: 14,
  });
});

test("decodeFrame() follows DNS compression pointers with loop protection", () => {
  const loop = concat(be16(1), be16(0x0100), be16(1), be16(0), be16(0), be16(0), [0xc0, 12]);
  const r = both(ethernet(M2, M1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.UDP }, udp(53, 999, loop, a4))));
  assert.equal(r.error, { layer: "dns", code: "pointer-loop", offset: 42 + 12 });
  assert.is(r.dns?.id, 1);
  const fwd = concat(be16(2), be16(0x8180), be16(1), be16(1), be16(0), be16(0), [
    3,
    ...text("www"),
    0xc0,
    22,
    0,
    1,
    0,
    1,
  ], dnsName("example.org"));
  const ok = both(ethernet(M2, M1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.UDP }, udp(53, 999, fwd, a4))));
  assert.equal([ok.dns?.qname, ok.dns?.qtype, ok.dns?.qr, ok.dns?.rcode], ["www.example.org", 1, true, 0]);
  const out = concat(be16(3), be16(0), be16(1), be16(0), be16(0), be16(0), [0xc0, 200], [0, 1]);
  assert.equal(
    both(ethernet(M2, M1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.UDP }, udp(53, 1, out, a4)))).error,
    {
      layer: "dns",
      code: "bad-pointer",
      offset: 54,
    },
  );
  const label = concat(be16(3), be16(0), be16(1), be16(0), be16(0), be16(0), [0x40, 0, 0, 1]);
  assert.equal(
    both(ethernet(M2, M1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.UDP }, udp(53, 1, label, a4)))).error?.code,
    "bad-label",
  );
  const root = both(
    ethernet(M2, M1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.UDP }, udp(1, 53, dnsQuery(4, ".", 2), a4))),
  );
  assert.is(root.dns?.qname, ".");
  const cut = both(
    ethernet(M2, M1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.UDP }, udp(1, 53, new Uint8Array(6), a4))),
  );
  assert.equal(cut.error, { layer: "dns", code: "truncated", offset: 42 });
});

test("decodeFrame() finds TLS SNI/ALPN and HTTP request lines, and ignores other payloads", () => {
  const hello = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV6,
      ipv6({ ...a6, next: IpProtocol.TCP }, tcp({ sport: 5, dport: 443 }, tlsClientHello(undefined, ["h3"]), a6)),
    ),
  );
  assert.equal(hello.tls, { alpn: ["h3"] });
  const post = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV4,
      ipv4({ ...a4, proto: IpProtocol.TCP }, tcp({ sport: 5, dport: 80 }, httpRequest("POST", "/api", undefined), a4)),
    ),
  );
  assert.equal(post.http, { method: "POST", uri: "/api", version: "HTTP/1.1" });
  const notHttp = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV4,
      ipv4({ ...a4, proto: IpProtocol.TCP }, tcp({ sport: 5, dport: 80 }, text("HELLO there\r\n"), a4)),
    ),
  );
  assert.is(notHttp.http, undefined);
  assert.is(notHttp.error, undefined);
  const ch = tlsClientHello("a.example", ["h2"]);
  const cutFrame = ethernet(
    M2,
    M1,
    EtherType.IPV4,
    ipv4({ ...a4, proto: IpProtocol.TCP }, tcp({ sport: 5, dport: 443 }, ch, a4)),
  );
  const snap = both(cutFrame.subarray(0, 54 + 20), 1, cutFrame.length);
  assert.equal([snap.tls, snap.error], [{}, undefined], "a snaplen-cut ClientHello is not an error");
  const badLen = ch.slice();
  badLen[7] = 0xff;
  const bad = both(
    ethernet(M2, M1, EtherType.IPV4, ipv4({ ...a4, proto: IpProtocol.TCP }, tcp({ sport: 5, dport: 443 }, badLen, a4))),
  );
  assert.equal(bad.error, { layer: "tls", code: "bad-length", offset: 54 + 6 });
});

test("decodeFrame() keeps IPv4-mapped IPv6 and RFC 5952 forms", () => {
  const r = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV6,
      ipv6({ src: "::ffff:c000:201", dst: "2001:db8:0:0:1:0:0:1", next: IpProtocol.NO_NEXT_HEADER }, new Uint8Array(0)),
    ),
  );
  assert.equal(r.ip?.v === 6 ? [r.ip.src, r.ip.dst] : [], ["::ffff:192.0.2.1", "2001:db8::1:0:0:1"]);
  const z = both(
    ethernet(
      M2,
      M1,
      EtherType.IPV6,
      ipv6({ src: "::", dst: "1:0:0:2:0:0:0:3", next: IpProtocol.NO_NEXT_HEADER }, new Uint8Array(0)),
    ),
  );
  assert.equal(z.ip?.v === 6 ? [z.ip.src, z.ip.dst] : [], ["::", "1:0:0:2::3"]);
});

test("decodeFrame() rejects bad arguments", () => {
  assert.throws(() => decodeFrame([1, 2] as unknown as Uint8Array, 1), (e: unknown) => e instanceof TypeError);
  assert.throws(
    () => decodeFrame(new Uint8Array(1), -1),
    (e: unknown) => e instanceof RangeError && /linktype/.test((e as Error).message),
  );
  assert.throws(
    () => decodeFrame(new Uint8Array(1), 1, { engine: "x" as "ts" }),
    (e: unknown) => e instanceof TypeError,
  );
  assert.equal(ip4("1.2.3.4"), [1, 2, 3, 4]);
});

test.run();
