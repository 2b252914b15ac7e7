import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { PacketRecord } from "anynet/packet";
import { announceSkip, onPath } from "../_helpers/env.ts";
import { decodeAll } from "../_helpers/packet_decode.ts";
import { sharedRun } from "../_helpers/shared_fixture.ts";
import { fuzzCapture } from "../../scripts/_packet_fuzz.ts";
import { pcap, pcapng, sampleFrames } from "../../scripts/_packet_writer.ts";
import { EtherType, LinkType } from "../../scripts/_packet_numbers.ts";

const hasTshark = onPath("tshark");

/** tshark field → the same value from anynet's record (undefined when absent). */
const FIELDS: [string, (r: PacketRecord) => unknown][] = [
  ["frame.len", (r) => r.len],
  ["frame.cap_len", (r) => r.caplen],
  ["frame.time_epoch", (r) => (r.sec === undefined ? undefined : `${r.sec}.${String(r.nsec).padStart(9, "0")}`)],
  ["eth.src", (r) => r.eth?.src],
  ["eth.dst", (r) => r.eth?.dst],
  // tshark names 802.1ad (0x88a8) tags ieee8021ad and the others vlan.
  ["vlan.id", (r) => r.vlan?.filter((v) => v.tpid !== EtherType.QINQ).map((v) => v.id).join(",")],
  ["ieee8021ad.id", (r) => r.vlan?.filter((v) => v.tpid === EtherType.QINQ).map((v) => v.id).join(",")],
  ["arp.opcode", (r) => r.arp?.op],
  ["arp.src.proto_ipv4", (r) => r.arp?.spa],
  ["ip.src", (r) => (r.ip?.v === 4 ? r.ip.src : undefined)],
  ["ip.dst", (r) => (r.ip?.v === 4 ? r.ip.dst : undefined)],
  ["ip.ttl", (r) => (r.ip?.v === 4 ? r.ip.ttl : undefined)],
  ["ip.id", (r) => (r.ip?.v === 4 ? r.ip.id : undefined)],
  ["ip.len", (r) => (r.ip?.v === 4 ? r.ip.len : undefined)],
  ["ipv6.src", (r) => (r.ip?.v === 6 ? r.ip.src : undefined)],
  ["ipv6.dst", (r) => (r.ip?.v === 6 ? r.ip.dst : undefined)],
  ["ipv6.hlim", (r) => (r.ip?.v === 6 ? r.ip.hlim : undefined)],
  ["tcp.srcport", (r) => r.tcp?.sport],
  ["tcp.dstport", (r) => r.tcp?.dport],
  ["tcp.seq_raw", (r) => r.tcp?.seq],
  ["tcp.ack_raw", (r) => r.tcp?.ack],
  ["tcp.flags", (r) => r.tcp?.flags],
  ["tcp.window_size_value", (r) => r.tcp?.win],
  ["tcp.options.mss_val", (r) => r.tcp?.mss],
  ["tcp.options.wscale.shift", (r) => r.tcp?.wscale],
  ["tcp.options.timestamp.tsval", (r) => r.tcp?.tsval],
  ["udp.srcport", (r) => r.udp?.sport],
  ["udp.dstport", (r) => r.udp?.dport],
  ["udp.length", (r) => r.udp?.len],
  ["icmp.type", (r) => r.icmp?.type],
  ["icmpv6.type", (r) => r.icmp6?.type],
  ["dns.id", (r) => r.dns?.id],
  ["dns.qry.name", (r) => r.dns?.qname],
  ["dns.qry.type", (r) => r.dns?.qtype],
  ["tls.handshake.extensions_server_name", (r) => r.tls?.sni],
  ["tls.handshake.extensions_alpn_str", (r) => r.tls?.alpn?.join(",")],
  ["http.request.method", (r) => r.http?.method],
  ["http.request.uri", (r) => r.http?.uri],
  ["http.host", (r) => r.http?.host],
];

function normalise(v: string): string {
  if (v === "") return "";
  return /^(0x[0-9a-f]+|\d+)$/i.test(v) ? String(Number(v)) : v;
}

function compare(path: string, records: PacketRecord[]): string[] {
  const args = [
    "-r",
    path,
    "-T",
    "fields",
    "-E",
    "separator=/t",
    "-E",
    "occurrence=a",
    "-E",
    "aggregator=,",
    "-o",
    "ip.defragment:FALSE",
    "-o",
    "ipv6.defragment:FALSE",
    "-o",
    "tcp.desegment_tcp_streams:FALSE",
    // Repeated test segments would otherwise count as retransmissions, whose payload tshark skips.
    "-o",
    "tcp.analyze_sequence_numbers:FALSE",
    // Checksums are anynet's own; tshark's verdicts depend on preferences, so only fields are compared.
    ...FIELDS.flatMap(([f]) => ["-e", f]),
  ];
  // tshark's answer depends only on the capture's bytes, the same on every leg: it runs
  // once per test run for each capture (each run costs a second of CPU).
  const digest = createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 24);
  const run = sharedRun(`tshark-fields-${digest}`, "tshark", args, { cwd: dirname(path) });
  assert.is(run.status, 0, run.stderr);
  const rows = run.stdout.split("\n").filter((l) => l !== "");
  assert.is(rows.length, records.length, "frame count");
  const problems: string[] = [];
  rows.forEach((row, i) => {
    const cells = row.split("\t");
    FIELDS.forEach(([field, get], j) => {
      const ours = get(records[i]);
      const theirs = normalise(cells[j] ?? "");
      const mine = ours === undefined || ours === "" ? "" : String(ours);
      if (theirs !== mine) problems.push(`frame ${i + 1} ${field}: tshark '${theirs}', anynet '${mine}'`);
    });
  });
  return problems;
}

if (!hasTshark) {
  announceSkip("tshark not installed: the field comparison with Wireshark is skipped");
  test.skip("anynet's fields equal tshark's on the test captures (tshark absent)", () => {});
} else {
  const dir = mkdtempSync(join(tmpdir(), "anynet-tshark-"));

  test("anynet's fields equal tshark's on the sample capture (pcap)", async () => {
    const path = join(dir, "sample.pcap");
    writeFileSync(path, pcap(sampleFrames().map((data, i) => ({ data, sec: 1700000000 + i, frac: 123456 }))));
    const { records } = await decodeAll(path, "wasm");
    assert.equal(compare(path, records), []);
  });

  test("anynet's fields equal tshark's on a pcapng with several link types and resolutions", async () => {
    const frames = sampleFrames();
    const path = join(dir, "sample.pcapng");
    writeFileSync(
      path,
      pcapng([{
        interfaces: [{ linktype: LinkType.ETHERNET, tsresol: 9 }, { linktype: LinkType.RAW }, {
          linktype: LinkType.LINUX_SLL,
        }],
        blocks: frames.flatMap((data, i) => [
          { kind: "epb" as const, iface: 0, ts: 1700000000123456789n + BigInt(i), data },
          {
            kind: "epb" as const,
            iface: 1,
            ts: 1700000000000000n,
            data: data.subarray(data[12] === 0x08 && data[13] === 0 ? 14 : 14),
          },
        ]).filter((b) => b.iface === 0 || (b.data[0] >> 4 === 4)),
      }]),
    );
    const { records } = await decodeAll(path, "ts");
    assert.equal(compare(path, records), []);
  });

  test("anynet's fields equal tshark's on mutated frames where anynet reports no error", async () => {
    const path = join(dir, "fuzz.pcapng");
    writeFileSync(path, fuzzCapture(7, 400));
    const { records } = await decodeAll(path, "wasm");
    // Compare only frames anynet decoded without an error and of link types both know, and
    // only the headers: tshark picks application dissectors by port and is laxer on them.
    const problems = compare(path, records).filter((p) => {
      if (/ (http|tls|dns)\./.test(p)) return false;
      const n = Number(p.match(/^frame (\d+)/)![1]);
      const r = records[n - 1];
      // NULL: tshark also takes an EtherType in the AF field, which anynet does not.
      return !r.error && r.link !== "unsupported" && r.link !== "null";
    });
    assert.equal(problems, []);
  });

  test("cleanup", () => rmSync(dir, { recursive: true, force: true }));
}

test.run();
