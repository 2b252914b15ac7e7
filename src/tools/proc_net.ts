import { ipv4Text, ipv6Text } from "../packet/_format.ts";

/** The socket tables of Linux's `/proc/net`. */
export type SocketProtocol = "tcp" | "tcp6" | "udp" | "udp6";

/** One socket, as a line of `/proc/net/{tcp,tcp6,udp,udp6}` describes it. */
export interface SocketEntry {
  /** Which table the line came from. */
  protocol: SocketProtocol;
  /** The state in `ss` terms: `LISTEN`, `ESTAB`, `TIME-WAIT` …; `UNCONN` for unconnected UDP. */
  state: string;
  /** Local address in text form (IPv6 in RFC 5952 form). */
  localAddress: string;
  /** Local port. */
  localPort: number;
  /** Peer address in text form (`0.0.0.0` / `::` when none). */
  peerAddress: string;
  /** Peer port (0 when none). */
  peerPort: number;
  /** Bytes queued for receiving (for TCP listeners: connections waiting to be accepted). */
  recvQueue: number;
  /** Bytes queued for sending. */
  sendQueue: number;
  /** The owning user id. */
  uid: number;
  /** The socket's inode, which links it to the processes holding it. */
  inode: number;
}

// include/net/tcp_states.h; names as `ss` prints them.
const TCP_STATES: Record<number, string> = {
  0x01: "ESTAB",
  0x02: "SYN-SENT",
  0x03: "SYN-RECV",
  0x04: "FIN-WAIT-1",
  0x05: "FIN-WAIT-2",
  0x06: "TIME-WAIT",
  0x07: "CLOSE",
  0x08: "CLOSE-WAIT",
  0x09: "LAST-ACK",
  0x0a: "LISTEN",
  0x0b: "CLOSING",
  0x0c: "SYN-RECV", // TCP_NEW_SYN_RECV: a request socket, shown as SYN-RECV by ss
};

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The kernel prints each 32-bit word of an address as the host-order integer, in hex, so
 * on a little-endian machine the bytes of every word come out reversed.
 */
function addressBytes(hex: string): Uint8Array {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const part = [0, 2, 4, 6].map((i) => parseInt(hex.slice(word + i, word + i + 2), 16));
    bytes.push(...(littleEndianHost ? part.reverse() : part));
  }
  return Uint8Array.from(bytes);
}

function endpoint(text: string, where: string): { address: string; port: number } {
  const [hex, portHex] = text.split(":");
  if (
    !portHex || !/^[0-9A-Fa-f]+$/.test(hex) || !/^[0-9A-Fa-f]{1,4}$/.test(portHex) ||
    (hex.length !== 8 && hex.length !== 32)
  ) {
    throw new SyntaxError(`Cannot parse ${where}: malformed address '${text}'`);
  }
  const bytes = addressBytes(hex);
  return { address: bytes.length === 4 ? ipv4Text(bytes, 0) : ipv6Text(bytes, 0), port: parseInt(portHex, 16) };
}

/**
 * Parses one `/proc/net/{tcp,tcp6,udp,udp6}` table.
 *
 * @param text The file's contents, header line included.
 * @param protocol Which table it is (UDP states mean something else than TCP ones).
 * @returns One entry per socket line.
 * @throws {SyntaxError} When a line does not have the kernel's layout; the message names
 * the line.
 * @example A listening socket on 127.0.0.1:65432
 * ```ts
 * import { parseProcNetTable } from "anynet/tools";
 * const table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
 *   "   0: 0100007F:FF98 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n";
 * const [entry] = parseProcNetTable(table, "tcp");
 * console.assert(entry.state === "LISTEN" && entry.localPort === 65432);
 * ```
 */
export function parseProcNetTable(text: string, protocol: SocketProtocol): SocketEntry[] {
  const entries: SocketEntry[] = [];
  const lines = text.split("\n");
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n].trim();
    if (!line) continue;
    const where = `/proc/net/${protocol} line ${n + 1}`;
    const fields = line.split(/\s+/);
    if (fields.length < 10 || !/^\d+:$/.test(fields[0])) {
      throw new SyntaxError(`Cannot parse ${where}: expected at least 10 fields: got '${line}'`);
    }
    const local = endpoint(fields[1], where);
    const peer = endpoint(fields[2], where);
    const stateCode = parseInt(fields[3], 16);
    const [tx, rx] = fields[4].split(":").map((h) => parseInt(h, 16));
    const isUdp = protocol.startsWith("udp");
    // UDP reuses the TCP state numbers: 7 (CLOSE) is an unconnected socket, 1 a connected one.
    const state = isUdp
      ? (stateCode === 0x07 ? "UNCONN" : stateCode === 0x01 ? "ESTAB" : `STATE-${stateCode}`)
      : TCP_STATES[stateCode] ?? `STATE-${stateCode}`;
    entries.push({
      protocol,
      state,
      localAddress: local.address,
      localPort: local.port,
      peerAddress: peer.address,
      peerPort: peer.port,
      recvQueue: rx || 0,
      sendQueue: tx || 0,
      uid: Number(fields[7]),
      inode: Number(fields[9]),
    });
  }
  return entries;
}
