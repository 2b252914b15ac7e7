import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  buildTcpConversation,
  captureReport,
  captureStats,
  type CaptureSummary,
  captureSummary,
  type ConnRecord,
  conversations,
  type HierarchyNode,
  openCapture,
  SummaryBuilder,
  writePcap,
} from "anynet/packet";
import { runCli } from "../_helpers/cli.ts";
import { sampleFrames } from "../../scripts/_packet_writer.ts";

const dir = mkdtempSync(join(tmpdir(), "anynet-report-"));
const text = (s: string) => new TextEncoder().encode(s);
const T0 = 1_700_000_000_000;

// Two TCP connections with handshakes and data, and every protocol the decoder knows,
// over 30 seconds.
const conversationFrames = [
  ...buildTcpConversation({
    client: { hostname: "10.1.0.1", port: 40001 },
    server: { hostname: "10.1.0.2", port: 443 },
    messages: [{ from: "client", data: text("x".repeat(900)) }, { from: "server", data: text("y".repeat(4000)) }],
    clientIsn: 1000,
    serverIsn: 9000,
  }),
  ...buildTcpConversation({
    client: { hostname: "2001:db8::1", port: 50000 },
    server: { hostname: "2001:db8::2", port: 8080 },
    messages: [{ from: "client", data: text("GET / HTTP/1.1\r\n\r\n") }],
    closedBy: "server",
    clientIsn: 5,
    serverIsn: 77,
  }),
];
const sample = sampleFrames();
const frames = [...conversationFrames, ...sample, ...sample, ...sample];
const mixed = writePcap(frames.map((data, i) => ({ data, time: T0 + i * 100 })));
const mixedPath = join(dir, "mixed.pcap");
writeFileSync(mixedPath, mixed);

async function summaryOfBatches(source: Uint8Array | string, top = 50): Promise<CaptureSummary> {
  const builder = new SummaryBuilder({ top });
  for await (const batch of openCapture(source)) builder.add(batch);
  return builder.finish();
}

function byBytes(a: ConnRecord, b: ConnRecord): number {
  return b.orig_ip_bytes + b.resp_ip_bytes - (a.orig_ip_bytes + a.resp_ip_bytes) || a.ts - b.ts;
}

function framesUnder(node: HierarchyNode, protocol: string): number {
  return (node.protocol === protocol ? node.frames : 0) +
    node.children.reduce((sum, child) => sum + framesUnder(child, protocol), 0);
}

test("SummaryBuilder counts what captureStats() counts for the same capture", async () => {
  const summary = await summaryOfBatches(mixed);
  const stats = await captureStats(mixed);
  assert.is(summary.packets, stats.packets);
  assert.is(summary.packets, frames.length);
  assert.is(summary.bytes, stats.bytes);
  assert.is(summary.capturedBytes, stats.capturedBytes);
  assert.is(summary.first, stats.first);
  assert.is(summary.last, stats.last);
  assert.is(summary.errors, stats.errors);
  assert.is(summary.duration, (frames.length - 1) * 0.1);
  assert.ok(Math.abs(summary.packetRate! - frames.length / summary.duration!) < 1e-9);
  assert.equal(summary.linkTypes, [{ link: "ethernet", packets: frames.length }]);
});

test("SummaryBuilder's protocol hierarchy totals match the capture's protocol counts", async () => {
  const { hierarchy } = await summaryOfBatches(mixed);
  const stats = await captureStats(mixed);
  assert.is(hierarchy.protocol, "frame");
  assert.is(hierarchy.frames, stats.packets);
  assert.is(hierarchy.bytes, stats.bytes);
  const p = stats.protocols;
  const expected: [string, number][] = [
    ["eth", p.ethernet],
    ["vlan", p.vlan],
    ["arp", p.arp],
    ["ip", p.ipv4],
    ["ipv6", p.ipv6],
    ["tcp", p.tcp],
    ["udp", p.udp],
    ["dns", p.dns],
    ["tls", p.tls],
    ["http", p.http],
  ];
  for (const [protocol, frames] of expected) assert.is(framesUnder(hierarchy, protocol), frames, protocol);
  // Each node holds at least what its children hold.
  const check = (node: HierarchyNode) => {
    assert.ok(node.children.reduce((sum, c) => sum + c.frames, 0) <= node.frames, node.protocol);
    node.children.forEach(check);
  };
  check(hierarchy);
});

test("SummaryBuilder's conversations are conversations()' rows, largest first, cut to top", async () => {
  const rows: ConnRecord[] = [];
  for await (const row of conversations(mixed)) rows.push(row);
  rows.sort(byBytes);
  const all = await summaryOfBatches(mixed);
  assert.is(all.conversations.total, rows.length);
  assert.equal([...all.conversations.top].sort(byBytes), rows);
  const three = await summaryOfBatches(mixed, 3);
  assert.is(three.conversations.total, rows.length);
  assert.equal(three.conversations.top.map((c) => c.community_id), rows.slice(0, 3).map((c) => c.community_id));
});

test("SummaryBuilder's endpoints are those of anynet pcap conv --endpoints", async () => {
  const run = await runCli(["pcap", "conv", mixedPath, "--endpoints", "--json"]);
  assert.is(run.code, 0, run.stderr);
  const cli = run.stdout.trim().split("\n").map((line) => JSON.parse(line));
  const { endpoints } = await summaryOfBatches(mixed);
  assert.is(endpoints.total, cli.length);
  const key = (e: { address: string }) => e.address;
  assert.equal(
    [...endpoints.top].sort((a, b) => key(a).localeCompare(key(b))),
    cli.sort((a, b) => key(a).localeCompare(key(b))),
  );
});

test("SummaryBuilder lists the DNS query names and TLS server names with their counts", async () => {
  const { dnsNames, tlsNames } = await summaryOfBatches(mixed);
  assert.equal(dnsNames, {
    names: [{ name: "ipv6.example.net", count: 3 }, { name: "www.example.com", count: 3 }],
    distinct: 2,
    uncounted: 0,
  });
  assert.equal(tlsNames, { names: [{ name: "example.com", count: 3 }], distinct: 1, uncounted: 0 });
});

test("SummaryBuilder gives the same summary from records as from batches", async () => {
  const fromRecords = new SummaryBuilder({ top: 50 });
  for await (const batch of openCapture(mixed)) for (const record of batch) fromRecords.add(record);
  assert.equal(fromRecords.finish(), await summaryOfBatches(mixed));
});

test("SummaryBuilder's I/O graph sums to the capture and picks its interval from the duration", async () => {
  const short = await summaryOfBatches(mixed);
  const g = short.ioGraph;
  assert.is(g.packets.reduce((a, b) => a + b, 0), short.packets);
  assert.is(g.bytes.reduce((a, b) => a + b, 0), short.bytes);
  // 4.7 seconds: 10-ms intervals would be 471 of them, past the bound of 250.
  assert.is(g.interval, 0.02);
  assert.is(g.packets.length, 236);
  for (let i = 0; i < g.packets.length; i++) {
    assert.is(g.protocols.reduce((sum, p) => sum + p.packets[i], 0), g.packets[i]);
  }
  assert.is(g.protocols[0].protocol, "tcp");
  // An hour, and one packet dated a minute before the first: 20-second intervals from it.
  const hour = writePcap([
    { data: sample[0], time: T0 },
    { data: sample[1], time: T0 + 3_600_000 },
    { data: sample[2], time: T0 - 60_000 },
  ]);
  const long = (await summaryOfBatches(hour)).ioGraph;
  assert.is(long.interval, 20);
  assert.is(long.start, (T0 - 60_000) / 1000);
  assert.is(long.packets.length, 184);
  assert.equal([long.packets[0], long.packets[3], long.packets[183]], [1, 1, 1]);
});

test("SummaryBuilder refuses bad options and packets after finish()", () => {
  assert.throws(() => new SummaryBuilder({ top: 0 }), /Cannot summarise capture: 'top' must be an integer from 1/);
  assert.throws(() => new SummaryBuilder({ tpo: 3 } as never), /did you mean 'top'/);
  const builder = new SummaryBuilder();
  const empty = builder.finish();
  assert.is(empty.packets, 0);
  assert.is(empty.first, null);
  assert.is(builder.finish(), empty);
  assert.throws(() => builder.add({ caplen: 1, len: 1, link: "raw" }), /summary is finished/);
});

test("captureReport() embeds the summary so that no text in it can end its script", async () => {
  const name = "</script><script>alert(1)</script>\u2028<!--";
  const html = await captureReport(mixed, { name });
  assert.not.ok(html.includes("</script><script>alert"));
  assert.ok(html.includes("<title>Capture report: &#60;/script&#62;"));
  const json = html.match(/<script type="application\/json" id="capture-summary">(.*?)<\/script>/s)?.[1];
  assert.ok(json);
  assert.not.ok(json.includes("\u2028"));
  const embedded = JSON.parse(json) as CaptureSummary;
  assert.is(embedded.name, name);
  assert.equal(embedded, JSON.parse(JSON.stringify(await captureSummary(mixed, { name }))));
  // Everything is inline: no script, style sheet or image comes from elsewhere.
  assert.not.match(html, /<(script|link|img)[^>]+(src|href)=/i);
});

test("captureSummary() names a file's format and keeps only what --filter matches", async () => {
  const summary = await captureSummary(mixedPath, { filter: "dns" });
  assert.is(summary.name, "mixed.pcap");
  assert.is(summary.fileFormat, "pcap");
  assert.is(summary.packets, 6);
  assert.equal(summary.tlsNames.names, []);
});

test("captureSummary() of a capture cut short covers the packets before the damage", async () => {
  const summary = await captureSummary(mixed.subarray(0, mixed.length - 5));
  assert.is(summary.packets, frames.length - 1);
  assert.match(summary.fileError!.message, /ends in the middle of a record/);
  assert.is(summary.fileError!.offset, mixed.length - 5 - (frames.at(-1)!.length + 16 - 5));
});

test("anynet pcap report writes the HTML page; bad input is one line and a non-zero exit", async () => {
  const out = join(dir, "report.html");
  const cutPath = join(dir, "cut.pcap"), cutOut = join(dir, "cut.html");
  writeFileSync(cutPath, mixed.subarray(0, mixed.length - 5));
  const [ok, cut] = await Promise.all([
    runCli(["pcap", "report", mixedPath, "-o", out]),
    runCli(["pcap", "report", cutPath, "-o", cutOut]),
  ]);
  assert.is(ok.code, 0, ok.stderr);
  // Like pcap stats: the report of what came before the damage, and exit 1.
  assert.is(cut.code, 1, cut.stderr);
  assert.match(cut.stderr, new RegExp(`report of the ${frames.length - 1} packets before the damage written`));
  assert.match(cut.stderr, /cut\.pcap: file ends in the middle of a record at byte offset \d+/);
  assert.match(readFileSync(cutOut, "utf8"), /"fileError":\{"message":"file ends in the middle/);
  assert.match(ok.stderr, /written to/);
  const html = readFileSync(out, "utf8");
  assert.match(html, /<title>Capture report: mixed\.pcap<\/title>/);
  const notCapture = join(dir, "notes.txt"), notCaptureOut = join(dir, "notes.html");
  writeFileSync(notCapture, "hello, this is not a capture at all\n");
  const cases: [string[], RegExp][] = [
    [["pcap", "report", mixedPath], /needs -o OUT/],
    [["pcap", "report", join(dir, "missing.pcap"), "-o", out], /cannot read capture '.*missing\.pcap': no such file/],
    [["pcap", "report", notCapture, "-o", notCaptureOut], /notes\.txt: .*(magic|not a)/i],
    [
      ["pcap", "report", mixedPath, "-o", join(dir, "no-such-dir", "r.html")],
      /cannot write --output .*: no such folder/,
    ],
  ];
  // Started together: each is a process start, and they do not depend on each other.
  const runs = await Promise.all(cases.map(([args]) => runCli(args)));
  for (const [i, [args, message]] of cases.entries()) {
    const run = runs[i];
    assert.ok(run.code !== 0 && run.code !== null, `${args.join(" ")}: exit ${run.code}`);
    assert.match(run.stderr, message);
    assert.is(run.stderr.trim().split("\n").length <= 2, true, run.stderr);
    assert.not.match(run.stderr, /\n\s+at /, run.stderr);
  }
  // Nothing is written for what is not a capture at all.
  assert.not.ok(existsSync(notCaptureOut));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
