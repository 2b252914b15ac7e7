/**
 * The packet list's columns (Time, Source, Destination, Protocol, Info) of one decoded
 * packet, worded as `pcap decode` prints its line, so that the viewer and the command
 * line show the same thing: the Info column is that line without its number and time.
 * Runs in the viewer's worker (browser-safe).
 *
 * @module
 */
import { packetLine } from "../_text.ts";
import type { PacketRecord } from "../packet_record.ts";

/** What the packet list shows of one packet, beside its number and length. */
export interface PacketColumns {
  source: string;
  destination: string;
  protocol: string;
  info: string;
}

/** The time as `pcap decode` prints it: seconds, a dot, nine digits of nanoseconds. */
export function timeText(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, "0")}`;
}

/** The highest layer the decoder recognised, named as display filters name it (upper case). */
function protocolName(r: PacketRecord): string {
  if (r.http) return "HTTP";
  if (r.tls) return "TLS";
  if (r.dns) return "DNS";
  if (r.tcp) return "TCP";
  if (r.udp) return "UDP";
  if (r.icmp) return "ICMP";
  if (r.icmp6) return "ICMPv6";
  if (r.ip) return r.ip.v === 6 ? "IPv6" : "IPv4";
  if (r.arp) return "ARP";
  if (r.eth) return "Ethernet";
  return r.link;
}

/** The list's columns of a packet. */
export function packetColumns(r: PacketRecord): PacketColumns {
  const line = packetLine(r);
  // The line starts with the frame number and the time, each followed by one space.
  const afterTime = line.indexOf(" ", line.indexOf(" ") + 1) + 1;
  const source = r.ip?.src ?? r.arp?.spa ?? r.eth?.src ?? "";
  const destination = r.ip?.dst ?? r.arp?.tpa ?? r.eth?.dst ?? "";
  return { source, destination, protocol: protocolName(r), info: line.slice(afterTime) };
}
