import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../_helpers/cli.ts";
import { concat, ethernet, ipv4, pcap, pcapng, sampleFrames, udp } from "../_helpers/packet_writer.ts";

const dir = mkdtempSync(join(tmpdir(), "anynet-cli-pcap-"));
const frames = sampleFrames();
const good = join(dir, "good.pcap");
writeFileSync(good, pcap(frames.map((data, i) => ({ data, sec: 1700000000, frac: i }))));
const cut = join(dir, "cut.pcap");
const whole = pcap(frames.slice(0, 4).map((data) => ({ data })));
writeFileSync(cut, whole.subarray(0, whole.length - 5));
const malformed = join(dir, "malformed.pcapng");
const badFrame = ethernet(
  "02:00:00:00:00:02",
  "02:00:00:00:00:01",
  0x0800,
  ipv4({ proto: 17, totalLength: 900 }, udp(1, 2, new Uint8Array(3), { v: 4, src: "10.0.0.1", dst: "10.0.0.2" })),
);
writeFileSync(
  malformed,
  pcapng([{
    interfaces: [{ linktype: 1 }],
    blocks: [{ kind: "epb", iface: 0, ts: 5n, data: badFrame }, { kind: "epb", iface: 0, ts: 6n, data: frames[0] }],
  }]),
);

test("anynet pcap decode --json prints one object per packet in file order", async () => {
  const run = await runCli(["pcap", "decode", good, "--json"]);
  assert.is(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.is(lines.length, frames.length);
  assert.equal(lines.map((l) => l.n), frames.map((_, i) => i + 1));
  assert.is(lines[1].tls.sni, "example.com");
  assert.is(lines[3].dns.qname, "www.example.com");
  assert.is(lines[0].nsec, 0);
  assert.is(lines[1].nsec, 1000);
});

test("anynet pcap decode prints tcpdump-like lines and honours --limit", async () => {
  const run = await runCli(["pcap", "decode", good, "--limit", "3"]);
  assert.is(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split("\n");
  assert.is(lines.length, 3);
  assert.match(lines[0], /^1 1700000000\.000000000 IP 192\.168\.1\.10\.40000 > 93\.184\.216\.34\.443: TCP \[S\]/);
  assert.match(lines[2], /HTTP GET \/index\.html\?q=1 HTTP\/1\.1 host example\.org/);
});

test("anynet pcap decode keeps malformed packets and exits 0", async () => {
  const run = await runCli(["pcap", "decode", malformed, "--json"]);
  assert.is(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines[0].error, { layer: "ipv4", code: "bad-length", offset: 16 });
  assert.is(lines[0].iface, 0);
  assert.ok(lines[1].tcp);
});

test("anynet pcap decode prints the packets before file damage, then the error, exit 1", async () => {
  const run = await runCli(["pcap", "decode", cut, "--json"]);
  assert.is(run.code, 1);
  assert.is(run.stdout.trim().split("\n").length, 3);
  assert.match(run.stderr, /file ends in the middle of a record at byte offset \d+/);
  assert.not.match(run.stderr, /\n\s+at /, "no stack trace");
});

test("anynet pcap stats --json prints the counts", async () => {
  const run = await runCli(["pcap", "stats", good, "--json"]);
  assert.is(run.code, 0, run.stderr);
  const s = JSON.parse(run.stdout);
  assert.is(s.packets, frames.length);
  assert.is(s.bytes, frames.reduce((n, f) => n + f.length, 0));
  assert.is(s.capturedBytes, s.bytes);
  assert.equal(s.protocols, {
    ethernet: 10,
    vlan: 2,
    arp: 1,
    ipv4: 6,
    ipv6: 3,
    tcp: 4,
    udp: 3,
    icmp: 1,
    icmp6: 1,
    dns: 2,
    tls: 1,
    http: 1,
  });
  assert.is(s.flows, 8);
  assert.equal(s.topFlows[0], {
    proto: 6,
    a: "93.184.216.34:443",
    b: "192.168.1.10:40000",
    packets: 2,
    bytes: frames[0].length + frames[1].length,
  });
  assert.is(s.first, "2023-11-14T22:13:20.000000000Z");
  assert.is(s.last, "2023-11-14T22:13:20.000009000Z");
  assert.is(s.errors, 0);
});

test("anynet pcap stats and decode fail clearly on missing and non-capture files", async () => {
  const missing = await runCli(["pcap", "stats", join(dir, "nope.pcap")]);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /cannot read capture '.*nope\.pcap': no such file/);
  const folder = await runCli(["pcap", "decode", dir]);
  assert.is(folder.code, 1);
  assert.is(folder.stdout, "");
  assert.match(folder.stderr, /^anynet pcap decode: cannot read capture '.*': is a directory\n$/);
  const text = join(dir, "text.pcap");
  writeFileSync(text, concat(new TextEncoder().encode("just some text here")));
  const bad = await runCli(["pcap", "decode", text]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /not a pcap or pcapng file at byte offset 0/);
  const usage = await runCli(["pcap", "decode"]);
  assert.is(usage.code, 2);
  const limit = await runCli(["pcap", "decode", good, "--limit", "0"]);
  assert.is(limit.code, 2);
});

test("anynet pcap stats reports file damage after the counts, exit 1", async () => {
  const run = await runCli(["pcap", "stats", cut, "--json"]);
  assert.is(run.code, 1);
  assert.is(JSON.parse(run.stdout).packets, 3);
  assert.match(run.stderr, /middle of a record/);
});

test("cleanup", () => {
  rmSync(dir, { recursive: true, force: true });
});

test.run();
