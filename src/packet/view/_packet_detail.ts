/**
 * The detail tree of one packet: its layers, each with its fields, and for every node the
 * bytes it came from (offsets from the packet's first byte), so that the page can
 * highlight them in the hex dump. Values are the decoded record's; the byte ranges come
 * from the decoder's row (where each header starts) and the fixed layouts of the headers
 * (RFC 791, 8200, 793, 768, 792, 826, 1035), so fixed-position fields get their own bytes
 * and variable parts (TLS, DNS names, HTTP) those the row points at. Runs in the worker.
 *
 * @module
 */
import * as L from "../_layout.ts";
import type { PacketRecord } from "../packet_record.ts";

/** One line of the tree: its text, its bytes (`length` 0: none), its children. */
export interface DetailNode {
  label: string;
  start: number;
  length: number;
  children?: DetailNode[];
}

const field = (label: string, start: number, length: number): DetailNode => ({ label, start, length });

const TCP_FLAG_NAMES = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"];

function flagNames(flags: number): string {
  const names = TCP_FLAG_NAMES.filter((_, i) => flags & (1 << i));
  return names.length ? names.join(", ") : "none";
}

function hex(value: number, digits: number): string {
  return `0x${value.toString(16).padStart(digits, "0")}`;
}

/**
 * The tree of a packet decoded into row `r` (the index of its first column) of `t`.
 * @param record The packet as `recordFromRow` builds it.
 * @param t The decoder's table.
 * @param r The row's first column.
 */
export function packetDetail(record: PacketRecord, t: Int32Array, r: number): DetailNode[] {
  const flags = t[r + L.C_FLAGS];
  const l3 = t[r + L.C_L3OFF];
  const l4 = t[r + L.C_L4OFF];
  const app = t[r + L.C_APPOFF];
  const caplen = record.caplen;
  const nodes: DetailNode[] = [];
  nodes.push({
    label: `Frame: ${record.len} bytes on the wire, ${caplen} captured`,
    start: 0,
    length: caplen,
    children: [
      field(`Link type: ${record.link}`, 0, 0),
      ...(record.iface === undefined ? [] : [field(`Interface: ${record.iface}`, 0, 0)]),
      field(`Captured length: ${caplen}`, 0, 0),
      field(`Length on the wire: ${record.len}`, 0, 0),
    ],
  });
  if (record.eth) {
    const e = record.eth;
    nodes.push({
      label: `Ethernet, ${e.src} > ${e.dst}`,
      start: 0,
      length: Math.min(14, caplen),
      children: [
        field(`Destination: ${e.dst}`, 0, 6),
        field(`Source: ${e.src}`, 6, 6),
        field(`Type: ${hex(e.type, 4)}`, 12, 2),
      ],
    });
  }
  if (record.vlan) {
    record.vlan.forEach((v, i) => {
      const at = 12 + 4 * i;
      nodes.push({
        label: `VLAN ${v.id}`,
        start: at,
        length: 4,
        children: [
          field(`TPID: ${hex(v.tpid, 4)}`, at, 2),
          field(`Priority: ${v.pcp}`, at + 2, 1),
          field(`ID: ${v.id}`, at + 2, 2),
        ],
      });
    });
  }
  if (record.arp) {
    const a = record.arp;
    nodes.push({
      label: `ARP, ${a.op === 1 ? "request" : a.op === 2 ? "reply" : `op ${a.op}`}`,
      start: l3,
      length: Math.max(0, Math.min(28, caplen - l3)),
      children: [
        field(`Operation: ${a.op}`, l3 + 6, 2),
        ...(a.sha === undefined ? [] : [field(`Sender MAC: ${a.sha}`, l3 + 8, 6)]),
        ...(a.spa === undefined ? [] : [field(`Sender IP: ${a.spa}`, l3 + 14, 4)]),
        ...(a.tha === undefined ? [] : [field(`Target MAC: ${a.tha}`, l3 + 18, 6)]),
        ...(a.tpa === undefined ? [] : [field(`Target IP: ${a.tpa}`, l3 + 24, 4)]),
      ],
    });
  }
  const ip = record.ip;
  if (ip?.v === 4) {
    nodes.push({
      label: `IPv4, ${ip.src} > ${ip.dst}`,
      start: l3,
      length: ip.hlen,
      children: [
        field(`Header length: ${ip.hlen}`, l3, 1),
        field(`Type of service: ${hex(ip.tos, 2)}`, l3 + 1, 1),
        field(`Total length: ${ip.len}`, l3 + 2, 2),
        field(`Identification: ${hex(ip.id, 4)} (${ip.id})`, l3 + 4, 2),
        field(
          `Flags: ${[ip.df ? "DF" : "", ip.mf ? "MF" : ""].filter(Boolean).join(", ") || "none"}, ` +
            `fragment offset ${ip.fragOffset}`,
          l3 + 6,
          2,
        ),
        field(`Time to live: ${ip.ttl}`, l3 + 8, 1),
        field(`Protocol: ${ip.proto}`, l3 + 9, 1),
        field(`Header checksum: ${ip.checksumOk ? "correct" : "wrong"}`, l3 + 10, 2),
        field(`Source: ${ip.src}`, l3 + 12, 4),
        field(`Destination: ${ip.dst}`, l3 + 16, 4),
      ],
    });
  } else if (ip?.v === 6) {
    nodes.push({
      label: `IPv6, ${ip.src} > ${ip.dst}`,
      start: l3,
      length: Math.max(40, l4 > l3 ? l4 - l3 : 40),
      children: [
        field(`Flow label: ${hex(ip.flow, 5)}`, l3 + 1, 3),
        field(`Payload length: ${ip.len}`, l3 + 4, 2),
        field(`Next header: ${ip.ext.length ? ip.ext[0] : ip.proto}`, l3 + 6, 1),
        field(`Hop limit: ${ip.hlim}`, l3 + 7, 1),
        field(`Source: ${ip.src}`, l3 + 8, 16),
        field(`Destination: ${ip.dst}`, l3 + 24, 16),
        ...(ip.ext.length
          ? [field(`Extension headers: ${ip.ext.join(", ")}`, l3 + 40, Math.max(0, l4 - l3 - 40))]
          : []),
        ...(ip.frag
          ? [field(`Fragment: offset ${ip.frag.offset}, id ${ip.frag.id}${ip.frag.mf ? ", more" : ""}`, 0, 0)]
          : []),
      ],
    });
  }
  if (record.tcp) {
    const c = record.tcp;
    const hlen = c.hlen ?? 20;
    const children = [field(`Source port: ${c.sport}`, l4, 2), field(`Destination port: ${c.dport}`, l4 + 2, 2)];
    if (flags & L.F_TCPHDR) {
      children.push(
        field(`Sequence number: ${c.seq}`, l4 + 4, 4),
        field(`Acknowledgment number: ${c.ack}`, l4 + 8, 4),
        field(`Header length: ${hlen}`, l4 + 12, 1),
        field(`Flags: ${hex(c.flags ?? 0, 3)} (${flagNames(c.flags ?? 0)})`, l4 + 12, 2),
        field(`Window: ${c.win}`, l4 + 14, 2),
      );
      if (c.checksum !== undefined) {
        const state = c.checksumOk === undefined ? "" : c.checksumOk ? " (correct)" : " (wrong)";
        children.push(field(`Checksum: ${hex(c.checksum, 4)}${state}`, l4 + 16, 2));
      }
      if (c.urp !== undefined) children.push(field(`Urgent pointer: ${c.urp}`, l4 + 18, 2));
      const options = [
        c.mss === undefined ? "" : `MSS ${c.mss}`,
        c.wscale === undefined ? "" : `window scale ${c.wscale}`,
        c.sackPerm ? "SACK permitted" : "",
        c.tsval === undefined ? "" : `timestamps ${c.tsval}/${c.tsecr}`,
      ].filter(Boolean);
      if (hlen > 20) children.push(field(`Options: ${options.join(", ") || `${hlen - 20} bytes`}`, l4 + 20, hlen - 20));
    }
    children.push(field(`Payload: ${c.payload} bytes`, t[r + L.C_PAYOFF], c.payload));
    nodes.push({
      label: `TCP, ${c.sport} > ${c.dport}`,
      start: l4,
      length: flags & L.F_TCPHDR ? hlen : 4,
      children,
    });
  }
  if (record.udp) {
    const u = record.udp;
    const children = [field(`Source port: ${u.sport}`, l4, 2), field(`Destination port: ${u.dport}`, l4 + 2, 2)];
    if (u.len !== undefined) children.push(field(`Length: ${u.len}`, l4 + 4, 2));
    if (u.checksum !== undefined) {
      const state = u.checksumOk === undefined ? "" : u.checksumOk ? " (correct)" : " (wrong)";
      children.push(field(`Checksum: ${hex(u.checksum, 4)}${state}`, l4 + 6, 2));
    }
    children.push(field(`Payload: ${u.payload} bytes`, t[r + L.C_PAYOFF], u.payload));
    nodes.push({ label: `UDP, ${u.sport} > ${u.dport}`, start: l4, length: u.len === undefined ? 4 : 8, children });
  }
  const icmp = record.icmp ?? record.icmp6;
  if (icmp) {
    const name = record.icmp ? "ICMP" : "ICMPv6";
    const children = [field(`Type: ${icmp.type}`, l4, 1), field(`Code: ${icmp.code}`, l4 + 1, 1)];
    if (icmp.mtu !== undefined) children.push(field(`MTU: ${icmp.mtu}`, 0, 0));
    if (icmp.gateway !== undefined) children.push(field(`Gateway: ${icmp.gateway}`, l4 + 4, 4));
    if (icmp.pointer !== undefined) children.push(field(`Pointer: ${icmp.pointer}`, 0, 0));
    if (icmp.quote) {
      const q = icmp.quote;
      const ports = q.sport === undefined ? "" : ` ports ${q.sport} > ${q.dport}`;
      const ql3 = t[r + L.C_QL3OFF];
      children.push(
        field(`Quoted packet: ${q.src} > ${q.dst} protocol ${q.proto}${ports}`, ql3, Math.max(0, caplen - ql3)),
      );
    }
    nodes.push({ label: `${name}, type ${icmp.type} code ${icmp.code}`, start: l4, length: 4, children });
  }
  const appLength = Math.max(0, caplen - app);
  if (record.dns) {
    const d = record.dns;
    const children = [
      field(`Transaction ID: ${hex(d.id, 4)}`, app, 2),
      field(`Flags: ${d.qr ? "response" : "query"}, opcode ${d.opcode}, rcode ${d.rcode}`, app + 2, 2),
    ];
    if (d.qdcount !== undefined) {
      children.push(
        field(`Questions: ${d.qdcount}`, app + 4, 2),
        field(`Answers: ${d.ancount}`, app + 6, 2),
        field(`Authority: ${d.nscount}`, app + 8, 2),
        field(`Additional: ${d.arcount}`, app + 10, 2),
      );
    }
    if (d.qname !== undefined) {
      children.push(field(`Query: ${d.qname} type ${d.qtype}`, app + 12, Math.max(0, caplen - app - 12)));
    }
    nodes.push({ label: `DNS ${d.qr ? "response" : "query"}`, start: app, length: appLength, children });
  }
  if (record.tls) {
    const s = record.tls;
    const children: DetailNode[] = [];
    if (s.sni !== undefined) {
      children.push(field(`Server name: ${s.sni}`, t[r + L.C_SNIOFF], t[r + L.C_SNILEN]));
    }
    if (s.alpn) children.push(field(`ALPN: ${s.alpn.join(", ")}`, t[r + L.C_ALPNOFF], t[r + L.C_ALPNLEN]));
    nodes.push({ label: "TLS ClientHello", start: app, length: appLength, children });
  }
  if (record.http) {
    const h = record.http;
    const children = [
      field(`Method: ${h.method}`, app, t[r + L.C_METHODLEN]),
      field(`URI: ${h.uri}`, t[r + L.C_URIOFF], t[r + L.C_URILEN]),
      field(`Version: ${h.version}`, 0, 0),
    ];
    if (h.host !== undefined) children.push(field(`Host: ${h.host}`, t[r + L.C_HOSTOFF], t[r + L.C_HOSTLEN]));
    nodes.push({ label: `HTTP request, ${h.method} ${h.uri}`, start: app, length: appLength, children });
  }
  if (record.error) {
    const e = record.error;
    nodes.push(field(`Malformed: ${e.layer} ${e.code} at byte ${e.offset}`, e.offset, 1));
  }
  return nodes;
}
