/**
 * `anynet tcping`: ping for TCP services, in lines for people or NDJSON for scripts.
 *
 * @module
 */
import { MAX_DELAY_S } from "../../_delay.ts";
import { formatAddr } from "../../net/mod.ts";
import { isIpAddress } from "../../net/_ip.ts";
import { netErrorKind } from "../../net/_to_net_error.ts";
import { detectRuntime } from "../../runtime/detect.ts";
import { type CertificateSummary, summarizeCertificate } from "../../tools/certificate_summary.ts";
import { parseHostPort } from "../../tools/host_port.ts";
import { tcping, type TcpingProbe, type TcpingSummary } from "../../tools/tcping.ts";
import { CommandError, type CommandSpec, UsageError } from "../command.ts";
import { missingPermissionFlag } from "../../_error_kind.ts";
import { describeNetFailure } from "./_net_messages.ts";
import { CA_FLAG, readCaFlag } from "./_pem_files.ts";

const ms = (value: number): string => value.toFixed(3);
const DAY_MS = 86_400_000;

/** Rounded to microseconds: more digits in JSON would only be noise. */
const jsonMs = (value: number | undefined): number | null =>
  value === undefined ? null : Math.round(value * 1000) / 1000;

function daysLeft(certificate: CertificateSummary, now: Date): number {
  return Math.floor((certificate.notAfter.getTime() - now.getTime()) / DAY_MS);
}

function readCertificate(probe: TcpingProbe): CertificateSummary | undefined {
  if (!probe.peerCertificate) return undefined;
  try {
    return summarizeCertificate(probe.peerCertificate);
  } catch {
    return undefined; // a certificate this reader cannot follow: the probe itself still worked
  }
}

interface Target {
  /** HOST:PORT as given. */
  text: string;
  hostname: string;
  port: number;
  tls: boolean;
}

function failureReason(probe: TcpingProbe, target: Target): string {
  const error = probe.error;
  if (error?.code === "ECONNREFUSED") return "connection refused";
  if (error?.code === "ETIMEDOUT") return probe.failedAt === "dns" ? "no answer from DNS in time" : "timed out";
  // The lookup's own words say which family was missing (`-4`/`-6`).
  if (error?.code === "ENOTFOUND") return error.message.replace(/^Cannot look up [^:]+: /, "");
  return describeNetFailure(error, target.hostname, target.port);
}

function probeLine(target: Target, probe: TcpingProbe, timestamps: boolean): string {
  const stamp = timestamps ? `[${probe.timestamp.toISOString()}] ` : "";
  const where = probe.address && probe.address !== target.hostname ? `${target.text} (${probe.address})` : target.text;
  if (probe.ok) {
    const lookup = isIpAddress(target.hostname) ? "" : ` dns=${ms(probe.dnsMs!)} ms`;
    const handshake = probe.tlsMs === undefined ? "" : ` tls=${ms(probe.tlsMs)} ms`;
    return `${stamp}connected to ${where}: seq=${probe.seq} time=${ms(probe.timeMs)} ms${lookup}${handshake}\n`;
  }
  const stage = probe.failedAt === "tls" ? " (TLS handshake)" : "";
  return `${stamp}no connection to ${where}: seq=${probe.seq} ${failureReason(probe, target)}${stage} after ${
    ms(probe.timeMs)
  } ms\n`;
}

/** The certificate, once: it is the same on every probe. */
function certificateLine(probe: TcpingProbe): string {
  const certificate = readCertificate(probe);
  if (!certificate) {
    return probe.peerCertificate
      ? "certificate: verified, but its fields could not be read\n"
      : `certificate: verified; ${detectRuntime().name} does not show its fields\n`;
  }
  const names = certificate.altNames.length > 0 ? `, names ${certificate.altNames.join(" ")}` : "";
  return `certificate: subject CN=${certificate.subject ?? "(none)"}${names}, issuer CN=${
    certificate.issuer ?? "(none)"
  }, expires ${certificate.notAfter.toISOString()} (${daysLeft(certificate, new Date())} days left)\n`;
}

function probeJson(target: Target, probe: TcpingProbe): string {
  const certificate = readCertificate(probe);
  const record: Record<string, unknown> = {
    type: "probe",
    seq: probe.seq,
    timestamp: probe.timestamp.toISOString(),
    host: target.hostname,
    address: probe.address ?? null,
    port: target.port,
    ok: probe.ok,
    dns_ms: jsonMs(probe.dnsMs),
    connect_ms: jsonMs(probe.connectMs),
  };
  if (target.tls) {
    record.tls_ms = jsonMs(probe.tlsMs);
    record.certificate = certificate
      ? {
        subject_cn: certificate.subject ?? null,
        issuer_cn: certificate.issuer ?? null,
        san: certificate.altNames,
        not_after: certificate.notAfter.toISOString(),
        days_left: daysLeft(certificate, probe.timestamp),
      }
      : null;
  }
  if (!probe.ok) {
    record.failed_at = probe.failedAt;
    record.time_ms = jsonMs(probe.timeMs);
    record.error = {
      kind: probe.error ? netErrorKind(probe.error) : "unknown",
      code: probe.error?.code ?? "EUNKNOWN",
      message: probe.error?.message ?? "",
    };
  }
  return JSON.stringify(record) + "\n";
}

function summaryJson(target: Target, summary: TcpingSummary): string {
  return JSON.stringify({
    type: "summary",
    host: target.hostname,
    port: target.port,
    sent: summary.probes,
    ok: summary.ok,
    failed: summary.probes - summary.ok,
    loss_percent: Math.round(summary.failedPercent * 1000) / 1000,
    min_ms: summary.minMs === null ? null : jsonMs(summary.minMs),
    avg_ms: summary.avgMs === null ? null : jsonMs(summary.avgMs),
    max_ms: summary.maxMs === null ? null : jsonMs(summary.maxMs),
    mdev_ms: summary.mdevMs === null ? null : jsonMs(summary.mdevMs),
  }) + "\n";
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
    "connect time of each probe, then a summary like ping's. Each probe looks the name up again (ping does so " +
    "once) and reports the lookup (dns=), the TCP connect (time=, which the summary is over) and, with --tls, " +
    "the TLS handshake (tls=) apart; the certificate's subject, names and expiry are printed once. " +
    "--json prints one JSON object per probe and a summary object, one per line. " +
    "Ctrl-C stops early and still prints the summary. " +
    "Exits 0 when at least one probe connected, 1 when every probe failed, 2 on bad usage. " +
    "Write an IPv6 address in brackets: [::1]:80. The certificate is always verified (there is no way " +
    "to switch that off); trust a private CA with --ca.",
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
      description: "Seconds a probe waits for the lookup, connection and handshake",
      default: 2,
      min: 0.001,
      max: MAX_DELAY_S,
      valueName: "SECONDS",
    },
    { name: "json", type: "boolean", description: "One JSON object per probe, then a summary object (NDJSON)" },
    { name: "tls", type: "boolean", description: "Make a TLS handshake after each connect and time it" },
    CA_FLAG,
    { name: "ipv4", short: "4", type: "boolean", description: "Use IPv4 addresses only" },
    { name: "ipv6", short: "6", type: "boolean", description: "Use IPv6 addresses only" },
    {
      name: "timestamps",
      short: "D",
      type: "boolean",
      description: "Start each probe's line with its time (ISO 8601)",
    },
  ],
  examples: [
    "tcping 127.0.0.1:65432",
    "tcping example.com:443 --count 10 --interval 0.5",
    "tcping [::1]:80 -c 0",
    "tcping example.com:443 --tls --json",
    "tcping localhost:8443 --tls --ca ca.pem -6 -D",
  ],
  async run(input, io) {
    const f = input.flags;
    let addr;
    try {
      addr = parseHostPort(input.positionals[0]!);
    } catch (error) {
      throw new UsageError((error as Error).message, "tcping");
    }
    if (f.ipv4 === true && f.ipv6 === true) throw new UsageError("give -4 or -6, not both", "tcping");
    const family = f.ipv4 === true ? 4 : f.ipv6 === true ? 6 : undefined;
    if (family !== undefined && isIpAddress(addr.hostname) && addr.hostname.includes(":") !== (family === 6)) {
      throw new UsageError(`${addr.hostname} is not an IPv${family} address (-${family})`, "tcping");
    }
    const caCerts = await readCaFlag(f, "tcping");
    const count = f.count as number;
    const target: Target = { text: formatAddr(addr), hostname: addr.hostname, port: addr.port, tls: f.tls === true };
    const json = f.json === true;
    const probes = tcping({
      hostname: addr.hostname,
      port: addr.port,
      count: count === 0 ? Infinity : count,
      interval: (f.interval as number) * 1000,
      timeout: (f.timeout as number) * 1000,
      ...(family ? { family } : {}),
      ...(target.tls ? { tls: { caCerts } } : {}),
      signal: io.signal,
    });
    if (!json) await io.out(`TCPING ${target.text}${target.tls ? " with TLS" : ""}\n`);
    let certificateShown = false;
    for (;;) {
      const next = await probes.next();
      if (next.done) {
        await io.out(json ? summaryJson(target, next.value) : tcpingSummaryText(next.value));
        return next.value.ok > 0 ? 0 : 1;
      }
      const probe = next.value;
      // Another probe would be refused the same way: say what grants it, once (see main()).
      if (probe.error && missingPermissionFlag(probe.error)) {
        throw new CommandError(failureReason(probe, target), { cause: probe.error });
      }
      if (json) {
        await io.out(probeJson(target, probe));
        continue;
      }
      await io.out(probeLine(target, probe, f.timestamps === true));
      if (target.tls && probe.ok && !certificateShown) {
        certificateShown = true;
        await io.out(certificateLine(probe));
      }
    }
  },
};
