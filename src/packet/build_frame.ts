/**
 * Builds Ethernet frames carrying IPv4 or IPv6 with TCP or UDP, checksums computed,
 * and whole TCP conversations (handshake, data both ways, FIN): what a capture of a
 * program's own traffic holds when the runtime cannot capture it.
 *
 * @module
 */
import { internetChecksum } from "./checksum.ts";
import * as EtherType from "./_ether_types.ts";
import { ipv4Bytes, ipv6Bytes } from "./_format.ts";
import * as IpProtocol from "./_ip_protocols.ts";
import * as Tcp from "./_tcp.ts";
import { checkIntegerRange, checkOptionsObject, refuse } from "../_argument_checks.ts";

/** An IP address (IPv4 dotted or IPv6 text) and a port. */
export interface FrameEndpoint {
  /** `"127.0.0.1"`, `"::1"` … (both ends of a frame must be of the same family). */
  hostname: string;
  /** 0 to 65535. */
  port: number;
}

/** What every frame builder takes besides the transport fields. */
export interface FrameOptions {
  /** Sender. */
  src: FrameEndpoint;
  /** Receiver. */
  dst: FrameEndpoint;
  /** The transport payload. @default {empty} */
  payload?: Uint8Array;
  /** Source MAC `aa:bb:cc:dd:ee:ff`. @default {"00:00:00:00:00:00" (Linux loopback)} */
  srcMac?: string;
  /** Destination MAC. @default {"00:00:00:00:00:00"} */
  dstMac?: string;
  /** IPv4 TTL or IPv6 hop limit. @default {64} */
  ttl?: number;
  /** IPv4 identification field (ignored for IPv6). @default {0} */
  ipId?: number;
}

/** Options of {@linkcode buildUdpFrame}. */
export type UdpFrameOptions = FrameOptions;

/** Options of {@linkcode buildTcpFrame}. */
export interface TcpFrameOptions extends FrameOptions {
  /** Sequence number. */
  seq: number;
  /** Acknowledgment number. @default {0} */
  ack?: number;
  /** Flag bits, see {@linkcode TCP_FLAGS} (`TCP_FLAGS.SYN | TCP_FLAGS.ACK`). */
  flags: number;
  /** Receive window. @default {65535} */
  window?: number;
  /** Raw TCP options, padded with zeros to a multiple of 4 bytes (at most 40). @default {none} */
  options?: Uint8Array;
}

/** TCP flag bits (RFC 9293 §3.1). */
export const TCP_FLAGS: Readonly<{ FIN: 1; SYN: 2; RST: 4; PSH: 8; ACK: 16; URG: 32 }> = Object.freeze(
  { FIN: Tcp.FIN, SYN: Tcp.SYN, RST: Tcp.RST, PSH: Tcp.PSH, ACK: Tcp.ACK, URG: Tcp.URG } as {
    FIN: 1;
    SYN: 2;
    RST: 4;
    PSH: 8;
    ACK: 16;
    URG: 32;
  },
);

/** The action every argument error here names: "Cannot build frame: …". */
const BUILD = "build frame";

function macBytes(name: string, text: string): Uint8Array {
  if (typeof text !== "string" || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(text)) {
    refuse(BUILD, `'${name}' must be a MAC address like 02:00:00:00:00:01: got ${JSON.stringify(text)}`);
  }
  return Uint8Array.from(text.split(":").map((x) => parseInt(x, 16)));
}

function checkUint(name: string, value: unknown, max: number): number {
  return checkIntegerRange(BUILD, name, value, 0, max);
}

interface Addresses {
  v6: boolean;
  src: Uint8Array;
  dst: Uint8Array;
}

function addresses(o: FrameOptions): Addresses {
  checkOptionsObject(BUILD, o);
  for (const end of ["src", "dst"] as const) {
    const e = o[end];
    if (typeof e !== "object" || e === null || typeof e.hostname !== "string") {
      refuse(BUILD, `'${end}' must be { hostname, port } with an IP address: got ${JSON.stringify(e)}`);
    }
    checkUint(`${end}.port`, e.port, 0xffff);
  }
  const src4 = ipv4Bytes(o.src.hostname), dst4 = ipv4Bytes(o.dst.hostname);
  if (src4 && dst4) return { v6: false, src: src4, dst: dst4 };
  const src6 = ipv6Bytes(o.src.hostname), dst6 = ipv6Bytes(o.dst.hostname);
  if (src6 && dst6) return { v6: true, src: src6, dst: dst6 };
  for (const [end, v4, v6] of [["src", src4, src6], ["dst", dst4, dst6]] as const) {
    if (!v4 && !v6) {
      refuse(BUILD, `'${end}.hostname' must be an IPv4 or IPv6 address: got ${JSON.stringify(o[end].hostname)}`);
    }
  }
  return refuse(BUILD, `'src' and 'dst' must both be IPv4 or both IPv6: got ${o.src.hostname} and ${o.dst.hostname}`);
}

function payloadOf(o: FrameOptions): Uint8Array {
  const payload = o.payload ?? new Uint8Array(0);
  if (!(payload instanceof Uint8Array)) refuse(BUILD, `'payload' must be a Uint8Array: got ${typeof payload}`);
  return payload;
}

/** Ethernet + IP header + the transport segment, whose checksum field (at `checksumAt`) is filled in here. */
function frame(o: FrameOptions, ip: Addresses, proto: number, segment: Uint8Array, checksumAt: number): Uint8Array {
  const ttl = checkUint("ttl", o.ttl ?? 64, 255);
  const ipId = checkUint("ipId", o.ipId ?? 0, 0xffff);
  const ipLen = ip.v6 ? 40 : 20;
  if (segment.length + (ip.v6 ? 0 : ipLen) > 0xffff) {
    refuse(BUILD, `the segment is ${segment.length} bytes, more than an IP packet holds`, RangeError);
  }
  const out = new Uint8Array(14 + ipLen + segment.length);
  const view = new DataView(out.buffer);
  out.set(macBytes("dstMac", o.dstMac ?? "00:00:00:00:00:00"), 0);
  out.set(macBytes("srcMac", o.srcMac ?? "00:00:00:00:00:00"), 6);
  view.setUint16(12, ip.v6 ? EtherType.IPV6 : EtherType.IPV4);

  // The TCP/UDP checksum covers a pseudo-header of the addresses, protocol and length
  // (RFC 9293 §3.1, RFC 768; RFC 8200 §8.1 for IPv6).
  const pseudo = new Uint8Array((ip.v6 ? 40 : 12) + segment.length);
  const pv = new DataView(pseudo.buffer);
  pseudo.set(ip.src, 0);
  pseudo.set(ip.dst, ip.src.length);
  if (ip.v6) {
    pv.setUint32(32, segment.length);
    pv.setUint8(39, proto);
  } else {
    pv.setUint8(9, proto);
    pv.setUint16(10, segment.length);
  }
  pseudo.set(segment, pseudo.length - segment.length);
  let sum = internetChecksum(pseudo, { engine: "ts" });
  // UDP sends a computed 0 as 0xffff: 0 means "no checksum" (RFC 768).
  if (proto === IpProtocol.UDP && sum === 0) sum = 0xffff;
  new DataView(segment.buffer, segment.byteOffset).setUint16(checksumAt, sum);

  const at = 14;
  if (ip.v6) {
    view.setUint32(at, 6 << 28);
    view.setUint16(at + 4, segment.length);
    view.setUint8(at + 6, proto);
    view.setUint8(at + 7, ttl);
    out.set(ip.src, at + 8);
    out.set(ip.dst, at + 24);
  } else {
    view.setUint8(at, 0x45);
    view.setUint16(at + 2, 20 + segment.length);
    view.setUint16(at + 4, ipId);
    view.setUint16(at + 6, 0x4000); // DF, as Linux sets it on TCP and on small UDP datagrams
    view.setUint8(at + 8, ttl);
    view.setUint8(at + 9, proto);
    out.set(ip.src, at + 12);
    out.set(ip.dst, at + 16);
    view.setUint16(at + 10, internetChecksum(out.subarray(at, at + 20), { engine: "ts" }));
  }
  out.set(segment, at + ipLen);
  return out;
}

/**
 * Builds an Ethernet frame with a UDP datagram over IPv4 or IPv6, with correct IP and
 * UDP checksums.
 *
 * @param options Ends, payload and header fields; see {@linkcode UdpFrameOptions}.
 * @returns The frame's bytes.
 * @throws {TypeError} For an address that is not an IP address or mixed families.
 * @throws {RangeError} For a port, TTL or ID out of range, or a payload too large.
 * @example A datagram to the echo port
 * ```ts
 * import { buildUdpFrame, decodeFrame } from "anynet/packet";
 * const frame = buildUdpFrame({
 *   src: { hostname: "127.0.0.1", port: 40000 },
 *   dst: { hostname: "127.0.0.1", port: 65432 },
 *   payload: new TextEncoder().encode("ping"),
 * });
 * console.assert(decodeFrame(frame, 1).udp?.checksumOk === true);
 * ```
 */
export function buildUdpFrame(options: UdpFrameOptions): Uint8Array {
  const ip = addresses(options);
  const payload = payloadOf(options);
  if (payload.length > 0xffff - 8) {
    refuse(BUILD, `a UDP payload holds at most 65527 bytes: got ${payload.length}`, RangeError);
  }
  const segment = new Uint8Array(8 + payload.length);
  const view = new DataView(segment.buffer);
  view.setUint16(0, options.src.port);
  view.setUint16(2, options.dst.port);
  view.setUint16(4, segment.length);
  segment.set(payload, 8);
  return frame(options, ip, IpProtocol.UDP, segment, 6);
}

/**
 * Builds an Ethernet frame with a TCP segment over IPv4 or IPv6, with correct IP and
 * TCP checksums.
 *
 * @param options Ends, sequence numbers, flags, window, options and payload; see {@linkcode TcpFrameOptions}.
 * @returns The frame's bytes.
 * @throws {TypeError} For an address that is not an IP address or mixed families.
 * @throws {RangeError} For a number out of range or TCP options longer than 40 bytes.
 * @example A SYN
 * ```ts
 * import { buildTcpFrame, decodeFrame, TCP_FLAGS } from "anynet/packet";
 * const frame = buildTcpFrame({
 *   src: { hostname: "127.0.0.1", port: 40000 },
 *   dst: { hostname: "127.0.0.1", port: 65432 },
 *   seq: 1000,
 *   flags: TCP_FLAGS.SYN,
 * });
 * console.assert(decodeFrame(frame, 1).tcp?.flags === TCP_FLAGS.SYN);
 * ```
 */
export function buildTcpFrame(options: TcpFrameOptions): Uint8Array {
  const ip = addresses(options);
  const payload = payloadOf(options);
  const seq = checkUint("seq", options.seq, 0xffffffff);
  const ack = checkUint("ack", options.ack ?? 0, 0xffffffff);
  const flags = checkUint("flags", options.flags, 0xff);
  const window = checkUint("window", options.window ?? 65535, 0xffff);
  const tcpOptions = options.options ?? new Uint8Array(0);
  if (!(tcpOptions instanceof Uint8Array)) refuse(BUILD, `'options' must be a Uint8Array: got ${typeof tcpOptions}`);
  if (tcpOptions.length > 40) {
    refuse(BUILD, `TCP options take at most 40 bytes: got ${tcpOptions.length}`, RangeError);
  }
  const headerLen = 20 + Math.ceil(tcpOptions.length / 4) * 4;
  const segment = new Uint8Array(headerLen + payload.length);
  const view = new DataView(segment.buffer);
  view.setUint16(0, options.src.port);
  view.setUint16(2, options.dst.port);
  view.setUint32(4, seq);
  view.setUint32(8, ack);
  view.setUint8(12, (headerLen / 4) << 4);
  view.setUint8(13, flags);
  view.setUint16(14, window);
  segment.set(tcpOptions, 20);
  segment.set(payload, headerLen);
  return frame(options, ip, IpProtocol.TCP, segment, 16);
}

/** One message of a {@linkcode buildTcpConversation}. */
export interface TcpMessage {
  /** Who sends it. */
  from: "client" | "server";
  /** What it sends. */
  data: Uint8Array;
}

/** Options of {@linkcode buildTcpConversation}. */
export interface TcpConversationOptions {
  /** The end that connects. */
  client: FrameEndpoint;
  /** The end that listens. */
  server: FrameEndpoint;
  /** The data, in the order it was sent. @default {none} */
  messages?: readonly TcpMessage[];
  /** Who sends the first FIN. @default {"client"} */
  closedBy?: "client" | "server";
  /** Largest payload per segment; longer messages are split. @default {65495 (loopback's MSS, as the SYN offers)} */
  mss?: number;
  /** The client's and server's initial sequence numbers. @default {random} */
  clientIsn?: number;
  serverIsn?: number;
}

/**
 * Builds the frames of a whole TCP connection: the three-way handshake (SYN with MSS
 * and SACK-permitted options), each message as PSH/ACK segments answered by an ACK, and
 * the close (FIN/ACK, FIN/ACK, ACK), with sequence and acknowledgment numbers and IP IDs
 * that follow from each other, as a capture on the loopback interface shows it.
 *
 * @param options Ends, messages and who closes; see {@linkcode TcpConversationOptions}.
 * @returns The frames in order (Ethernet), ready for {@linkcode writePcap}.
 * @throws {TypeError | RangeError} For bad ends, messages or numbers.
 * @example An echo exchange
 * ```ts
 * import { buildTcpConversation } from "anynet/packet";
 * const hello = new TextEncoder().encode("hello");
 * const frames = buildTcpConversation({
 *   client: { hostname: "127.0.0.1", port: 40000 },
 *   server: { hostname: "127.0.0.1", port: 65432 },
 *   messages: [{ from: "client", data: hello }, { from: "server", data: hello }],
 * });
 * console.assert(frames.length === 10);
 * ```
 */
export function buildTcpConversation(options: TcpConversationOptions): Uint8Array[] {
  checkOptionsObject(BUILD, options);
  const mss = checkIntegerRange(BUILD, "mss", options.mss ?? 65495, 1, 65495);
  const random = () => crypto.getRandomValues(new Uint32Array(1))[0];
  const ends = {
    client: {
      addr: options.client,
      seq: checkUint("clientIsn", options.clientIsn ?? random(), 0xffffffff),
      ipId: random() & 0xffff,
    },
    server: {
      addr: options.server,
      seq: checkUint("serverIsn", options.serverIsn ?? random(), 0xffffffff),
      ipId: random() & 0xffff,
    },
  };
  type Side = keyof typeof ends;
  const other = (side: Side): Side => (side === "client" ? "server" : "client");
  const frames: Uint8Array[] = [];
  const send = (side: Side, flags: number, payload?: Uint8Array, tcpOptions?: Uint8Array) => {
    const me = ends[side], peer = ends[other(side)];
    frames.push(buildTcpFrame({
      src: me.addr,
      dst: peer.addr,
      seq: me.seq,
      ack: flags & TCP_FLAGS.ACK ? peer.seq : 0,
      flags,
      options: tcpOptions,
      payload,
      ipId: me.ipId,
    }));
    me.ipId = (me.ipId + 1) & 0xffff;
    // SYN and FIN take one sequence number each (RFC 9293 §3.4).
    const used = (payload?.length ?? 0) + (flags & TCP_FLAGS.SYN ? 1 : 0) + (flags & TCP_FLAGS.FIN ? 1 : 0);
    me.seq = (me.seq + used) >>> 0;
  };
  const { SYN, ACK, PSH, FIN } = TCP_FLAGS;
  // MSS 65495, NOP, NOP, SACK permitted: what Linux offers on loopback, less timestamps.
  const synOptions = Uint8Array.of(
    Tcp.OPT_MSS,
    Tcp.OPT_MSS_LEN,
    0xff,
    0xd7,
    Tcp.OPT_NOP,
    Tcp.OPT_NOP,
    Tcp.OPT_SACK_PERM,
    Tcp.OPT_SACK_PERM_LEN,
  );
  send("client", SYN, undefined, synOptions);
  send("server", SYN | ACK, undefined, synOptions);
  send("client", ACK);
  for (const [i, message] of (options.messages ?? []).entries()) {
    if (typeof message !== "object" || message === null || (message.from !== "client" && message.from !== "server")) {
      refuse(BUILD, `messages[${i}] must be { from: "client" | "server", data }: got ${JSON.stringify(message)}`);
    }
    if (!(message.data instanceof Uint8Array)) {
      refuse(BUILD, `messages[${i}].data must be a Uint8Array: got ${typeof message.data}`);
    }
    for (let offset = 0; offset < message.data.length; offset += mss) {
      send(message.from, PSH | ACK, message.data.subarray(offset, offset + mss));
    }
    if (message.data.length > 0) send(other(message.from), ACK);
  }
  const closer: Side = options.closedBy ?? "client";
  if (closer !== "client" && closer !== "server") {
    refuse(BUILD, `'closedBy' must be "client" or "server": got ${JSON.stringify(closer)}`);
  }
  send(closer, FIN | ACK);
  send(other(closer), FIN | ACK);
  send(closer, ACK);
  return frames;
}
