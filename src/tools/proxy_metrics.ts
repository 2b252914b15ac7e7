/**
 * The proxy's counters as a live HTTP endpoint: `GET /` or `/stats` answers JSON (what
 * `stats()` returns), `GET /metrics` the Prometheus text exposition format (version
 * 0.0.4: `# HELP` and `# TYPE` lines, counters ending in `_total`, one series per backend
 * labelled `backend="HOST:PORT"`, the connect time as a histogram in seconds).
 *
 * @module
 */
import { checkOptionsObject } from "../_argument_checks.ts";
import { type HttpServer, serve } from "../http/serve.ts";
import { CONNECT_SECONDS_BOUNDS } from "./proxy_backend.ts";
import type { ProxyBackendStats, ProxyStats } from "./proxy.ts";

/** The content type of the Prometheus text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const BACKEND_STATES = ["up", "slow-start", "down"] as const;

/** A label value as the text format writes it: backslash, double quote and newline escaped. */
function labelValue(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A sample value: integers as they are, other numbers in full precision. */
function sampleValue(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN";
}

/** One metric family: its HELP and TYPE lines and its samples. */
class Family {
  readonly name: string;
  readonly lines: string[];
  constructor(name: string, type: "counter" | "gauge" | "histogram", help: string) {
    this.name = name;
    this.lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  }
  sample(value: number, labels: Record<string, string> = {}, suffix = ""): this {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${labelValue(v)}"`);
    this.lines.push(`${this.name}${suffix}${pairs.length ? `{${pairs.join(",")}}` : ""} ${sampleValue(value)}`);
    return this;
  }
}

/** Per-backend families: the metric name's tail, its type, its help, and the value. */
const BACKEND_FAMILIES: [string, "counter" | "gauge", string, (b: ProxyBackendStats) => number][] = [
  ["up", "gauge", "Whether the backend is in service (1) or down (0).", (b) => (b.healthy ? 1 : 0)],
  ["weight", "gauge", "The backend's configured weight.", (b) => b.weight],
  ["effective_weight", "gauge", "Its weight now: less in slow start, 0 when down.", (b) => b.effectiveWeight],
  ["connections_active", "gauge", "Connections open through the backend now.", (b) => b.active],
  ["connections_total", "counter", "Client connections sent to the backend.", (b) => b.connections],
  ["connect_failures_total", "counter", "Connection attempts refused or timed out.", (b) => b.connectFailures],
  ["broken_connections_total", "counter", "Connections ended by a reset or failure.", (b) => b.brokenConnections],
  ["sent_bytes_total", "counter", "Bytes sent from clients to the backend.", (b) => b.bytesUp],
  ["received_bytes_total", "counter", "Bytes sent from the backend to clients.", (b) => b.bytesDown],
];

/**
 * The proxy's counters in the Prometheus text exposition format.
 *
 * @param stats What `ProxyServer.stats()` returned.
 * @returns The text, ending in a newline.
 */
export function proxyMetricsText(stats: ProxyStats): string {
  const prefix = "anynet_proxy_";
  const families: Family[] = [
    new Family(`${prefix}connections_accepted_total`, "counter", "Clients taken on.").sample(stats.accepted),
    new Family(`${prefix}connections_active`, "gauge", "Client connections open now.").sample(stats.active),
    new Family(
      `${prefix}connections_rejected_total`,
      "counter",
      "Clients turned away because no backend could be reached.",
    )
      .sample(stats.rejected),
    new Family(`${prefix}connections_refused_total`, "counter", "Clients closed at once over the connection limit.")
      .sample(stats.refused),
    new Family(`${prefix}connections_idle_closed_total`, "counter", "Sessions closed for the idle timeout.")
      .sample(stats.idleClosed),
  ];
  const state = new Family(
    `${prefix}backend_state`,
    "gauge",
    "The backend's state: 1 for the state it is in, 0 for the others.",
  );
  for (const b of stats.backends) {
    for (const s of BACKEND_STATES) state.sample(b.state === s ? 1 : 0, { backend: b.backend, state: s });
  }
  families.push(state);
  for (const [tail, type, help, value] of BACKEND_FAMILIES) {
    const family = new Family(`${prefix}backend_${tail}`, type, help);
    for (const b of stats.backends) family.sample(value(b), { backend: b.backend });
    families.push(family);
  }
  const connect = new Family(
    `${prefix}backend_connect_seconds`,
    "histogram",
    "Time taken to open connections to the backend.",
  );
  for (const b of stats.backends) {
    const t = b.connectTime;
    CONNECT_SECONDS_BOUNDS.forEach((bound, i) =>
      connect.sample(t.buckets[i]!, { backend: b.backend, le: String(bound) }, "_bucket")
    );
    connect.sample(t.count, { backend: b.backend, le: "+Inf" }, "_bucket");
    connect.sample(t.sumSeconds, { backend: b.backend }, "_sum");
    connect.sample(t.count, { backend: b.backend }, "_count");
  }
  families.push(connect);
  return families.map((f) => f.lines.join("\n")).join("\n") + "\n";
}

/** Options of {@linkcode serveProxyStats}. */
export interface ProxyStatsServerOptions {
  /** The address to listen on. @default "127.0.0.1" */
  hostname?: string;
  /** The port; 0 picks a free one. @default 0 */
  port?: number;
  /** Aborting it closes the endpoint. */
  signal?: AbortSignal;
}

/**
 * Serves a proxy's counters over HTTP, live: `GET /` and `GET /stats` give JSON, `GET
 * /metrics` Prometheus text; other paths 404, other methods 405.
 *
 * @param stats Where the counters come from (`proxy.stats`), asked on every request.
 * @param options Where to listen.
 * @returns The HTTP server (close it with `close()`).
 * @example Watch a proxy
 * ```ts
 * import { serveEcho } from "anynet/echo";
 * import { serveProxyStats, startProxy } from "anynet/tools";
 * await using echo = await serveEcho({ port: 0 });
 * await using proxy = await startProxy({ port: 0, backends: [echo.addr] });
 * const endpoint = await serveProxyStats(() => proxy.stats(), { port: 0 });
 * const text = await (await fetch(`http://127.0.0.1:${endpoint.addr.port}/metrics`)).text();
 * console.assert(text.includes("anynet_proxy_backend_up"));
 * await endpoint.close();
 * ```
 */
export function serveProxyStats(
  stats: () => ProxyStats,
  options: ProxyStatsServerOptions = {},
): Promise<HttpServer> {
  checkOptionsObject("serve proxy stats", options, ["hostname", "port", "signal"]);
  return serve((request) => {
    const path = new URL(request.url).pathname;
    const known = path === "/" || path === "/stats" || path === "/metrics";
    if (!known) return new Response("not found: try /stats or /metrics\n", { status: 404 });
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    if (path === "/metrics") {
      return new Response(proxyMetricsText(stats()), { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } });
    }
    return new Response(JSON.stringify(stats(), null, 2) + "\n", {
      headers: { "content-type": "application/json" },
    });
  }, { hostname: options.hostname ?? "127.0.0.1", port: options.port ?? 0, signal: options.signal });
}
