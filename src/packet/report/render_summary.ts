/// <reference lib="dom" />
/**
 * Draws a {@linkcode CaptureSummary} into a page: capinfos' figures, the I/O graph
 * (uPlot, the page's global `uPlot`), the protocol hierarchy, conversations, endpoints,
 * and DNS and TLS names, as tables that sort by a click on their headings. Runs in the
 * browser only; the HTML report and the capture viewer both call it.
 *
 * @module
 */
import type { CaptureSummary, HierarchyNode } from "./capture_summary.ts";
import { SUMMARY_CSS } from "./summary_style.ts";

/** What the report needs of uPlot (loaded by the page as the global `uPlot`). */
interface UPlotChart {
  setSize(size: { width: number; height: number }): void;
}
type UPlotConstructor = new (options: object, data: (number | null)[][], target: HTMLElement) => UPlotChart;

/** Colours of the graph's series, told apart in both light and dark mode. */
const SERIES_COLOURS = ["#1a66c9", "#d9480f", "#2f9e44", "#ae3ec9", "#e8a200", "#0c8599", "#c2255c", "#5c7cfa"];
const GRAPH_HEIGHT = 260;

/** One column of a table: its heading, how a row shows in it, and the value it sorts by. */
interface Column<T> {
  title: string;
  text: (row: T) => string;
  /** Present for columns that sort; numbers sort largest first on the first click. */
  sort?: (row: T) => number | string;
  numeric?: boolean;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

const count = (n: number): string => n.toLocaleString("en-US");

function byteSize(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n, i = -1;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

function seconds(s: number): string {
  if (s < 1) return `${(s * 1000).toFixed(3)} ms`;
  if (s < 120) return `${s.toFixed(3)} s`;
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), rest = s % 60;
  return `${h > 0 ? `${h} h ` : ""}${m} min ${rest.toFixed(0)} s (${count(Math.round(s))} s)`;
}

const percent = (part: number, whole: number): string => (whole > 0 ? `${((part / whole) * 100).toFixed(2)} %` : "-");

function endText(host: string, port: number, proto: string): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return proto === "tcp" || proto === "udp" || proto === "sctp" ? `${h}:${port}` : h;
}

/** A table whose sortable headings reorder its rows. */
function table<T>(columns: Column<T>[], rows: readonly T[]): HTMLElement {
  const wrap = el("div", undefined, "scroll");
  const t = el("table");
  const head = el("tr");
  const body = el("tbody");
  const fill = (ordered: readonly T[]) => {
    body.replaceChildren(...ordered.map((row) => {
      const tr = el("tr");
      for (const c of columns) tr.append(el("td", c.text(row), c.numeric ? "num" : undefined));
      return tr;
    }));
  };
  for (const c of columns) {
    const th = el("th", c.title, c.numeric ? "num" : undefined);
    th.scope = "col";
    if (c.sort) {
      const key = c.sort;
      th.classList.add("sortable");
      th.tabIndex = 0;
      const sortBy = () => {
        // Numbers largest first, text A to Z; a second click turns the order round.
        const first = c.numeric ? "descending" : "ascending";
        const order = th.getAttribute("aria-sort") === first
          ? (first === "descending" ? "ascending" : "descending")
          : first;
        for (const other of head.children) other.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", order);
        const sign = order === "ascending" ? 1 : -1;
        fill([...rows].sort((a, b) => {
          const x = key(a), y = key(b);
          return sign * (x < y ? -1 : x > y ? 1 : 0);
        }));
      };
      th.addEventListener("click", sortBy);
      th.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sortBy();
        }
      });
    }
    head.append(th);
  }
  const thead = el("thead");
  thead.append(head);
  t.append(thead, body);
  fill(rows);
  wrap.append(t);
  return wrap;
}

function section(title: string, id: string, ...content: (Node | string)[]): HTMLElement {
  const s = el("section");
  s.id = id;
  s.append(el("h2", title), ...content);
  return s;
}

function note(text: string): HTMLElement {
  return el("p", text, "note");
}

function facts(summary: CaptureSummary): HTMLElement {
  const rows: [string, string][] = [];
  if (summary.name !== undefined) rows.push(["File name", summary.name]);
  if (summary.fileFormat !== undefined) rows.push(["File type", summary.fileFormat]);
  if (summary.fileSize !== undefined) {
    rows.push(["File size", `${byteSize(summary.fileSize)} (${count(summary.fileSize)} bytes)`]);
  }
  rows.push(
    ["Link types", summary.linkTypes.map((l) => `${l.link} (${count(l.packets)})`).join(", ") || "-"],
    ["Packets", count(summary.packets)],
    ["Data size", `${byteSize(summary.bytes)} (${count(summary.bytes)} bytes)`],
    ["Captured size", `${byteSize(summary.capturedBytes)} (${count(summary.capturedBytes)} bytes)`],
    ["First packet", summary.first ?? "-"],
    ["Last packet", summary.last ?? "-"],
    ["Duration", summary.duration === null ? "-" : seconds(summary.duration)],
    ["Average packet size", summary.averagePacketSize === null ? "-" : `${summary.averagePacketSize.toFixed(2)} bytes`],
    ["Average packet rate", summary.packetRate === null ? "-" : `${summary.packetRate.toFixed(2)} packets/s`],
    [
      "Data rate",
      summary.dataRate === null
        ? "-"
        : `${byteSize(summary.dataRate)}/s (${count(Math.round(summary.dataRate * 8))} bit/s)`,
    ],
    ["Packets with decoding errors", count(summary.errors)],
  );
  const t = el("table", undefined, "facts");
  const body = el("tbody");
  for (const [k, v] of rows) {
    const tr = el("tr");
    const th = el("th", k);
    th.scope = "row";
    tr.append(th, el("td", v));
    body.append(tr);
  }
  t.append(body);
  return t;
}

interface HierarchyRow {
  depth: number;
  node: HierarchyNode;
}

function hierarchyRows(node: HierarchyNode, depth: number, out: HierarchyRow[]): HierarchyRow[] {
  out.push({ depth, node });
  for (const child of node.children) hierarchyRows(child, depth + 1, out);
  return out;
}

function hierarchy(summary: CaptureSummary): HTMLElement {
  const root = summary.hierarchy;
  // The tree's order is its meaning: this table does not sort.
  return table<HierarchyRow>([
    { title: "Protocol", text: (r) => `${"\u2003".repeat(r.depth)}${r.node.protocol}` },
    { title: "Frames", text: (r) => count(r.node.frames), numeric: true },
    { title: "% frames", text: (r) => percent(r.node.frames, root.frames), numeric: true },
    { title: "Bytes", text: (r) => count(r.node.bytes), numeric: true },
    { title: "% bytes", text: (r) => percent(r.node.bytes, root.bytes), numeric: true },
  ], hierarchyRows(root, 0, []));
}

function conversations(summary: CaptureSummary): HTMLElement[] {
  const c = summary.conversations;
  const rows = c.top;
  const out: HTMLElement[] = [
    note(
      `${count(c.total)} connections; the ${count(rows.length)} largest by IP bytes both ways.` +
        (c.evicted > 0 ? ` ${count(c.evicted)} left a full connection table early.` : ""),
    ),
  ];
  out.push(table([
    { title: "Originator", text: (r) => endText(r["id.orig_h"], r["id.orig_p"], r.proto), sort: (r) => r["id.orig_h"] },
    { title: "Responder", text: (r) => endText(r["id.resp_h"], r["id.resp_p"], r.proto), sort: (r) => r["id.resp_h"] },
    { title: "Proto", text: (r) => r.proto, sort: (r) => r.proto },
    { title: "Service", text: (r) => r.service ?? "-", sort: (r) => r.service ?? "" },
    { title: "State", text: (r) => r.conn_state, sort: (r) => r.conn_state },
    {
      title: "Packets",
      text: (r) => count(r.orig_pkts + r.resp_pkts),
      sort: (r) => r.orig_pkts + r.resp_pkts,
      numeric: true,
    },
    {
      title: "Bytes",
      text: (r) => count(r.orig_ip_bytes + r.resp_ip_bytes),
      sort: (r) => r.orig_ip_bytes + r.resp_ip_bytes,
      numeric: true,
    },
    { title: "Orig \u2192 resp", text: (r) => count(r.orig_ip_bytes), sort: (r) => r.orig_ip_bytes, numeric: true },
    { title: "Resp \u2192 orig", text: (r) => count(r.resp_ip_bytes), sort: (r) => r.resp_ip_bytes, numeric: true },
    { title: "Duration (s)", text: (r) => r.duration.toFixed(3), sort: (r) => r.duration, numeric: true },
  ], rows));
  return out;
}

function endpoints(summary: CaptureSummary): HTMLElement[] {
  const e = summary.endpoints;
  return [
    note(`${count(e.total)} addresses; the ${count(e.top.length)} busiest by IP bytes sent and received.`),
    table([
      { title: "Address", text: (r) => r.address, sort: (r) => r.address },
      { title: "Connections", text: (r) => count(r.connections), sort: (r) => r.connections, numeric: true },
      { title: "Packets sent", text: (r) => count(r.tx_pkts), sort: (r) => r.tx_pkts, numeric: true },
      { title: "Bytes sent", text: (r) => count(r.tx_ip_bytes), sort: (r) => r.tx_ip_bytes, numeric: true },
      { title: "Packets received", text: (r) => count(r.rx_pkts), sort: (r) => r.rx_pkts, numeric: true },
      { title: "Bytes received", text: (r) => count(r.rx_ip_bytes), sort: (r) => r.rx_ip_bytes, numeric: true },
    ], e.top),
  ];
}

function names(counts: CaptureSummary["dnsNames"], what: string, counted: string): HTMLElement[] {
  if (counts.names.length === 0) return [note(`No ${what} in this capture.`)];
  return [
    note(
      `${count(counts.distinct)} distinct ${counts.distinct === 1 ? "name" : "names"}` +
        (counts.uncounted > 0
          ? ` (and ${count(counts.uncounted)} more ` +
            `${counted} past the bound, not listed)`
          : "") +
        `; the ${count(counts.names.length)} most frequent.`,
    ),
    table([
      { title: "Name", text: (r) => r.name, sort: (r) => r.name },
      { title: counted, text: (r) => count(r.count), sort: (r) => r.count, numeric: true },
    ], counts.names),
  ];
}

/** The I/O graph: packets per interval (all and per protocol) and bytes on a second axis. */
function ioGraph(summary: CaptureSummary): HTMLElement[] {
  const g = summary.ioGraph;
  const box = el("div", undefined, "graph");
  if (g.packets.length === 0) return [note("No timestamped packets.")];
  const Plot = (globalThis as { uPlot?: UPlotConstructor }).uPlot;
  if (!Plot) return [note("The graph needs uPlot, which this page did not load.")];
  const x = g.packets.map((_, i) => i * g.interval);
  const shown = g.protocols.slice(0, SERIES_COLOURS.length - 2);
  const fg = getComputedStyle(document.body).color || "#888";
  const grid = "rgba(128,128,128,0.25)";
  const axis = (scale: string, side: number, label: string) => ({
    scale,
    side,
    label,
    stroke: fg,
    grid: { stroke: grid, show: side === 3 },
    ticks: { stroke: grid },
  });
  const options = {
    width: 800,
    height: GRAPH_HEIGHT,
    scales: { x: { time: false } },
    series: [
      { label: "Time (s)", value: (_u: unknown, v: number | null) => (v === null ? "-" : `${v.toFixed(3)} s`) },
      { label: "All packets", scale: "packets", stroke: SERIES_COLOURS[0], width: 2 },
      ...shown.map((p, i) => ({ label: p.protocol, scale: "packets", stroke: SERIES_COLOURS[1 + i], width: 1 })),
      { label: "Bytes", scale: "bytes", stroke: SERIES_COLOURS[SERIES_COLOURS.length - 1], width: 1, dash: [4, 3] },
    ],
    axes: [
      { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid }, label: `Seconds (interval ${g.interval} s)` },
      axis("packets", 3, "Packets"),
      axis("bytes", 1, "Bytes"),
    ],
  };
  const data = [x, g.packets, ...shown.map((p) => p.packets), g.bytes];
  const chart = new Plot(options, data, box);
  const fit = () => chart.setSize({ width: Math.max(320, (box.clientWidth || 816) - 16), height: GRAPH_HEIGHT });
  // Drawn once it is in the page and its width is known, and again when the width changes.
  requestAnimationFrame(fit);
  if (typeof ResizeObserver === "function") new ResizeObserver(fit).observe(box);
  return [note(`Packets and bytes per ${g.interval} s, from ${summary.first ?? "the first packet"}.`), box];
}

function addStyle(): void {
  if (document.getElementById("capture-summary-style")) return;
  const style = el("style", SUMMARY_CSS);
  style.id = "capture-summary-style";
  document.head.append(style);
}

/**
 * Renders `summary` into `root`, replacing what it held: sections for the capture's
 * figures, the I/O graph, the protocol hierarchy, conversations, endpoints, DNS names and
 * TLS server names. Adds its style sheet to the page once. The graph needs the global
 * `uPlot` (without it, the section says so).
 *
 * @param root The element to fill.
 * @param summary What `SummaryBuilder.finish()` or `captureSummary()` gave.
 */
export function renderSummary(root: HTMLElement, summary: CaptureSummary): void {
  addStyle();
  root.classList.add("capture-summary");
  const sections = [
    section(
      "Capture",
      "summary-capture",
      ...(summary.fileError
        ? [
          el(
            "p",
            `The file is damaged: ${summary.fileError.message}. This report covers the packets before it.`,
            "warning",
          ),
        ]
        : []),
      facts(summary),
    ),
    section("I/O graph", "summary-io", ...ioGraph(summary)),
    section("Protocol hierarchy", "summary-hierarchy", hierarchy(summary)),
    section("Conversations", "summary-conversations", ...conversations(summary)),
    section("Endpoints", "summary-endpoints", ...endpoints(summary)),
    section("DNS query names", "summary-dns", ...names(summary.dnsNames, "DNS queries", "Queries")),
    section(
      "TLS server names",
      "summary-tls",
      ...names(summary.tlsNames, "TLS ClientHellos with a server name", "ClientHellos"),
    ),
  ];
  // The graph's box must be in the page before uPlot measures it: append, then draw.
  root.replaceChildren(...sections);
}
