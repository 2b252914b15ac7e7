import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openCapture } from "anynet/packet";
import { runCli, runMain } from "../_helpers/cli.ts";
import { pcap, pcapng, sampleFrames } from "../../scripts/_packet_writer.ts";
import { LinkType } from "../../scripts/_packet_numbers.ts";

const dir = mkdtempSync(join(tmpdir(), "anynet-cli-filter-"));
const sample = join(dir, "sample.pcap");
writeFileSync(sample, pcap(sampleFrames().map((data, i) => ({ data, sec: 1700000000 + i, frac: 123456 }))));

test("pcap decode --filter prints only the matching packets, with their frame numbers", async () => {
  const run = await runCli(["pcap", "decode", sample, "--filter", "udp.port == 53 || arp"]);
  assert.is(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim().split("\n").map((l) => l.split(" ")[0]), ["4", "5", "8"]);
});

test("pcap decode --filter --json --limit counts matches", async () => {
  const run = await runCli(["pcap", "decode", sample, "--filter", "tcp", "--json", "--limit", "2"]);
  assert.is(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim().split("\n").map((l) => JSON.parse(l).n), [1, 2]);
});

test("pcap decode --fields prints one line per packet, empty where a field is absent", async () => {
  const run = await runCli([
    "pcap",
    "decode",
    sample,
    "--filter",
    "dns or tls",
    "--fields",
    "frame.number,ip.src,ipv6.src,udp.port,dns.qry.name,tls.handshake.extensions_alpn_str",
    "--separator",
    "|",
    "--header",
  ]);
  assert.is(run.code, 0, run.stderr);
  assert.equal(run.stdout.split("\n"), [
    "frame.number|ip.src|ipv6.src|udp.port|dns.qry.name|tls.handshake.extensions_alpn_str",
    "2|192.168.1.10||||h2,http/1.1",
    "4|192.168.1.10||5353,53|www.example.com|",
    "5||2001:db8::10|5353,53|ipv6.example.net|",
    "",
  ]);
});

test("pcap stats --filter counts only the matching packets", async () => {
  const run = await runCli(["pcap", "stats", sample, "--filter", "ipv6", "--json"]);
  assert.is(run.code, 0, run.stderr);
  const s = JSON.parse(run.stdout);
  assert.is(s.packets, 3);
  assert.is(s.protocols.ipv6, 3);
  assert.is(s.protocols.ipv4, 0);
});

test("pcap decode -w writes the matching packets and says how many", async () => {
  const out = join(dir, "dns.pcapng");
  const run = await runCli(["pcap", "decode", sample, "--filter", "dns", "-w", out]);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, "");
  assert.is(run.stderr, `2 packets written to ${out}\n`);
  const numbers: (number | undefined)[] = [];
  for await (const batch of openCapture(readFileSync(out))) for (const p of batch) numbers.push(p.dns?.id);
  assert.equal(numbers, [0x1234, 7]);
  assert.is(readFileSync(out).readUInt32LE(0), 0x0a0d0d0a, "pcapng by the extension");
});

test("pcap decode -w with no match writes a capture with no packets", async () => {
  const out = join(dir, "none.out");
  const run = await runCli(["pcap", "decode", sample, "--filter", "tcp.port == 1234", "-w", out]);
  assert.is(run.code, 0, run.stderr);
  assert.is(readFileSync(out).length, 24, "a pcap header, as the input");
});

const USAGE: [string[], RegExp][] = [
  [
    ["pcap", "decode", "FILE", "--filter", "tcp.prot == 80"],
    /^anynet pcap decode: --filter: unknown field 'tcp\.prot' at column 1 \(did you mean tcp\.port\?\)\n {2}tcp\.prot == 80\n {2}\^\n$/,
  ],
  [
    ["pcap", "stats", "FILE", "--filter", "ip.src == 10.0.0.0/40"],
    /--filter: '\/40' is not a prefix length from 0 to 32 at column 19\n {2}ip\.src == 10\.0\.0\.0\/40\n {20}\^\n$/,
  ],
  [
    ["pcap", "decode", "FILE", "--fields", "ip.src,tcp.prot"],
    /--fields: unknown field 'tcp\.prot' \(did you mean tcp\.port\?\)/,
  ],
  [["pcap", "decode", "FILE", "--fields", "tcp"], /--fields: 'tcp' is a protocol, not a field with a value/],
  [["pcap", "decode", "FILE", "--fields", "ip.src", "--json"], /--fields and --json cannot be combined/],
  [["pcap", "decode", "FILE", "--header"], /--separator and --header go with --fields/],
];

for (const [i, [args, message]] of USAGE.entries()) {
  test(`anynet ${args.slice(3).join(" ")}: exit 2, one clear message, nothing read`, async () => {
    // The capture does not exist: the flag is checked before the file is opened.
    const run = await (i === 0 ? runCli : runMain)(args.map((a) => (a === "FILE" ? join(dir, "missing.pcap") : a)));
    assert.is(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
    assert.not.match(run.stderr, /\n\s+at /, "no stack trace");
    assert.is(run.stdout, "");
  });
}

test("pcap decode -w: packets of two link types go to pcapng, and a .pcap refuses them in one line", async () => {
  const frames = sampleFrames();
  const mixed = join(dir, "mixed.pcapng");
  writeFileSync(
    mixed,
    pcapng([{
      interfaces: [{ linktype: LinkType.ETHERNET }, { linktype: LinkType.RAW }],
      blocks: [
        { kind: "epb", iface: 0, ts: 1700000000000000n, data: frames[0] },
        { kind: "epb", iface: 1, ts: 1700000000000001n, data: frames[0].subarray(14) },
      ],
    }]),
  );
  const auto = join(dir, "mixed.out");
  const run = await runCli(["pcap", "decode", mixed, "-w", auto]);
  assert.is(run.code, 0, run.stderr);
  const links: string[] = [];
  for await (const batch of openCapture(readFileSync(auto))) for (const p of batch) links.push(p.link);
  assert.equal(links, ["ethernet", "raw"]);
  const refused = await runCli(["pcap", "decode", mixed, "-w", join(dir, "mixed.pcap")]);
  assert.is(refused.code, 1);
  assert.match(
    refused.stderr,
    /-w .*mixed\.pcap: packets of link types 1 and 101 cannot share a pcap file: write a \.pcapng file/,
  );
});

test("pcap decode -w into a missing folder fails before decoding", async () => {
  const run = await runCli(["pcap", "decode", sample, "-w", join(dir, "no", "such", "out.pcap")]);
  assert.is(run.code, 1);
  assert.match(run.stderr, /cannot write --write .*out\.pcap: no such folder/);
  assert.ok(!existsSync(join(dir, "no")));
});

test("cleanup", () => rmSync(dir, { recursive: true, force: true }));

test.run();
