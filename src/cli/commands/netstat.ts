import { CommandError, type CommandSpec } from "../command.ts";
import { NotSupportedError } from "../../tools/errors.ts";
import { formatEndpoint, netstat } from "../../tools/netstat.ts";

/** `anynet netstat`: this machine's sockets, like `ss -tuna`. */
export const netstatCommand: CommandSpec = {
  name: "netstat",
  summary: "List this machine's TCP and UDP sockets (like ss -tuna)",
  description: "Reads Linux's /proc/net/{tcp,tcp6,udp,udp6}. The owning process is shown where this user " +
    "may read it (all of them as root). Addresses are numeric; IPv6 ones in brackets.",
  flags: [
    { name: "tcp", short: "t", type: "boolean", description: "TCP sockets (both TCP and UDP when neither is given)" },
    { name: "udp", short: "u", type: "boolean", description: "UDP sockets" },
    {
      name: "listening",
      short: "l",
      type: "boolean",
      description: "Only listening sockets (TCP LISTEN, unconnected UDP)",
    },
    { name: "json", type: "boolean", description: "Print a JSON array of socket objects" },
    { name: "proc-root", type: "string", valueName: "DIR", description: "Where procfs is mounted", default: "/proc" },
  ],
  examples: ["netstat", "netstat --tcp --listening", "netstat -tl --json"],
  async run(input, io) {
    let sockets;
    try {
      sockets = await netstat({
        tcp: Boolean(input.flags.tcp),
        udp: Boolean(input.flags.udp),
        listening: Boolean(input.flags.listening),
        procRoot: input.flags["proc-root"] as string,
      });
    } catch (error) {
      if (error instanceof NotSupportedError) throw new CommandError(error.message, { cause: error });
      throw error;
    }
    if (input.flags.json) {
      const rows = sockets.map((s) => ({
        ...s,
        local: formatEndpoint(s.localAddress, s.localPort),
        peer: formatEndpoint(s.peerAddress, s.peerPort),
      }));
      await io.out(JSON.stringify(rows, null, 2) + "\n");
      return 0;
    }
    const table = [["Proto", "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", "Process"]];
    for (const s of sockets) {
      table.push([
        s.protocol,
        s.state,
        String(s.recvQueue),
        String(s.sendQueue),
        formatEndpoint(s.localAddress, s.localPort),
        formatEndpoint(s.peerAddress, s.peerPort),
        s.pid === undefined ? "" : `${s.pid}/${s.program}`,
      ]);
    }
    const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
    const text = table.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd()).join("\n");
    await io.out(text + "\n");
    return 0;
  },
};
