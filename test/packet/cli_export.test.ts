import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli, runMain } from "../_helpers/cli.ts";
import { importPrivate } from "../_helpers/private_module.ts";
import { pcap, sampleFrames } from "../../scripts/_packet_writer.ts";

const dir = mkdtempSync(join(tmpdir(), "anynet-cli-export-"));
const frames = sampleFrames();
const sample = join(dir, "sample.pcap");
// Microsecond timestamps, one second apart: ts must be sec * 1e9 + 123456000 exactly.
writeFileSync(sample, pcap(frames.map((data, i) => ({ data, sec: 1700000000 + i, frac: 123456 }))));
const cut = join(dir, "cut.pcap");
const whole = pcap(frames.slice(0, 4).map((data) => ({ data })));
writeFileSync(cut, whole.subarray(0, whole.length - 10));

async function stats(filter?: string) {
  const run = await runCli(["pcap", "stats", sample, "--json", ...(filter ? ["--filter", filter] : [])]);
  assert.is(run.code, 0, run.stderr);
  return JSON.parse(run.stdout);
}

/** The NDJSON lines as objects, with `ts` kept as its exact digits (past 2^53). */
function ndjsonRows(text: string): Record<string, unknown>[] {
  return text.trim().split("\n").map((line) => {
    const row = JSON.parse(line);
    row.ts = BigInt(/"ts":(\d+)/.exec(line)![1]);
    return row;
  });
}

test("pcap export --format ndjson: one row per packet, counts, lengths and protocols as pcap stats", async () => {
  const out = join(dir, "all.ndjson");
  const run = await runCli(["pcap", "export", sample, "--format", "ndjson", "-o", out]);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, `${frames.length} packets written to ${out}`);
  const rows = ndjsonRows(readFileSync(out, "utf8"));
  const s = await stats();
  assert.is(rows.length, s.packets);
  assert.is(rows.reduce((n, r) => n + (r.len as number), 0), s.bytes);
  assert.is(rows.reduce((n, r) => n + (r.cap_len as number), 0), s.capturedBytes);
  assert.is(rows.filter((r) => r.tcp_flags !== null).length, s.protocols.tcp);
  assert.is(rows.filter((r) => r.udp_length !== null).length, s.protocols.udp);
  assert.is(rows.filter((r) => r.ip_version === 4).length, s.protocols.ipv4);
  assert.is(rows.filter((r) => r.ip_version === 6).length, s.protocols.ipv6);
  assert.is(rows.filter((r) => r.dns_response !== null).length, s.protocols.dns);
  assert.equal(rows.map((r) => r.ts), frames.map((_, i) => BigInt(1700000000 + i) * 1_000_000_000n + 123456000n));
  assert.equal(rows.map((r) => r.frame_number), frames.map((_, i) => i + 1));
  const tls = rows.find((r) => r.tls_sni !== null)!;
  assert.is(tls.protocol, "tls");
  assert.match(tls.community_id as string, /^1:[A-Za-z0-9+/]{27}=$/);
  // Every IP row's Community ID is that of its five-tuple, the same read either way round.
  const { communityId } = await importPrivate<typeof import("../../src/packet/community_id.ts")>(
    "packet/community_id",
  );
  const ip = rows.filter((r) => r.ip_version !== null);
  assert.ok(ip.length >= 5);
  for (const r of ip) {
    const sport = (r.src_port ?? r.icmp_type ?? 0) as number, dport = (r.dst_port ?? r.icmp_code ?? 0) as number;
    const flow = { proto: r.ip_proto as number, src: r.src_addr as string, dst: r.dst_addr as string, sport, dport };
    assert.is(r.community_id, communityId(flow), `frame ${r.frame_number}`);
    if (r.icmp_type === null) {
      assert.is(r.community_id, communityId({ ...flow, src: flow.dst, dst: flow.src, sport: dport, dport: sport }));
    }
  }
});

test("pcap export --filter exports as many rows as pcap decode --filter prints", async () => {
  for (const filter of ["udp.port == 53 || arp", "ipv6"]) {
    const out = join(dir, "filtered.csv");
    const run = await runCli(["pcap", "export", sample, "--format", "csv", "--filter", filter, "-o", out]);
    assert.is(run.code, 0, run.stderr);
    const decoded = await runCli(["pcap", "decode", sample, "--filter", filter]);
    const lines = readFileSync(out, "utf8").split("\r\n");
    assert.is(lines.at(-1), "", "ends with CRLF");
    assert.ok(lines[0].startsWith("frame_number,ts,cap_len,len,"));
    assert.equal(
      lines.slice(1, -1).map((l) => l.split(",")[0]),
      decoded.stdout.trim().split("\n").map((l) => l.split(" ")[0]),
      filter,
    );
  }
});

test("pcap export writes Parquet by default: PAR1 at both ends, the same bytes whatever the runtime", async () => {
  const out = join(dir, "all.parquet");
  const run = await runCli(["pcap", "export", sample, "-o", out]);
  assert.is(run.code, 0, run.stderr);
  const bytes = readFileSync(out);
  const magic = (o: number) => bytes.subarray(o, o + 4).toString("latin1");
  assert.is(magic(0), "PAR1");
  assert.is(magic(bytes.length - 4), "PAR1");
  // The footer names every column.
  const text = bytes.toString("latin1");
  for (const name of ["frame_number", "community_id", "tls_sni", "dns_query"]) assert.ok(text.includes(name), name);
});

test("csvSink quotes fields with commas, quotes and line breaks (RFC 4180)", async () => {
  const { csvSink } = await importPrivate<typeof import("../../src/packet/export/text_sinks.ts")>(
    "packet/export/text_sinks",
  );
  const chunks: Uint8Array[] = [];
  const sink = await csvSink([{ name: "a", type: "string" }, { name: "b", type: "int64" }], {
    write: (b) => Promise.resolve(void chunks.push(b)),
  });
  await sink.write({ length: 3, values: [["x,y", 'say "hi"', "two\nlines"], [1n, null, 3n]] });
  await sink.finish();
  const text = chunks.map((c) => new TextDecoder().decode(c)).join("");
  assert.is(text, 'a,b\r\n"x,y",1\r\n"say ""hi""",\r\n"two\nlines",3\r\n');
});

test("pcap export refuses bad input in one line: unknown format, no -o, unwritable output", async () => {
  const format = await runCli(["pcap", "export", sample, "--format", "xlsx", "-o", join(dir, "x")]);
  assert.is(format.code, 2);
  assert.match(format.stderr, /xlsx/);
  // The first as a process; the others through main() in this process (runMain).
  const noOut = await runMain(["pcap", "export", sample]);
  assert.is(noOut.code, 2);
  assert.match(noOut.stderr, /needs -o OUT/);
  const folder = join(dir, "missing", "out.parquet");
  const unwritable = await runMain(["pcap", "export", sample, "-o", folder]);
  assert.is(unwritable.code, 1);
  assert.match(unwritable.stderr, /cannot write --output .*no such folder/);
  for (const run of [format, noOut, unwritable]) assert.not.match(run.stderr, /\n\s+at /, "no stack trace");
});

test("pcap export of a damaged capture exits 1, says so, and leaves no partial file", async () => {
  for (const format of ["parquet", "csv"]) {
    const out = join(dir, `cut.${format}`);
    const run = await runCli(["pcap", "export", cut, "--format", format, "-o", out]);
    assert.is(run.code, 1);
    assert.match(run.stderr, /file ends in the middle of a record/);
    assert.match(run.stderr, `${out} removed`);
    assert.not.match(run.stderr, /\n\s+at /, "no stack trace");
    assert.not.ok(existsSync(out), `${out} left behind`);
  }
});

test("pcap conv --format ndjson writes the connections pcap conv --json prints, with Zeek's names dotless", async () => {
  const out = join(dir, "conns.ndjson");
  const run = await runCli(["pcap", "conv", sample, "--format", "ndjson", "-o", out]);
  assert.is(run.code, 0, run.stderr);
  const listed = await runCli(["pcap", "conv", sample, "--json"]);
  const expected = listed.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const rows = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.is(rows.length, expected.length);
  assert.equal(
    rows.map((r) => [r.id_orig_h, r.id_orig_p, r.id_resp_h, r.id_resp_p, r.orig_pkts, r.community_id]),
    expected.map((c) => [c["id.orig_h"], c["id.orig_p"], c["id.resp_h"], c["id.resp_p"], c.orig_pkts, c.community_id]),
  );
  const misuse = await runCli(["pcap", "conv", sample, "--format", "csv", "--json", "-o", out]);
  assert.is(misuse.code, 2);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
