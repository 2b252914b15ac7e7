/**
 * Every command of the `anynet` CLI, in the order `anynet --help` lists them.
 * A new command is a file in this folder and one line here. Each module is imported only
 * when its command runs (or for the full help), so a command loads just what it uses.
 *
 * @module
 */
import type { CommandEntry, CommandSpec } from "../command.ts";

function entry(name: string, load: () => Promise<CommandSpec>): CommandEntry {
  return { name, load };
}

/** All commands. */
export const commands: readonly CommandEntry[] = [
  entry("echo-server", async () => (await import("./echo_server.ts")).echoServerCommand),
  entry("echo", async () => (await import("./echo.ts")).echoCommand),
  entry("get", async () => (await import("./http_request.ts")).getCommand),
  entry("post", async () => (await import("./http_request.ts")).postCommand),
  entry("put", async () => (await import("./http_request.ts")).putCommand),
  entry("patch", async () => (await import("./http_request.ts")).patchCommand),
  entry("delete", async () => (await import("./http_request.ts")).deleteCommand),
  entry("serve-api", async () => (await import("./serve_api.ts")).serveApiCommand),
  entry("serve-static", async () => (await import("./serve_static.ts")).serveStaticCommand),
  entry("pcap decode", async () => (await import("./pcap_decode.ts")).pcapDecodeCommand),
  entry("pcap stats", async () => (await import("./pcap_stats.ts")).pcapStatsCommand),
  entry("pcap conv", async () => (await import("./pcap_conv.ts")).pcapConvCommand),
  entry("pcap export", async () => (await import("./pcap_export.ts")).pcapExportCommand),
  entry("pcap report", async () => (await import("./pcap_report.ts")).pcapReportCommand),
  entry("pcap view", async () => (await import("./pcap_view.ts")).pcapViewCommand),
  entry("netstat", async () => (await import("./netstat.ts")).netstatCommand),
  entry("tcping", async () => (await import("./tcping.ts")).tcpingCommand),
  entry("proxy", async () => (await import("./proxy.ts")).proxyCommand),
  entry("bench echo", async () => (await import("./bench_echo.ts")).benchEchoCommand),
  entry("bench http", async () => (await import("./bench_http.ts")).benchHttpCommand),
  entry("demo", async () => (await import("./demo.ts")).demoCommand),
  entry("info", async () => (await import("./info.ts")).infoCommand),
];
