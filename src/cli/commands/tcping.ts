import { MAX_DELAY_S } from "../../_delay.ts";
import { formatAddr } from "../../net/mod.ts";
import { parseHostPort } from "../../tools/host_port.ts";
import { tcping, type TcpingProbe, type TcpingSummary } from "../../tools/tcping.ts";
import { type CommandSpec, UsageError } from "../command.ts";
import { describeNetFailure } from "./_net_messages.ts";

const ms = (value: number): string => value.toFixed(3);

function probeLine(target: string, hostname: string, port: number, probe: TcpingProbe): string {
  if (probe.ok) return `connected to ${target}: seq=${probe.seq} time=${ms(probe.timeMs)} ms\n`;
  const why = probe.error?.code === "ECONNREFUSED"
    ? "connection refused"
    : probe.error?.code === "ETIMEDOUT"
    ? "timed out"
    : describeNetFailure(probe.error, hostname, port);
  return `no connection to ${target}: seq=${probe.seq} ${why} after ${ms(probe.timeMs)} ms\n`;
}

/** ping's two summary lines. */
function tcpingSummaryText(summary: TcpingSummary): string {
  const failed = Number.isInteger(summary.failedPercent)
    ? String(summary.failedPercent)
    : summary.failedPercent.toFixed(1);
  let line = `${summary.probes} probes, ${summary.ok} ok, ${failed}% failed`;
  if (summary.ok > 0) {
    line += `, min/avg/max/mdev = ${ms(summary.minMs!)}/${ms(summary.avgMs!)}/${ms(summary.maxMs!)}/${
      ms(summary.mdevMs!)
    } ms`;
  }
  return `--- ${summary.target} tcping statistics ---\n${line}\n`;
}

/** `anynet tcping`: ping for TCP services. */
export const tcpingCommand: CommandSpec = {
  name: "tcping",
  summary: "Measure TCP connect times to a service, like ping (which needs ICMP)",
  description: "Opens a TCP connection to HOST:PORT once per interval and closes it at once, printing the " +
    "connect time of each probe, then a summary like ping's. Ctrl-C stops early and still prints the summary. " +
    "Exits 0 when at least one probe connected, 1 when every probe failed, 2 on bad usage. " +
    "Write an IPv6 address in brackets: [::1]:80.",
  positionals: [{ name: "HOST:PORT", description: "The service to probe, such as 127.0.0.1:80 or [::1]:443" }],
  flags: [
    {
      name: "count",
      short: "c",
      type: "integer",
      description: "Number of probes (0: until interrupted)",
      default: 4,
      min: 0,
      valueName: "N",
    },
    {
      name: "interval",
      short: "i",
      type: "number",
      description: "Seconds between probes",
      default: 1,
      min: 0.001,
      max: MAX_DELAY_S,
      valueName: "SECONDS",
    },
    {
      name: "timeout",
      short: "t",
      type: "number",
      description: "Seconds a probe waits for the connection",
      default: 2,
      min: 0.001,
      max: MAX_DELAY_S,
      valueName: "SECONDS",
    },
  ],
  examples: ["tcping 127.0.0.1:65432", "tcping example.com:443 --count 10 --interval 0.5", "tcping [::1]:80 -c 0"],
  async run(input, io) {
    let addr;
    try {
      addr = parseHostPort(input.positionals[0]!);
    } catch (error) {
      throw new UsageError((error as Error).message, "tcping");
    }
    const count = input.flags.count as number;
    const target = formatAddr(addr);
    const probes = tcping({
      hostname: addr.hostname,
      port: addr.port,
      count: count === 0 ? Infinity : count,
      interval: (input.flags.interval as number) * 1000,
      timeout: (input.flags.timeout as number) * 1000,
      signal: io.signal,
    });
    await io.out(`TCPING ${target}\n`);
    for (;;) {
      const next = await probes.next();
      if (next.done) {
        await io.out(tcpingSummaryText(next.value));
        return next.value.ok > 0 ? 0 : 1;
      }
      await io.out(probeLine(target, addr.hostname, addr.port, next.value));
    }
  },
};
