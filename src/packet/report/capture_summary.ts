/**
 * A capture's summary for people: what capinfos says (format, link types, packets,
 * bytes, times, rates), the protocol hierarchy (`tshark -z io,phs`), the largest
 * conversations and endpoints, an I/O graph, and the DNS and TLS server names seen.
 * Built one packet (or one batch) at a time in bounded memory, with no runtime at all,
 * so the same code runs in the CLI's HTML report and in a browser page; the summary is
 * plain JSON data.
 *
 * @module
 */
import { checkIntegerRange, checkOptionsObject, refuse } from "../../_argument_checks.ts";
import * as L from "../_layout.ts";
import { linkName } from "../_link_types.ts";
import { asciiText, dnsNameText, ipv4Text, ipv6Text } from "../_format.ts";
import { type HierarchyNode, ProtocolHierarchy } from "../_protocol_hierarchy.ts";
import { type Conn, type ConnRecord, ConnTracker } from "../_conn_tracker.ts";
import { DEFAULT_MAX_CONNECTIONS } from "../_conn_limits.ts";
import { type EndpointCounts, EndpointTable } from "../_endpoints.ts";
import type { PacketBatch } from "../batch.ts";
import type { PacketRecord } from "../packet_record.ts";
import { RecordRow } from "./_row_from_record.ts";
import { type IoGraph, IoGraphCounter } from "./_io_graph.ts";
import { NameCounter, type NameCounts } from "./_name_counts.ts";
import { isoTime } from "../_iso_time.ts";

export type { HierarchyNode } from "../_protocol_hierarchy.ts";
export type { ConnRecord } from "../_conn_tracker.ts";
export type { IoGraph } from "./_io_graph.ts";
export type { NameCounts } from "./_name_counts.ts";

/** Traffic of one address over the connections it took part in (as `pcap conv --endpoints`). */
export type EndpointRow = EndpointCounts;

/** What {@linkcode SummaryBuilder.finish} gives: plain data, ready for `JSON.stringify`. */
export interface CaptureSummary {
  /** The capture's name (its file name), when the builder was told. */
  name?: string;
  /** The file format (`pcap`, `pcapng` …), when the builder was told. */
  fileFormat?: string;
  /** The file's size in bytes, when the builder was told. */
  fileSize?: number;
  packets: number;
  /** Sum of original lengths. */
  bytes: number;
  /** Sum of captured lengths. */
  capturedBytes: number;
  /** Earliest and latest timestamp, ISO 8601 with nanoseconds (null without any). */
  first: string | null;
  last: string | null;
  /** Seconds from the earliest to the latest timestamp (null without timestamps). */
  duration: number | null;
  /** Bytes per packet (null without packets). */
  averagePacketSize: number | null;
  /** Packets and bytes per second over `duration` (null when it is 0 or unknown). */
  packetRate: number | null;
  dataRate: number | null;
  /** Packets per link type (`ethernet`, `sll`, `raw` …), most first. */
  linkTypes: { link: string; packets: number }[];
  /** Packets the decoder stopped early in (a truncated or malformed header). */
  errors: number;
  /** Frames and bytes per chain of protocols, rooted at `frame` (as `tshark -z io,phs`). */
  hierarchy: HierarchyNode;
  conversations: {
    /** The largest connections by IP bytes both ways, as `pcap conv` rows. */
    top: ConnRecord[];
    /** Connections in all. */
    total: number;
    /** Connections ended early because the connection table was full. */
    evicted: number;
    /** IP packets that belong to no connection (later fragments, cut transport headers). */
    unattributed: number;
  };
  endpoints: {
    /** The busiest addresses by IP bytes sent and received. */
    top: EndpointRow[];
    /** Addresses in all (past the bound, the rest are summed as `(other addresses)`). */
    total: number;
  };
  ioGraph: IoGraph;
  /**
   * Where and why reading stopped, when the file is damaged at the file level (set by
   * `captureSummary()`; the summary covers the packets before it).
   */
  fileError?: { message: string; offset: number };
  /** Query names of DNS queries. */
  dnsNames: NameCounts;
  /** Server names (SNI) of TLS ClientHellos. */
  tlsNames: NameCounts;
}

/** Options for {@linkcode SummaryBuilder}. */
export interface SummaryOptions {
  /** The capture's name, shown as the summary's title. */
  name?: string;
  /** The file format, shown as capinfos' "File type". */
  fileFormat?: string;
  /** The file's size in bytes. */
  fileSize?: number;
  /** Rows in each top list (conversations, endpoints, names), from 1 to 10000. @default {50} */
  top?: number;
}

/** The I/O graph's protocols: a packet counts under the highest layer the decoder read. */
const LABELS = ["tls", "http", "dns", "tcp", "udp", "icmp", "icmpv6", "arp", "ip", "ipv6", "other"] as const;
const [TLS, HTTP, DNS, TCP, UDP, ICMP, ICMP6, ARP, IP4, IP6, OTHER] = LABELS.map((_, i) => i);

/** Most addresses counted one by one; the rest are summed under one row (as `pcap conv --endpoints`). */
const MAX_ENDPOINTS = 65536;

function labelOf(f: number): number {
  if (f & L.F_TLS) return TLS;
  if (f & L.F_HTTP) return HTTP;
  if (f & L.F_DNS) return DNS;
  if (f & L.F_TCP) return TCP;
  if (f & L.F_UDP) return UDP;
  if (f & L.F_ICMP) return ICMP;
  if (f & L.F_ICMP6) return ICMP6;
  if (f & L.F_ARP) return ARP;
  if (f & L.F_IP4) return IP4;
  if (f & L.F_IP6) return IP6;
  return OTHER;
}

function addressText(b: Uint8Array, o: number, alen: number): string {
  return alen === 4 ? ipv4Text(b, o) : ipv6Text(b, o);
}

function ipBytes(c: ConnRecord): number {
  return c.orig_ip_bytes + c.resp_ip_bytes;
}

function isBatch(input: PacketRecord | PacketBatch): input is PacketBatch {
  // Not instanceof: a page may have its own copy of the batch class.
  return (input as PacketBatch)._table instanceof Int32Array;
}

/**
 * Builds a {@linkcode CaptureSummary} from a capture's packets, fed in order: decoded
 * records (`PacketBatch.get()`, `decodeFrame()`) or whole batches from `openCapture()`
 * (faster: no object is made per packet). Memory stays
 * bounded: connections as `conversations()` bounds them, names and addresses up to fixed
 * counts, the I/O graph up to 250 intervals.
 *
 * @example Summarise a capture
 * ```ts
 * import { openCapture, SummaryBuilder } from "anynet/packet";
 * const builder = new SummaryBuilder({ name: "capture.pcap" });
 * for await (const batch of openCapture("capture.pcap")) builder.add(batch);
 * const summary = builder.finish();
 * console.log(summary.packets, summary.hierarchy.children.map((c) => c.protocol));
 * ```
 */
export class SummaryBuilder {
  private readonly options: SummaryOptions;
  private readonly top: number;
  private packets = 0;
  private bytes = 0;
  private capturedBytes = 0;
  private errors = 0;
  private firstSec = Infinity;
  private firstNsec = 0;
  private lastSec = -Infinity;
  private lastNsec = 0;
  private readonly links = new Map<number, number>();
  private readonly hierarchy = new ProtocolHierarchy();
  private readonly ended: Conn[] = [];
  private readonly tracker: ConnTracker;
  private connections = 0;
  private readonly topConns: ConnRecord[] = [];
  private readonly endpoints = new EndpointTable(MAX_ENDPOINTS);
  private readonly io = new IoGraphCounter(LABELS);
  private readonly dns = new NameCounter();
  private readonly tls = new NameCounter();
  private readonly row = new RecordRow();
  private finished: CaptureSummary | undefined;

  /**
   * @param options The capture's name, format and size for the summary's header, and the length of the top lists.
   * @throws {TypeError} On options of the wrong kind.
   * @throws {RangeError} On a `top` out of range.
   */
  constructor(options: SummaryOptions = {}) {
    const action = "summarise capture";
    checkOptionsObject(action, options, ["name", "fileFormat", "fileSize", "top"]);
    for (const key of ["name", "fileFormat"] as const) {
      if (options[key] !== undefined && typeof options[key] !== "string") {
        refuse(action, `'${key}' must be a string: got ${typeof options[key]}`);
      }
    }
    if (options.fileSize !== undefined) checkIntegerRange(action, "fileSize", options.fileSize, 0, 2 ** 53);
    this.top = checkIntegerRange(action, "top", options.top ?? 50, 1, 10000);
    this.options = options;
    this.tracker = new ConnTracker({
      maxConnections: DEFAULT_MAX_CONNECTIONS,
      communityIdSeed: 0,
      onEnd: (c) => this.ended.push(c),
    });
  }

  /**
   * Counts one decoded packet, or every packet of a batch (used before the iteration moves on).
   * @param packet A record or a batch, in capture order.
   * @throws {Error} After {@linkcode finish}.
   */
  add(packet: PacketRecord | PacketBatch): void {
    if (this.finished) throw new Error("Cannot add a packet: the summary is finished");
    if (isBatch(packet)) {
      const t = packet._table;
      const b = packet._bytes;
      for (let r = 0; r < packet.length; r++) {
        const base = r * L.NCOLS;
        this.countRow(t, base, t[base + L.C_CAPLEN] >>> 0);
        this.countNames(t, base, b);
      }
      this.hierarchy.addRows(t, packet.length);
      this.tracker.addRows(t, packet._bytes, packet.length);
    } else {
      // A record goes through the same counting as a row, written back as one.
      this.row.encode(packet);
      this.countRow(this.row.table, 0, packet.caplen);
      if (packet.dns?.qname !== undefined && !packet.dns.qr) this.dns.add(packet.dns.qname);
      if (packet.tls?.sni !== undefined) this.tls.add(packet.tls.sni);
      this.hierarchy.addRows(this.row.table, 1);
      this.tracker.addRows(this.row.table, this.row.bytes, 1);
    }
    this.takeEnded();
  }

  /** The DNS query name and TLS server name of a row, read as `PacketBatch.get()` reads them. */
  private countNames(t: Int32Array, base: number, b: Uint8Array): void {
    const f = t[base + L.C_FLAGS];
    if ((f & (L.F_QNAME | L.F_SNI)) === 0) return;
    const p = t[base + L.C_DATA];
    if (f & L.F_QNAME) {
      const app = p + t[base + L.C_APPOFF];
      // QR is the top bit of the flags, the third byte of the header.
      if ((b[app + 2] & 0x80) === 0) this.dns.add(dnsNameText(b, app));
    }
    if (f & L.F_SNI) this.tls.add(asciiText(b, p + t[base + L.C_SNIOFF], t[base + L.C_SNILEN]));
  }

  private countRow(t: Int32Array, base: number, caplen: number): void {
    const f = t[base + L.C_FLAGS];
    const len = t[base + L.C_LEN] >>> 0;
    this.packets++;
    this.bytes += len;
    this.capturedBytes += caplen;
    if (f & L.F_ERROR) this.errors++;
    // Keyed by number (-1: unsupported); named once, in finish().
    const link = f & L.F_UNSUPPORTED ? -1 : t[base + L.C_LINK];
    this.links.set(link, (this.links.get(link) ?? 0) + 1);
    if (f & L.F_TS) {
      const sec = t[base + L.C_SECHI] * 4294967296 + (t[base + L.C_SECLO] >>> 0);
      const nsec = t[base + L.C_NSEC];
      if (sec < this.firstSec || (sec === this.firstSec && nsec < this.firstNsec)) {
        this.firstSec = sec;
        this.firstNsec = nsec;
      }
      if (sec > this.lastSec || (sec === this.lastSec && nsec > this.lastNsec)) {
        this.lastSec = sec;
        this.lastNsec = nsec;
      }
      this.io.add(sec, nsec, len, labelOf(f));
    }
  }

  /** Takes the connections that ended into the top list and the endpoints. */
  private takeEnded(): void {
    for (const c of this.ended) {
      const conn = this.tracker.record(c, addressText);
      this.connections++;
      this.offerConnection(conn);
      this.endpoints.add(conn);
    }
    this.ended.length = 0;
  }

  private offerConnection(conn: ConnRecord): void {
    const list = this.topConns;
    if (list.length === this.top && ipBytes(conn) <= ipBytes(list[list.length - 1])) return;
    let i = list.length;
    list.push(conn);
    while (i > 0 && ipBytes(conn) > ipBytes(list[i - 1])) {
      list[i] = list[i - 1];
      i--;
    }
    list[i] = conn;
    if (list.length > this.top) list.pop();
  }

  /** Packets per link type name (several numbers share the name `raw`), most first. */
  private linkTypes(): CaptureSummary["linkTypes"] {
    const byName = new Map<string, number>();
    for (const [type, packets] of this.links) {
      const name = linkName(type, type === -1);
      byName.set(name, (byName.get(name) ?? 0) + packets);
    }
    return [...byName].map(([link, packets]) => ({ link, packets })).sort((a, b) => b.packets - a.packets);
  }

  /**
   * Ends the connections still open and returns the summary (the same object on later calls).
   * @returns The summary.
   */
  finish(): CaptureSummary {
    if (this.finished) return this.finished;
    this.tracker.finish();
    this.takeEnded();
    const timed = this.firstSec !== Infinity;
    const duration = timed ? this.lastSec - this.firstSec + (this.lastNsec - this.firstNsec) / 1e9 : null;
    const rate = (n: number) => (duration ? n / duration : null);
    const summary: CaptureSummary = {
      ...(this.options.name !== undefined && { name: this.options.name }),
      ...(this.options.fileFormat !== undefined && { fileFormat: this.options.fileFormat }),
      ...(this.options.fileSize !== undefined && { fileSize: this.options.fileSize }),
      packets: this.packets,
      bytes: this.bytes,
      capturedBytes: this.capturedBytes,
      first: timed ? isoTime(this.firstSec, this.firstNsec) : null,
      last: timed ? isoTime(this.lastSec, this.lastNsec) : null,
      duration,
      averagePacketSize: this.packets > 0 ? this.bytes / this.packets : null,
      packetRate: rate(this.packets),
      dataRate: rate(this.bytes),
      linkTypes: this.linkTypes(),
      errors: this.errors,
      hierarchy: this.hierarchy.root,
      conversations: {
        top: this.topConns,
        total: this.connections,
        evicted: this.tracker.evicted,
        unattributed: this.tracker.unattributed,
      },
      endpoints: { top: this.endpoints.sorted().slice(0, this.top), total: this.endpoints.size },
      ioGraph: this.io.result(),
      dnsNames: this.dns.result(this.top),
      tlsNames: this.tls.result(this.top),
    };
    this.finished = summary;
    return summary;
  }
}
