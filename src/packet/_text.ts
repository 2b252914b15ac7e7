/**
 * One line per packet, in the spirit of `tcpdump -n`.
 *
 * @module
 */
import type { IcmpFields, IcmpQuote, PacketRecord } from "./packet_record.ts";

const TCP_FLAGS = "FSRPAUEW";

function tcpFlags(f: number): string {
  let s = "";
  for (let i = 0; i < 8; i++) if (f & (1 << i)) s += TCP_FLAGS[i];
  return s === "A" ? "." : s.replace("A", ".");
}

// tcpdump's form for both versions: address, dot, port.
function endpoint(addr: string, port: number | undefined): string {
  return port === undefined ? addr : `${addr}.${port}`;
}

// tcpdump's words for the ICMP unreachable codes that name neither a port nor an MTU.
const UNREACHABLE: Record<number, string> = {
  0: "net %s unreachable",
  1: "host %s unreachable",
  5: "%s unreachable - source route failed",
  6: "net %s unreachable - unknown",
  7: "host %s unreachable - unknown",
  8: "%s unreachable - source host isolated",
  9: "net %s unreachable - admin prohibited",
  10: "host %s unreachable - admin prohibited",
  11: "net %s unreachable - tos prohibited",
  12: "host %s unreachable - tos prohibited",
  13: "host %s unreachable - admin prohibited filter",
  14: "host %s unreachable - host precedence violation",
  15: "host %s unreachable - precedence cutoff",
};

/** "udp port 53 unreachable" and its kin, for the quoted packet's destination. */
function portUnreachable(q: IcmpQuote): string {
  if (q.dport === undefined) return `${q.dst} protocol ${q.proto} port unreachable`;
  const name = q.proto === 6 ? "tcp" : q.proto === 17 ? "udp" : undefined;
  return name
    ? `${q.dst} ${name} port ${q.dport} unreachable`
    : `${q.dst} protocol ${q.proto} port ${q.dport} unreachable`;
}

/** An ICMP error as tcpdump -n words it; undefined for other messages or no quote. */
function icmpError(m: IcmpFields): string | undefined {
  const q = m.quote;
  if (m.type === 11) {
    return m.code === 0 ? "time exceeded in-transit" : m.code === 1 ? "ip reassembly time exceeded" : undefined;
  }
  if (m.type === 12) {
    return m.code === 0 && m.pointer !== undefined
      ? `parameter problem - octet ${m.pointer}`
      : `parameter problem - code ${m.code}`;
  }
  if (m.type === 4) return "source quench";
  if (!q) return undefined;
  if (m.type === 3) {
    if (m.code === 2) return `${q.dst} protocol ${q.proto} unreachable`;
    if (m.code === 3) return portUnreachable(q);
    if (m.code === 4) return `${q.dst} unreachable - need to frag${m.mtu ? ` (mtu ${m.mtu})` : ""}`;
    const words = UNREACHABLE[m.code];
    return words ? words.replace("%s", q.dst) : undefined;
  }
  if (m.type === 5 && m.gateway !== undefined && m.code <= 3) {
    return `${m.code >= 2 ? "redirect-tos" : "redirect"} ${q.dst} to ${m.code % 2 ? "host" : "net"} ${m.gateway}`;
  }
  return undefined;
}

/** An ICMPv6 error as tcpdump -n words it (RFC 4443); undefined for other messages. */
function icmp6Error(m: IcmpFields): string | undefined {
  const q = m.quote;
  if (m.type === 1) {
    const words = ["unreachable route", "unreachable prohibited", "beyond scope", "unreachable address"][m.code];
    if (m.code === 4) {
      const port = q?.dport === undefined
        ? ""
        : `, ${q.dst} ${q.proto === 6 ? "tcp" : q.proto === 17 ? "udp" : `protocol ${q.proto}`} port ${q.dport}`;
      return `destination unreachable, unreachable port${port}`;
    }
    return words ? `destination unreachable, ${words} ${q?.dst ?? "?"}` : `destination unreachable, code-#${m.code}`;
  }
  if (m.type === 2) return `packet too big, mtu ${m.mtu ?? "?"}`;
  if (m.type === 3) {
    if (m.code === 0) return `time exceeded in-transit${q ? ` for ${q.dst}` : ""}`;
    return m.code === 1 ? "time exceeded in-transit (reassembly)" : `time exceeded code-#${m.code}`;
  }
  if (m.type === 4) {
    const what = ["erroneous", "next header", "option", "incomplete header chain"][m.code];
    return `parameter problem, ${what ? `${what} - octet ${m.pointer ?? "?"}` : `code-#${m.code}`}`;
  }
  return undefined;
}

/** The text line for a packet. */
export function packetLine(r: PacketRecord): string {
  const time = r.sec === undefined ? "-" : `${r.sec}.${String(r.nsec).padStart(9, "0")}`;
  const parts: string[] = [String(r.n ?? "-"), time];
  if (r.link === "unsupported") {
    parts.push("unsupported link type");
  } else if (r.arp) {
    const a = r.arp;
    parts.push(
      a.op === 1
        ? `ARP who-has ${a.tpa ?? "?"} tell ${a.spa ?? "?"}`
        : a.op === 2
        ? `ARP reply ${a.spa ?? "?"} is-at ${a.sha ?? "?"}`
        : `ARP op ${a.op}`,
    );
  } else if (r.ip) {
    const v6 = r.ip.v === 6;
    const l4 = r.tcp ?? r.udp;
    parts.push(`${v6 ? "IP6" : "IP"} ${endpoint(r.ip.src, l4?.sport)} > ${endpoint(r.ip.dst, l4?.dport)}:`);
    if (r.tcp) {
      const t = r.tcp;
      // tcpdump's mark for a header the capture cut short.
      parts.push(
        t.flags === undefined
          ? "TCP [|tcp]"
          : `TCP [${tcpFlags(t.flags)}] seq ${t.seq} ack ${t.ack} win ${t.win} len ${t.payload}`,
      );
    } else if (r.udp) {
      parts.push(r.udp.len === undefined ? "UDP [|udp]" : `UDP len ${r.udp.len - 8}`);
    } else if (r.icmp) {
      parts.push(`ICMP ${icmpError(r.icmp) ?? `type ${r.icmp.type} code ${r.icmp.code}`}`);
    } else if (r.icmp6) {
      parts.push(`ICMP6 ${icmp6Error(r.icmp6) ?? `type ${r.icmp6.type} code ${r.icmp6.code}`}`);
    } else {
      parts.push(`proto ${r.ip.proto}`);
    }
    if (r.ip.v === 4 && (r.ip.mf || r.ip.fragOffset > 0)) {
      parts.push(`frag ${r.ip.id}@${r.ip.fragOffset}${r.ip.mf ? "+" : ""}`);
    }
    if (r.ip.v === 6 && r.ip.frag) parts.push(`frag ${r.ip.frag.id}@${r.ip.frag.offset}${r.ip.frag.mf ? "+" : ""}`);
    if (r.dns) {
      const d = r.dns;
      parts.push(
        `DNS ${d.qr ? "response" : "query"} id ${d.id}${d.qname !== undefined ? ` ${d.qname} type ${d.qtype}` : ""}`,
      );
    }
    if (r.tls) {
      parts.push(
        `TLS ClientHello${r.tls.sni !== undefined ? ` sni ${r.tls.sni}` : ""}${
          r.tls.alpn ? ` alpn ${r.tls.alpn.join(",")}` : ""
        }`,
      );
    }
    if (r.http) {
      parts.push(
        `HTTP ${r.http.method} ${r.http.uri} ${r.http.version}${
          r.http.host !== undefined ? ` host ${r.http.host}` : ""
        }`,
      );
    }
  } else if (r.eth) {
    parts.push(`${r.eth.src} > ${r.eth.dst} ethertype 0x${r.eth.type.toString(16).padStart(4, "0")}`);
  } else {
    parts.push(r.link);
  }
  // A wrong TCP/UDP checksum, as tcpdump -v marks it (on the sending host this is usually
  // checksum offload: the card fills the checksum in after the capture saw the packet).
  const l4 = r.tcp ? ["tcp", r.tcp] as const : r.udp ? ["udp", r.udp] as const : undefined;
  if (l4 && l4[1].checksumOk === false) {
    parts.push(`[bad ${l4[0]} cksum 0x${(l4[1].checksum ?? 0).toString(16).padStart(4, "0")}!]`);
  }
  if (r.vlan) parts.push(`vlan ${r.vlan.map((v) => v.id).join(",")}`);
  parts.push(`length ${r.len}`);
  if (r.error) parts.push(`[${r.error.layer} ${r.error.code} at ${r.error.offset}]`);
  return parts.join(" ");
}
