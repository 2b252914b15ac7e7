/**
 * One line per packet, in the spirit of `tcpdump -n`.
 *
 * @module
 */
import type { PacketRecord } from "./packet_record.ts";

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
      parts.push(`ICMP type ${r.icmp.type} code ${r.icmp.code}`);
    } else if (r.icmp6) {
      parts.push(`ICMP6 type ${r.icmp6.type} code ${r.icmp6.code}`);
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
  if (r.vlan) parts.push(`vlan ${r.vlan.map((v) => v.id).join(",")}`);
  parts.push(`length ${r.len}`);
  if (r.error) parts.push(`[${r.error.layer} ${r.error.code} at ${r.error.offset}]`);
  return parts.join(" ");
}
