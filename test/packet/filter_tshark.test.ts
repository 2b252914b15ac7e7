import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openCapture } from "anynet/packet";
import { runCli } from "../_helpers/cli.ts";
import { importPrivate } from "../_helpers/private_module.ts";
import { announceSkip, onPath, root, testRuntime } from "../_helpers/env.ts";
import { pcap, sampleFrames } from "../../scripts/_packet_writer.ts";

// Captures of the tcpdump corpus on which anynet and tshark decode the same layers: no
// tunnels, no ICMP errors quoting a packet, HTTP only as requests over TCP (see the
// differences in docs/packets.md). Missing files are left out.
const CORPUS = join(process.env.ANYNET_CORPUS ?? join(root, "..", "shared", "corpus"), "tcpdump");
const CAPTURES = [
  "mptcp-aa-v1.pcap",
  "ldp-common-session.pcap",
  "dcb_ets.pcap",
  "edns-opts.pcap",
  "print-flags.pcap",
  "bgp-4byte-asn.pcap",
  "dhcpv4v6-rfc5970-rfc8572.pcap",
];

const EXPRESSIONS = [
  "tcp && !(tcp.len == 0)",
  "udp.port in {53, 67..68, 546..547}",
  "ip.addr == 10.0.0.0/8 or ipv6.addr == fe80::/10",
  "ip.addr != 10.0.0.1 and ip.proto == 6",
  "tcp.flags.syn == 1 and tcp.flags.ack == 0 || tcp.flags.reset == 1",
  "not ip.ttl < 64 and frame.len >= 100",
  'dns.flags.response == 1 && dns.qry.name contains "e"',
  "eth.dst == ff:ff:ff:ff:ff:ff or eth.addr == 33:33:00:00:00:01",
  "vlan.id in {1..100} or icmpv6.type == 135",
  'http.request.method == "GET" or tls.handshake.extensions_server_name matches "^EXAMPLE"',
  "ipv6.nxt == 17 and ipv6.hlim == 1",
  "frame.time_epoch > 1700000004.5 and frame.time_epoch <= 1700000008.123456 or frame.cap_len in {60, 74..90}",
];

const FIELDS = [
  "frame.number",
  "frame.len",
  "frame.time_epoch",
  "eth.addr",
  "eth.type",
  "vlan.id",
  "ip.src",
  "ip.dst",
  "ip.proto",
  "ip.ttl",
  "ip.id",
  "ip.flags.df",
  "ipv6.addr",
  "ipv6.nxt",
  "ipv6.flow",
  "tcp.port",
  "tcp.flags",
  "tcp.flags.syn",
  "tcp.len",
  "tcp.seq_raw",
  "udp.srcport",
  "udp.length",
  "icmp.type",
  "icmpv6.type",
  "arp.opcode",
  "dns.id",
  "dns.flags.response",
  "dns.flags.rcode",
  "dns.qry.name",
  "dns.qry.type",
  "tls.handshake.extensions_server_name",
  "tls.handshake.extensions_alpn_str",
  "http.request.method",
  "http.request.uri",
  "http.host",
];

const hasTshark = onPath("tshark") && onPath("mergecap");
// tshark takes most of a second to start: these comparisons run on one leg, the newest Node's.
const thisLeg = testRuntime === "node" && process.versions.node.startsWith("26.");

function tshark(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    // A request split over segments is HTTP on its first one, as anynet sees it; and a
    // segment seen again (the capture is repeated below) is not skipped as a retransmission.
    const options = ["-o", "tcp.desegment_tcp_streams:FALSE", "-o", "tcp.analyze_sequence_numbers:FALSE"];
    const child = spawn("tshark", [...options, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "", err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`tshark ${args.join(" ")}: ${err}`))));
  });
}

async function anynetFrames(path: string, filter: string): Promise<number[]> {
  const out: number[] = [];
  for await (const batch of openCapture(path, { filter })) {
    for (let i = 0; i < batch.length; i++) out.push(batch.frameNumber(i));
  }
  return out;
}

if (!hasTshark) {
  announceSkip("tshark or mergecap not installed: the filter comparison with tshark is skipped");
  test.skip("filters, --fields and -w agree with tshark (tshark absent)", () => {});
} else if (!thisLeg) {
  announceSkip("the filter comparison with tshark runs on the Node 26 leg only");
  test.skip("filters, --fields and -w agree with tshark (another leg)", () => {});
} else {
  const dir = mkdtempSync(join(tmpdir(), "anynet-filter-tshark-"));
  const sample = join(dir, "sample.pcap");
  writeFileSync(sample, pcap(sampleFrames().map((data, i) => ({ data, sec: 1700000000 + i, frac: 123456 }))));
  const corpus = CAPTURES.map((f) => join(CORPUS, f)).filter((f) => existsSync(f));
  if (corpus.length === 0) {
    announceSkip(`the tcpdump corpus is absent (${CORPUS}): only the sample capture is compared`);
  }
  // One capture of them all (pcapng, one interface per input): each tshark run reads it once.
  const merged = join(dir, "merged.pcapng");
  const merge = spawnSync("mergecap", ["-a", "-F", "pcapng", "-w", merged, sample, ...corpus], { encoding: "utf8" });

  test("the merged capture is there", () => {
    assert.is(merge.status, 0, merge.stderr);
  });

  test("filters select the same frames as tshark -Y", async () => {
    // tshark takes most of a second to start, so it runs once: over one copy of the capture
    // per expression, with the expression of copy j applied to copy j's frame numbers.
    const copies = join(dir, "copies.pcapng");
    const made = spawnSync("mergecap", ["-a", "-w", copies, ...EXPRESSIONS.map(() => merged)], { encoding: "utf8" });
    assert.is(made.status, 0, made.stderr);
    let size = 0;
    for await (const batch of openCapture(merged)) size += batch.length;
    const combined = EXPRESSIONS.map((e, j) => `(frame.number in {${j * size + 1}..${(j + 1) * size}} && (${e}))`)
      .join(" || ");
    const theirs = (await tshark(["-r", copies, "-Y", combined, "-T", "fields", "-e", "frame.number"]))
      .split("\n").filter((l) => l !== "").map(Number);
    const problems: string[] = [];
    for (const [j, expression] of EXPRESSIONS.entries()) {
      const expected = theirs.filter((n) => n > j * size && n <= (j + 1) * size).map((n) => n - j * size);
      const ours = await anynetFrames(merged, expression);
      // Some expressions are for the corpus captures: on the sample alone they may match nothing.
      if (expected.length === 0 && corpus.length > 0) {
        problems.push(`${expression}: tshark matches nothing, a weak test`);
      }
      if (ours.join(" ") !== expected.join(" ")) {
        problems.push(`${expression}:\n  tshark ${expected.join(" ")}\n  anynet ${ours.join(" ")}`);
      }
    }
    assert.equal(problems, []);
  });

  test("--fields prints what tshark -T fields -e prints", async () => {
    const args = ["-r", merged, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-E", "header=y"];
    const theirs = (await tshark([...args, ...FIELDS.flatMap((f) => ["-e", f])])).split("\n");
    const run = await runCli(["pcap", "decode", merged, "--fields", FIELDS.join(","), "--header"]);
    assert.is(run.code, 0, run.stderr);
    const ours = run.stdout.split("\n");
    assert.is(ours.length, theirs.length, "lines");
    const problems: string[] = [];
    ours.forEach((line, i) => {
      const a = line.split("\t"), b = theirs[i].split("\t");
      FIELDS.forEach((f, j) => {
        if (a[j] !== b[j]) problems.push(`line ${i + 1} ${f}: tshark '${b[j]}', anynet '${a[j]}'`);
      });
    });
    assert.equal(problems.slice(0, 20), []);
  });

  for (const ext of ["pcap", "pcapng"]) {
    test(`-w OUT.${ext}: tshark reads the matching packets, timestamps, lengths and bytes unchanged`, async () => {
      const out = join(dir, `out.${ext}`);
      const filter = "tcp or dns";
      // The pcap output needs one link type: Ethernet packets only (the merged file has others).
      const source = ext === "pcap" ? sample : merged;
      const run = await runCli(["pcap", "decode", source, "--filter", filter, "-w", out]);
      assert.is(run.code, 0, run.stderr);
      const fields = [
        "-T",
        "fields",
        "-e",
        "frame.time_epoch",
        "-e",
        "frame.len",
        "-e",
        "frame.cap_len",
        "-e",
        "eth.src",
      ];
      const written = await tshark(["-r", out, ...fields]);
      const expected = await tshark(["-r", source, "-Y", filter, ...fields]);
      assert.ok(expected.split("\n").length > 3, "enough matches to compare");
      assert.is(written, expected);
      assert.match(run.stderr, new RegExp(`^${expected.trim().split("\n").length} packets written to `));
      // Bytes: every written packet equals the matching input packet.
      const L = await importPrivate<typeof import("../../src/packet/_layout.ts")>("packet/_layout");
      const frames = async (path: string, f?: string) => {
        const list: string[] = [];
        for await (const batch of openCapture(path, { filter: f })) {
          for (let i = 0; i < batch.length; i++) {
            const r = i * L.NCOLS;
            const data = batch._table[r + L.C_DATA], caplen = batch._table[r + L.C_CAPLEN];
            list.push(Buffer.from(batch._bytes.subarray(data, data + caplen)).toString("hex"));
          }
        }
        return list;
      };
      assert.equal(await frames(out), await frames(source, filter));
      if (ext === "pcapng") assert.is(readFileSync(out).readUInt32LE(0), 0x0a0d0d0a);
    });
  }

  test("--fields of headers a snap length cut print what tshark prints", async () => {
    // Every sample frame cut at every length past its Ethernet header: what lies within the
    // captured bytes is shown, the rest is empty, on both sides. (tshark also shows the
    // tsval of a timestamps option cut after it; anynet keeps an option only whole.)
    const packets = sampleFrames().flatMap((data) =>
      Array.from(
        { length: Math.min(data.length, 110) - 14 },
        (_, k) => ({ data: data.subarray(0, 15 + k), len: data.length }),
      )
    );
    const cut = join(dir, "cut.pcap");
    writeFileSync(cut, pcap(packets));
    const fields = [
      "frame.cap_len",
      "tcp.port",
      "tcp.seq_raw",
      "tcp.ack_raw",
      "tcp.hdr_len",
      "tcp.flags",
      "tcp.window_size_value",
      "tcp.urgent_pointer",
      "tcp.options.mss_val",
      "tcp.options.wscale.shift",
      "udp.port",
      "udp.length",
      "dns.id",
      "dns.flags.response",
      "dns.count.queries",
      "dns.count.add_rr",
    ];
    const run = await runCli(["pcap", "decode", cut, "--fields", fields.join(",")]);
    assert.is(run.code, 0, run.stderr);
    const expected = await tshark(["-r", cut, "-T", "fields", ...fields.flatMap((f) => ["-e", f])]);
    assert.ok(packets.length > 300);
    assert.is(run.stdout, expected);
  });

  test("cleanup", () => rmSync(dir, { recursive: true, force: true }));
}

test.run();
