/**
 * Writes the benchmark capture: Ethernet frames of a realistic mix (TCP bulk data and
 * ACKs, DNS, VLAN, IPv6, ICMP, ARP, a few TLS ClientHellos and HTTP requests), snaplen
 * 256, pcap little-endian microseconds. Frames come from a pool of distinct packets
 * (valid checksums, many flows) picked at random; the file is written in even pieces.
 *
 * @module
 */
import { closeSync, openSync, writeSync } from "node:fs";
import {
  be16,
  type Bytes,
  concat,
  dnsQuery,
  ethernet,
  ethernetVlan,
  httpRequest,
  icmpEcho,
  ip4,
  ipv4,
  ipv6,
  le32,
  mac,
  rng,
  tcp,
  tlsClientHello,
  udp,
} from "../../_packet_writer.ts";

function pool(seed: number): Bytes[] {
  const next = rng(seed);
  const frames: Bytes[] = [];
  const m1 = "00:1b:21:3a:4f:01", m2 = "3c:fd:fe:9e:11:02";
  const host4 = () => `10.${next() % 4}.${next() % 256}.${1 + (next() % 250)}`;
  const host6 = () => `2001:db8:${(next() % 16).toString(16)}::${(1 + (next() % 4000)).toString(16)}`;
  const bulk = new Uint8Array(1448).map((_, i) => i * 7);
  const add = (weight: number, make: () => Bytes) => {
    for (let i = 0; i < weight; i++) frames.push(make());
  };
  const hosts4 = () => ({ v: 4 as const, src: host4(), dst: host4() });
  // An Ethernet + IPv4 + TCP frame, the most common shape here. The hosts come first, as
  // arguments, so that the random numbers are drawn in the same order as by hand.
  const tcp4 = (
    from: string,
    to: string,
    a: ReturnType<typeof hosts4>,
    ip: { df?: boolean; id?: number },
    header: Parameters<typeof tcp>[0],
    payload: Bytes,
  ) => ethernet(to, from, 0x0800, ipv4({ ...a, proto: 6, ...ip }, tcp(header, payload, a)));
  add(450, () =>
    tcp4(m1, m2, hosts4(), { df: true, id: next() & 0xffff }, {
      sport: 443,
      dport: 1024 + (next() % 60000),
      seq: next(),
      ack: next(),
      flags: 0x10,
      options: [1, 1, 8, 10, ...le32(next()), ...le32(next())],
    }, bulk));
  add(250, () =>
    tcp4(m2, m1, hosts4(), { df: true }, {
      sport: 1024 + (next() % 60000),
      dport: 443,
      seq: next(),
      ack: next(),
      flags: 0x10,
    }, new Uint8Array(0)));
  add(100, () => {
    const a = { v: 4 as const, src: host4(), dst: "10.0.0.53" };
    const names = ["www.example.com", "api.example.net", "cdn.example.org", "mail.example.com"];
    return ethernet(
      m2,
      m1,
      0x0800,
      ipv4(
        { ...a, proto: 17 },
        udp(1024 + (next() % 60000), 53, dnsQuery(next() & 0xffff, names[next() % 4], next() % 2 ? 1 : 28), a),
      ),
    );
  });
  add(50, () => {
    const a = { v: 4 as const, src: host4(), dst: host4() };
    return ethernetVlan(
      m2,
      m1,
      0x0800,
      ipv4({ ...a, proto: 17 }, udp(5000 + (next() % 100), 6000, new Uint8Array(200), a)),
      [{ tpid: 0x8100, id: 1 + (next() % 100) }],
    );
  });
  add(80, () => {
    const a = { v: 6 as const, src: host6(), dst: host6() };
    return ethernet(
      m2,
      m1,
      0x86dd,
      ipv6(
        { ...a, next: 6 },
        tcp({ sport: 443, dport: 1024 + (next() % 60000), seq: next(), flags: 0x18 }, bulk.subarray(0, 600), a),
      ),
    );
  });
  add(30, () => {
    const a = { v: 4 as const, src: host4(), dst: host4() };
    return ethernet(m2, m1, 0x0800, ipv4({ ...a, proto: 1 }, icmpEcho(8, 0, new Uint8Array(56))));
  });
  add(
    20,
    () =>
      ethernet(
        "ff:ff:ff:ff:ff:ff",
        m1,
        0x0806,
        concat(be16(1), be16(0x0800), [6, 4], be16(1), mac(m1), ip4(host4()), [0, 0, 0, 0, 0, 0], ip4(host4())),
      ),
  );
  add(10, () =>
    tcp4(
      m1,
      m2,
      hosts4(),
      {},
      { sport: 1024 + (next() % 60000), dport: 443 },
      tlsClientHello(`host${next() % 50}.example.com`, ["h2", "http/1.1"]),
    ));
  add(10, () =>
    tcp4(
      m1,
      m2,
      hosts4(),
      {},
      { sport: 1024 + (next() % 60000), dport: 80 },
      httpRequest("GET", `/item/${next() % 1000}`, "shop.example.com"),
    ));
  return frames;
}

/** Bytes per write: a multiple of 2 MiB, written at offsets that are multiples of it. */
const WRITE_SIZE = 8 << 20;

/**
 * A file written in pieces of exactly WRITE_SIZE bytes: the kernel can then keep its page
 * cache in large folios, which the C loop (it maps the file) reads far faster than a file
 * written in uneven pieces (75-90 ms against 106-134 for the 1M-packet capture, see
 * docs/benchmarks.md). Records are built in `buffer` at `o`; `done()` after each writes
 * every whole piece, and `close()` writes the rest.
 */
class PieceWriter {
  // Room past the piece for the record that crosses its end.
  readonly buffer: Uint8Array = new Uint8Array(WRITE_SIZE + (1 << 16));
  readonly view: DataView = new DataView(this.buffer.buffer);
  o = 0;
  #size = 0;
  readonly #fd: number;
  constructor(path: string) {
    this.#fd = openSync(path, "w");
  }
  /** Writes the whole pieces built so far and moves what follows them to the start. */
  done(): void {
    if (this.o < WRITE_SIZE) return;
    writeSync(this.#fd, this.buffer, 0, WRITE_SIZE);
    this.#size += WRITE_SIZE;
    this.buffer.copyWithin(0, WRITE_SIZE, this.o);
    this.o -= WRITE_SIZE;
  }
  /** Writes the rest and closes the file; returns its size in bytes. */
  close(): number {
    writeSync(this.#fd, this.buffer, 0, this.o);
    closeSync(this.#fd);
    return this.#size + this.o;
  }
}

/** Writes a capture of `count` packets to `path`; returns its size in bytes. */
export function writeBenchCapture(path: string, count: number, seed = 1): number {
  const frames = pool(seed);
  const next = rng(seed + 1);
  const out = new PieceWriter(path);
  const { buffer, view } = out;
  const header = concat(le32(0xa1b2c3d4), [2, 0, 4, 0], le32(0), le32(0), le32(256), le32(1));
  buffer.set(header);
  out.o = header.length;
  let usec = 0;
  for (let i = 0; i < count; i++) {
    const f = frames[next() % frames.length];
    const caplen = Math.min(f.length, 256);
    const o = out.o;
    usec += 1 + (next() % 20);
    view.setUint32(o, 1700000000 + Math.floor(usec / 1e6), true);
    view.setUint32(o + 4, usec % 1e6, true);
    view.setUint32(o + 8, caplen, true);
    view.setUint32(o + 12, f.length, true);
    buffer.set(f.subarray(0, caplen), o + 16);
    out.o = o + 16 + caplen;
    out.done();
  }
  return out.close();
}

/** The ten large conversations of {@linkcode writeFlowCapture}: one packet in 64 is theirs. */
export const FLOW_CAPTURE_ELEPHANTS = 10;

/**
 * Writes a capture of `flows` one-packet UDP conversations (10.0.0.0/8 sources, the
 * source port counting up every 2^24 flows, to 192.0.2.1:9) and, every 64th packet, a
 * 1500-byte packet (42 bytes captured) of one of ten large conversations from 172.16.0.x:
 * a scan or flood beside a few real transfers. Streamed to disk in even pieces; returns the
 * file's size in bytes.
 */
export function writeFlowCapture(path: string, flows: number): number {
  const src = { v: 4 as const, src: "10.0.0.0", dst: "192.0.2.1" };
  const frame = ethernet(
    "02:00:00:00:00:02",
    "02:00:00:00:00:01",
    0x0800,
    ipv4({ ...src, proto: 17 }, udp(1024, 9, new Uint8Array(0), src)),
  );
  const out = new PieceWriter(path);
  const { buffer, view } = out;
  const header = concat(le32(0xa1b2c3d4), [2, 0, 4, 0], le32(0), le32(0), le32(65535), le32(1));
  buffer.set(header);
  out.o = header.length;
  let n = 0;
  // Only the addresses and ports change from packet to packet (the checksums go stale,
  // which statistics do not look at).
  const put = (a: number, b: number, c: number, d: number, sport: number, len: number) => {
    const o = out.o;
    n++;
    view.setUint32(o, 1700000000 + Math.floor(n / 1e6), true);
    view.setUint32(o + 4, n % 1e6, true);
    view.setUint32(o + 8, frame.length, true);
    view.setUint32(o + 12, len, true);
    buffer.set(frame, o + 16);
    const ip = o + 16 + 14;
    buffer[ip + 12] = a;
    buffer[ip + 13] = b;
    buffer[ip + 14] = c;
    buffer[ip + 15] = d;
    view.setUint16(ip + 20, sport);
    out.o = o + 16 + frame.length;
    out.done();
  };
  for (let i = 0; i < flows; i++) {
    put(10, (i >>> 16) & 255, (i >>> 8) & 255, i & 255, 1024 + Math.floor(i / 16777216), frame.length);
    if (i % 64 === 0) put(172, 16, 0, 1 + ((i / 64) % FLOW_CAPTURE_ELEPHANTS), 5000, 1500);
  }
  return out.close();
}
