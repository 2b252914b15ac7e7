/**
 * Connections as Zeek's conn.log has them, from rows of the packet table: who
 * originated, packets and bytes per direction, `conn_state` and `history`.
 *
 * What decides each field, after Zeek (its TCP analyzer's endpoint state machine and
 * the `conn_state` function of base/protocols/conn):
 * - The originator is the sender of the first packet, except that a first packet that
 *   is a SYN-ACK, or that comes from a likely server port to a port that is not one,
 *   makes its receiver the originator (history `^`).
 * - Each TCP endpoint moves through inactive, SYN sent, SYN-ACK sent, partial
 *   (midstream), established, closed (FIN) and reset (RST); `conn_state` is read off
 *   the pair of states at the end.
 * - `orig_bytes`/`resp_bytes` are payload bytes: for TCP the sequence space each side
 *   covered (so retransmissions count once), for UDP and ICMP the sum of payloads.
 * - A connection ends, and the next packet of its five-tuple starts a new row, after a
 *   quiet spell longer than Zeek's inactivity timeouts (TCP 5 minutes, others 1
 *   minute; 5 seconds once a TCP connection closed on both sides or was reset), or on a
 *   new SYN once both sides closed or one reset.
 *
 * The table is bounded: when it holds `maxConnections` and a new one arrives, the first
 * connection in its order leaves it and is reported; `evicted` counts those that had not
 * ended by then (the others had timed out or closed, and Zeek would have let them go).
 * The order is by activity: an active connection moves to its end, but at most once per
 * quarter of a table of arrivals, so the one that leaves is among the least recently
 * active (it saw no packet while the newest quarter of the table was placed).
 *
 * @module
 */
import * as L from "./_layout.ts";
import * as IpProtocol from "./_ip_protocols.ts";
import * as Tcp from "./_tcp.ts";
import { communityIdOfBytes, icmpPorts } from "./community_id.ts";

/** A TCP endpoint's state (Zeek's TCP_ENDPOINT_*). */
const INACTIVE = 0, SYN_SENT = 1, SYN_ACK_SENT = 2, PARTIAL = 3, ESTABLISHED = 4, CLOSED = 5, RESET = 6;

/** Where the addresses start in a connection's key (after protocol and two ports). */
const KEY_ADDR = 3;

/** Seconds of silence after which the next packet starts a new connection (Zeek's defaults). */
const TCP_TIMEOUT = 300, OTHER_TIMEOUT = 60, TCP_CLOSED_DELAY = 5;

/**
 * Ports a server likely listens on: a first packet from one of them to a port that is
 * not one is taken for a reply. Zeek asks the ports its analyzers registered; below
 * 1024 and these common higher ones stand for that list.
 */
const SERVER_PORTS = new Set([
  1433,
  1521,
  1883,
  3128,
  3306,
  3389,
  5060,
  5353,
  5432,
  5900,
  6379,
  8000,
  8080,
  8443,
  9200,
  11211,
  27017,
]);

function likelyServerPort(port: number): boolean {
  return (port > 0 && port < 1024) || SERVER_PORTS.has(port);
}

/** Names of IP protocols in the `proto` field (Zeek's, and IANA's for the others). */
const PROTO_NAMES: Record<number, string> = {
  1: "icmp",
  2: "igmp",
  6: "tcp",
  17: "udp",
  41: "ipv6",
  47: "gre",
  50: "esp",
  51: "ah",
  58: "icmp",
  89: "ospf",
  103: "pim",
  112: "vrrp",
  132: "sctp",
};

/** One side of a connection. */
interface Side {
  pkts: number;
  ipBytes: number;
  /** Payload bytes (UDP, ICMP, others). */
  payload: number;
  state: number;
  /** TCP: the first sequence number of the payload, unwrapped as a number; NaN until seen. */
  seqBase: number;
  /** TCP: the last sequence number seen (32-bit) and its unwrapped value. */
  seqLast: number;
  seqLastAbs: number;
  /** TCP: the highest sequence number a payload reached, relative to `seqBase`. */
  seqHigh: number;
  /** History letters already recorded (a bit per letter). */
  letters: number;
}

/** A connection being tracked. */
export interface Conn {
  /**
   * The five-tuple as text (one UTF-16 unit per 16 bits): protocol, the lower end's port,
   * the other port, the lower end's address, the other address. The addresses are kept
   * only here: a typed array per connection would cost more than the rest of it.
   */
  key: string;
  proto: number;
  /** Address length: 4 or 16. */
  alen: number;
  /** Whether the originator is the key's lower end. */
  origLow: boolean;
  origPort: number;
  respPort: number;
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
  orig: Side;
  resp: Side;
  history: string;
  /** Application protocols seen (F_DNS, F_TLS, F_HTTP bits). */
  services: number;
  /** TCP: the originator's first SYN sequence number, to tell a reused five-tuple. */
  synSeq: number;
  /** When the connection took its place in the table's order (a count of placements). */
  placed: number;
}

function newSide(): Side {
  return {
    pkts: 0,
    ipBytes: 0,
    payload: 0,
    state: INACTIVE,
    seqBase: NaN,
    seqLast: 0,
    seqLastAbs: 0,
    seqHigh: 0,
    letters: 0,
  };
}

/** The history letters (lower case; the originator's are written in upper case). */
const LETTERS = "shadfr";
const L_SYN = 0, L_SYNACK = 1, L_ACK = 2, L_DATA = 3, L_FIN = 4, L_RST = 5;

function addLetter(c: Conn, side: Side, isOrig: boolean, letter: number): void {
  if (side.letters & (1 << letter)) return;
  side.letters |= 1 << letter;
  const ch = LETTERS[letter];
  c.history += isOrig ? ch.toUpperCase() : ch;
}

/** A finished connection, as Zeek's conn.log row (its field names). */
export interface ConnRecord {
  /** Start, seconds since the epoch. */
  ts: number;
  "id.orig_h": string;
  "id.orig_p": number;
  "id.resp_h": string;
  "id.resp_p": number;
  proto: string;
  service: string | null;
  duration: number;
  orig_bytes: number;
  resp_bytes: number;
  conn_state: string;
  history: string;
  orig_pkts: number;
  orig_ip_bytes: number;
  resp_pkts: number;
  resp_ip_bytes: number;
  community_id: string;
}

/** Zeek's `conn_state` for a connection's final endpoint states. */
export function connState(c: Conn): string {
  const os = c.orig.state, rs = c.resp.state;
  if (c.proto === IpProtocol.UDP) {
    const o = c.orig.pkts > 0, r = c.resp.pkts > 0;
    return o ? (r ? "SF" : "S0") : (r ? "SHR" : "OTH");
  }
  if (c.proto !== IpProtocol.TCP) return "OTH";
  const oInactive = os === INACTIVE || os === PARTIAL;
  const rInactive = rs === INACTIVE || rs === PARTIAL;
  if (rs === RESET) {
    if (os === SYN_SENT || os === SYN_ACK_SENT || (os === RESET && tcpBytes(c.orig) === 0 && tcpBytes(c.resp) === 0)) {
      return "REJ";
    }
    return oInactive ? "RSTRH" : "RSTR";
  }
  if (os === RESET) {
    if (!rInactive) return "RSTO";
    // An originator that sent a SYN, then a RST, with nothing from the responder.
    return /^\^?S[^HAFGIQ]*R/.test(c.history) ? "RSTOS0" : "OTH";
  }
  if (rs === CLOSED && os === CLOSED) return "SF";
  if (os === CLOSED) return rInactive ? "SH" : "S2";
  if (rs === CLOSED) return oInactive ? "SHR" : "S3";
  if (os === SYN_SENT && rs === INACTIVE) return "S0";
  if (os === ESTABLISHED && rs === ESTABLISHED) return "S1";
  return "OTH";
}

function tcpBytes(side: Side): number {
  return Number.isNaN(side.seqBase) ? 0 : Math.max(0, side.seqHigh);
}

/** Moves a TCP endpoint's state for a segment it sent (after Zeek's TCP analyzer). */
function tcpStep(c: Conn, e: Side, peer: Side, isOrig: boolean, flags: number, len: number): void {
  const syn = (flags & Tcp.SYN) !== 0, ack = (flags & Tcp.ACK) !== 0;
  const fin = (flags & Tcp.FIN) !== 0, rst = (flags & Tcp.RST) !== 0;
  switch (e.state) {
    case INACTIVE:
      if (syn) {
        if (isOrig) e.state = ack ? SYN_ACK_SENT : SYN_SENT;
        else {
          if (peer.state === SYN_SENT) peer.state = ESTABLISHED;
          e.state = ESTABLISHED;
        }
      }
      if (fin) e.state = CLOSED;
      if (rst) e.state = RESET;
      if (e.state === INACTIVE) {
        // An ACK of the initial SYN before the SYN-ACK forms no partial connection.
        if (!isOrig && len === 0 && c.orig.state === SYN_SENT) break;
        // A pure ACK after a SYN-ACK whose SYN was missed establishes the connection.
        e.state = ack && peer.state === ESTABLISHED ? ESTABLISHED : PARTIAL;
      }
      break;
    case SYN_SENT:
    case SYN_ACK_SENT:
      if (fin) e.state = CLOSED;
      if (rst) e.state = RESET;
      break;
    case ESTABLISHED:
    case PARTIAL:
      if (syn && e.state === PARTIAL && peer.state === INACTIVE && !ack) e.state = SYN_SENT;
      if (fin && !rst) {
        e.state = CLOSED;
      }
      if (rst) e.state = RESET;
      break;
    case CLOSED:
      if (rst && peer.state !== CLOSED) e.state = RESET;
      break;
  }
}

/**
 * A connection's key (see `Conn.key`), made in one call: building it a piece at a time
 * made the strings (and the garbage) that dominated the time per packet.
 */
function flowKey(b: Uint8Array, proto: number, loPort: number, hiPort: number, lo: number, hi: number, alen: number) {
  const w = (o: number) => (b[o] << 8) | b[o + 1];
  if (alen === 4) return String.fromCharCode(proto, loPort, hiPort, w(lo), w(lo + 2), w(hi), w(hi + 2));
  return String.fromCharCode(
    proto,
    loPort,
    hiPort,
    w(lo),
    w(lo + 2),
    w(lo + 4),
    w(lo + 6),
    w(lo + 8),
    w(lo + 10),
    w(lo + 12),
    w(lo + 14),
    w(hi),
    w(hi + 2),
    w(hi + 4),
    w(hi + 6),
    w(hi + 8),
    w(hi + 10),
    w(hi + 12),
    w(hi + 14),
  );
}

/** Whether a connection is over by the time `sec.nsec`: Zeek would have removed it. */
function expired(c: Conn, sec: number, nsec: number): boolean {
  const quiet = sec - c.lastSec + (nsec - c.lastNsec) / 1e9;
  if (c.proto !== IpProtocol.TCP) return quiet > OTHER_TIMEOUT;
  return quiet > (tcpOver(c) ? TCP_CLOSED_DELAY : TCP_TIMEOUT);
}

/** Whether a TCP connection closed on both sides or was reset. */
function tcpOver(c: Conn): boolean {
  const o = c.orig.state, r = c.resp.state;
  return (o === CLOSED && r === CLOSED) || o === RESET || r === RESET;
}

/** Options of {@linkcode ConnTracker}. */
export interface ConnTrackerOptions {
  maxConnections: number;
  communityIdSeed: number;
  /** Receives each connection as it ends. */
  onEnd: (c: Conn) => void;
}

/** Tracks connections over rows of the packet table. */
export class ConnTracker {
  /** Connections ended early because the table was full. */
  evicted = 0;
  /** IP packets that belong to no connection (later fragments, a cut transport header). */
  unattributed = 0;
  private readonly conns = new Map<string, Conn>();
  /** Connections placed at the end of the table's order so far. */
  private placements = 0;
  private readonly options: ConnTrackerOptions;

  constructor(options: ConnTrackerOptions) {
    this.options = options;
  }

  /** Adds rows `[0, n)` of table `t`, whose offsets index into `b`. */
  addRows(t: Int32Array, b: Uint8Array, n: number): void {
    for (let r = 0; r < n; r++) this.addRow(t, r * L.NCOLS, b);
  }

  private addRow(t: Int32Array, base: number, b: Uint8Array): void {
    const f = t[base + L.C_FLAGS];
    if ((f & (L.F_IP4 | L.F_IP6)) === 0) return;
    const p = t[base + L.C_DATA];
    const l3 = p + t[base + L.C_L3OFF];
    const l4off = t[base + L.C_L4OFF];
    const caplen = t[base + L.C_CAPLEN];
    const proto = t[base + L.C_PROTO];
    if (l4off === 0) {
      this.unattributed++;
      return;
    }
    const l4 = p + l4off;
    const known = proto === IpProtocol.TCP || proto === IpProtocol.UDP || proto === IpProtocol.ICMP ||
      proto === IpProtocol.ICMPV6;
    if (known && (f & (L.F_TCP | L.F_UDP | L.F_ICMP | L.F_ICMP6)) === 0) {
      // A transport header cut short: its ports are unknown.
      this.unattributed++;
      return;
    }
    const v6 = (f & L.F_IP6) !== 0;
    const alen = v6 ? 16 : 4;
    const sa = v6 ? l3 + 8 : l3 + 12, da = sa + alen;
    const ipBytes = v6 ? 40 + ((b[l3 + 4] << 8) | b[l3 + 5]) : (b[l3 + 2] << 8) | b[l3 + 3];
    const ipEnd = l3 + ipBytes;
    let sport = 0, dport = 0, oneWay = false;
    let payload = 0;
    if (f & (L.F_TCP | L.F_UDP)) {
      sport = (b[l4] << 8) | b[l4 + 1];
      dport = (b[l4 + 2] << 8) | b[l4 + 3];
      // A snap length may cut the header after the ports: the UDP length needs 6 bytes, the
      // TCP header length 13 (F_TCPHDR); a payload that cannot be read counts as none.
      if (f & L.F_UDP) payload = l4off + 6 <= caplen ? ((b[l4 + 4] << 8) | b[l4 + 5]) - 8 : 0;
      else payload = f & L.F_TCPHDR ? ipEnd - l4 - ((b[l4 + 12] >> 4) * 4) : 0;
    } else if (f & (L.F_ICMP | L.F_ICMP6)) {
      ({ sport, dport, oneWay } = icmpPorts(proto, b[l4], b[l4 + 1]));
      payload = ipEnd - l4 - 8;
    } else if (proto === 132 && l4off + 4 <= caplen) {
      // SCTP's ports lead its common header (RFC 9260 §3.1).
      sport = (b[l4] << 8) | b[l4 + 1];
      dport = (b[l4 + 2] << 8) | b[l4 + 3];
      payload = ipEnd - l4 - 12;
    } else {
      payload = ipEnd - l4;
    }
    payload = Math.max(0, payload);
    // The key: the lower (address, port) end first, so both directions find the connection;
    // a one-way ICMP message keeps its direction (its reverse is another flow).
    let cmp = 0;
    for (let i = 0; i < alen && cmp === 0; i++) cmp = b[sa + i] - b[da + i];
    if (cmp === 0) cmp = sport - dport;
    const forward = oneWay || cmp <= 0;
    const lo = forward ? sa : da, hi = forward ? da : sa;
    const key = flowKey(b, proto, forward ? sport : dport, forward ? dport : sport, lo, hi, alen);

    const sec = t[base + L.C_SECHI] * 4294967296 + (t[base + L.C_SECLO] >>> 0);
    const nsec = t[base + L.C_NSEC];
    // Flags and sequence number only where the header was captured that far (F_TCPHDR);
    // a segment with its ports alone counts in packets and bytes but moves no TCP state.
    const tcpHeader = (f & L.F_TCPHDR) !== 0;
    const tcpFlags = tcpHeader ? b[l4 + 13] : 0;
    const tcpSeq = tcpHeader ? ((b[l4 + 4] << 24) | (b[l4 + 5] << 16) | (b[l4 + 6] << 8) | b[l4 + 7]) >>> 0 : 0;
    let c = this.conns.get(key);
    if (c) {
      if (expired(c, sec, nsec) || this.reused(c, tcpFlags, tcpSeq)) {
        this.end(c);
        c = undefined;
      } else if (this.placements - c.placed > this.conns.size >> 2) {
        // Recently active last, so the first in the map is the one to evict. Moving a
        // connection costs a delete and an insert, the largest cost per packet, so it moves
        // only once a quarter of the table has been placed after it.
        this.conns.delete(key);
        this.conns.set(key, c);
        c.placed = ++this.placements;
      }
    }
    if (!c) {
      if (this.conns.size >= this.options.maxConnections) {
        const [oldest] = this.conns.values();
        if (!expired(oldest, sec, nsec)) this.evicted++;
        this.end(oldest);
      }
      const synAck = (tcpFlags & (Tcp.SYN | Tcp.ACK)) === (Tcp.SYN | Tcp.ACK);
      const flip = !oneWay &&
        (proto === IpProtocol.TCP && synAck ||
          (!(tcpFlags & Tcp.SYN) && (proto === IpProtocol.TCP || proto === IpProtocol.UDP) &&
            likelyServerPort(sport) && !likelyServerPort(dport)));
      c = {
        key,
        proto,
        alen,
        // The originator is the sender unless flipped; the lower end is the sender when forward.
        origLow: flip !== forward,
        origPort: flip ? dport : sport,
        respPort: flip ? sport : dport,
        firstSec: sec,
        firstNsec: nsec,
        lastSec: sec,
        lastNsec: nsec,
        orig: newSide(),
        resp: newSide(),
        history: flip ? "^" : "",
        services: 0,
        synSeq: NaN,
        placed: ++this.placements,
      };
      this.conns.set(key, c);
    }
    if (sec > c.lastSec || (sec === c.lastSec && nsec > c.lastNsec)) {
      c.lastSec = sec;
      c.lastNsec = nsec;
    }
    let isOrig = sport === c.origPort;
    if (sport === dport || isOrig) {
      isOrig = true;
      const origAt = KEY_ADDR + (c.origLow ? 0 : alen >> 1);
      for (let i = 0; i < alen; i += 2) {
        if (((b[sa + i] << 8) | b[sa + i + 1]) !== c.key.charCodeAt(origAt + (i >> 1))) {
          isOrig = false;
          break;
        }
      }
    }
    const side = isOrig ? c.orig : c.resp, peer = isOrig ? c.resp : c.orig;
    side.pkts++;
    side.ipBytes += ipBytes;
    c.services |= f & (L.F_DNS | L.F_TLS | L.F_HTTP);
    if (tcpHeader) {
      this.tcpPacket(c, side, peer, isOrig, tcpFlags, tcpSeq, payload);
    } else {
      side.payload += payload;
      if (f & L.F_UDP && payload > 0) {
        // Zeek's UDP history: D/d for a datagram with payload.
        addLetter(c, side, isOrig, L_DATA);
      }
    }
  }

  /** Whether a SYN shows the five-tuple used again by a new connection. */
  private reused(c: Conn, flags: number, seq: number): boolean {
    if ((flags & (Tcp.SYN | Tcp.ACK)) !== Tcp.SYN) return false;
    return tcpOver(c) && seq !== c.synSeq;
  }

  private tcpPacket(c: Conn, side: Side, peer: Side, isOrig: boolean, flags: number, seq: number, len: number): void {
    const syn = (flags & Tcp.SYN) !== 0;
    if (syn && isOrig && !(flags & Tcp.ACK) && Number.isNaN(c.synSeq)) c.synSeq = seq;
    // Sequence space: unwrap the 32-bit number against the last one seen.
    if (Number.isNaN(side.seqBase) || syn) {
      if (Number.isNaN(side.seqBase)) {
        side.seqBase = syn ? seq + 1 : seq;
        side.seqLastAbs = seq;
      }
    } else {
      side.seqLastAbs += (seq - side.seqLast) | 0;
    }
    side.seqLast = seq;
    if (len > 0) {
      const end = side.seqLastAbs + (syn ? 1 : 0) + len - side.seqBase;
      if (end > side.seqHigh) side.seqHigh = end;
    }
    tcpStep(c, side, peer, isOrig, flags, len);
    if (flags & Tcp.SYN) addLetter(c, side, isOrig, flags & Tcp.ACK ? L_SYNACK : L_SYN);
    else if (flags & Tcp.ACK && len === 0 && !(flags & (Tcp.FIN | Tcp.RST))) addLetter(c, side, isOrig, L_ACK);
    if (len > 0) addLetter(c, side, isOrig, L_DATA);
    if (flags & Tcp.FIN) addLetter(c, side, isOrig, L_FIN);
    if (flags & Tcp.RST) addLetter(c, side, isOrig, L_RST);
  }

  private end(c: Conn): void {
    this.conns.delete(c.key);
    this.options.onEnd(c);
  }

  /** Ends every connection still open, earliest start first. */
  finish(): void {
    const open = [...this.conns.values()].sort((x, y) => x.firstSec - y.firstSec || x.firstNsec - y.firstNsec);
    this.conns.clear();
    for (const c of open) this.options.onEnd(c);
  }

  /** The conn.log row of a connection. */
  record(c: Conn, addressText: (b: Uint8Array, o: number, alen: number) => string): ConnRecord {
    // Originator's address, then the responder's, back from the key.
    const addrs = new Uint8Array(2 * c.alen);
    const half = c.alen >> 1;
    for (let i = 0; i < half; i++) {
      const o = c.key.charCodeAt(KEY_ADDR + (c.origLow ? 0 : half) + i);
      const r = c.key.charCodeAt(KEY_ADDR + (c.origLow ? half : 0) + i);
      addrs[2 * i] = o >> 8;
      addrs[2 * i + 1] = o & 255;
      addrs[c.alen + 2 * i] = r >> 8;
      addrs[c.alen + 2 * i + 1] = r & 255;
    }
    const tcp = c.proto === IpProtocol.TCP;
    const services: string[] = [];
    if (c.services & L.F_DNS) services.push("dns");
    if (c.services & L.F_TLS) services.push("ssl");
    if (c.services & L.F_HTTP) services.push("http");
    return {
      ts: c.firstSec + c.firstNsec / 1e9,
      "id.orig_h": addressText(addrs, 0, c.alen),
      "id.orig_p": c.origPort,
      "id.resp_h": addressText(addrs, c.alen, c.alen),
      "id.resp_p": c.respPort,
      proto: PROTO_NAMES[c.proto] ?? String(c.proto),
      service: services.length ? services.join(",") : null,
      duration: c.lastSec - c.firstSec + (c.lastNsec - c.firstNsec) / 1e9,
      orig_bytes: tcp ? tcpBytes(c.orig) : c.orig.payload,
      resp_bytes: tcp ? tcpBytes(c.resp) : c.resp.payload,
      conn_state: connState(c),
      history: c.history,
      orig_pkts: c.orig.pkts,
      orig_ip_bytes: c.orig.ipBytes,
      resp_pkts: c.resp.pkts,
      resp_ip_bytes: c.resp.ipBytes,
      community_id: communityIdOfBytes(
        c.proto,
        addrs,
        0,
        c.alen,
        c.alen,
        c.origPort,
        c.respPort,
        this.options.communityIdSeed,
      ),
    };
  }
}
