/**
 * Every command of the `anynet` CLI, in the order `anynet --help` lists them.
 * A new command is a file in this folder and one line here (its name, its summary as its
 * spec says it, and how to load it). Each module is imported only when its command runs,
 * so a command loads just what it uses; the full help lists the summaries written here
 * (loading every command for it took 0.37 s on Node; test/cli/registry.test.ts checks
 * that they match the specs).
 *
 * @module
 */
import type { CommandEntry, CommandSpec } from "../command.ts";

function entry(name: string, summary: string, load: () => Promise<CommandSpec>): CommandEntry {
  return { name, summary, load };
}

/** All commands. */
export const commands: readonly CommandEntry[] = [
  entry(
    "echo-server",
    "Run an echo server (TCP, TLS or UDP) that serves many clients at once",
    async () => (await import("./echo_server.ts")).echoServerCommand,
  ),
  entry(
    "echo",
    "Send a message to an echo server and print what comes back",
    async () => (await import("./echo.ts")).echoCommand,
  ),
  entry(
    "get",
    "Fetch a URL and print the body (JSON pretty-printed)",
    async () => (await import("./http_request.ts")).getCommand,
  ),
  entry("post", "POST JSON to a URL and print the answer", async () => (await import("./http_request.ts")).postCommand),
  entry("put", "PUT JSON to a URL and print the answer", async () => (await import("./http_request.ts")).putCommand),
  entry(
    "patch",
    "PATCH a URL with JSON and print the answer",
    async () => (await import("./http_request.ts")).patchCommand,
  ),
  entry("delete", "DELETE a URL and print the answer", async () => (await import("./http_request.ts")).deleteCommand),
  entry(
    "serve-api",
    "Serve a local JSONPlaceholder-style REST API (posts, comments, users)",
    async () => (await import("./serve_api.ts")).serveApiCommand,
  ),
  entry(
    "serve-static",
    "Serve the files under a directory over HTTP (ETag, 304, ranges, compression)",
    async () => (await import("./serve_static.ts")).serveStaticCommand,
  ),
  entry(
    "pcap decode",
    "Decode a pcap or pcapng capture, one line or JSON object per packet",
    async () => (await import("./pcap_decode.ts")).pcapDecodeCommand,
  ),
  entry(
    "pcap stats",
    "Count packets, bytes, protocols and conversations of a capture",
    async () => (await import("./pcap_stats.ts")).pcapStatsCommand,
  ),
  entry(
    "pcap conv",
    "List a capture's connections like Zeek's conn.log, its endpoints or its protocol hierarchy",
    async () => (await import("./pcap_conv.ts")).pcapConvCommand,
  ),
  entry(
    "pcap export",
    "Export a capture as a table, one row per packet: Parquet, CSV or NDJSON",
    async () => (await import("./pcap_export.ts")).pcapExportCommand,
  ),
  entry(
    "pcap report",
    "Write a capture's summary as one self-contained HTML page",
    async () => (await import("./pcap_report.ts")).pcapReportCommand,
  ),
  entry(
    "pcap view",
    "Look at a capture in the browser: packet list, display filter, detail tree and bytes",
    async () => (await import("./pcap_view.ts")).pcapViewCommand,
  ),
  entry(
    "netstat",
    "List this machine's TCP and UDP sockets (like ss -tuna)",
    async () => (await import("./netstat.ts")).netstatCommand,
  ),
  entry(
    "tcping",
    "Measure TCP connect times to a service, like ping (which needs ICMP)",
    async () => (await import("./tcping.ts")).tcpingCommand,
  ),
  entry(
    "proxy",
    "Run a TCP load balancer in front of several backends, with health checks",
    async () => (await import("./proxy.ts")).proxyCommand,
  ),
  entry(
    "bench echo",
    "Load an echo server and check every echoed byte (round trips/s, MB/s, latency)",
    async () => (await import("./bench_echo.ts")).benchEchoCommand,
  ),
  entry(
    "bench http",
    "Load an HTTP server like wrk (requests/s, bytes/s, latency percentiles, statuses, errors)",
    async () => (await import("./bench_http.ts")).benchHttpCommand,
  ),
  entry(
    "demo",
    "Tour the toolkit: TCP, UDP and TLS echo, HTTP with retries, a capture decoded",
    async () => (await import("./demo.ts")).demoCommand,
  ),
  entry(
    "info",
    "Show the anynet version and the runtime it runs on",
    async () => (await import("./info.ts")).infoCommand,
  ),
];
