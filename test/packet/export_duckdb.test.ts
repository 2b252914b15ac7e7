import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../_helpers/cli.ts";
import { announceSkip, testRuntime } from "../_helpers/env.ts";
import { pcap, sampleFrames } from "../../scripts/_packet_writer.ts";

// DuckDB is a native module: one Node leg is enough to show that a query engine reads
// the files as meant; the other legs check the same rows through NDJSON and CSV.
const leg = testRuntime === "node" && process.versions.node.startsWith("24.");

const dir = mkdtempSync(join(tmpdir(), "anynet-export-duckdb-"));
// The sample 40 times, one second apart: small enough to stay fast (a second row group
// would take 65536 rows; the benchmark capture covers that).
const frames = Array.from({ length: 40 }, () => sampleFrames()).flat();
const sample = join(dir, "sample.pcap");
const sql = (path: string) => path.replaceAll("'", "''");

async function query(text: string): Promise<Record<string, unknown>[]> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    return (await connection.runAndReadAll(text)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

async function stats(filter?: string) {
  const run = await runCli(["pcap", "stats", sample, "--json", ...(filter ? ["--filter", filter] : [])]);
  assert.is(run.code, 0, run.stderr);
  return JSON.parse(run.stdout);
}

if (!leg) {
  announceSkip("export_duckdb: DuckDB reads the exported files on the Node 24 leg only");
  test.skip("DuckDB reads pcap export's Parquet and CSV (Node 24 leg only)", () => {});
} else {
  writeFileSync(sample, pcap(frames.map((data, i) => ({ data, sec: 1700000000 + i, frac: 7 }))));

  test("DuckDB reads the Parquet export: rows, lengths and protocols as pcap stats, timestamps exact", async () => {
    const out = join(dir, "all.parquet");
    const run = await runCli(["pcap", "export", sample, "-o", out]);
    assert.is(run.code, 0, run.stderr);
    const s = await stats();
    const [row] = await query(
      `SELECT count(*) AS n, sum(len) AS bytes, sum(cap_len) AS captured,
         count(tcp_flags) AS tcp, count(udp_length) AS udp, count(dns_response) AS dns,
         count(tls_sni) AS sni, count(*) FILTER (ip_version = 4) AS ipv4, count(*) FILTER (ip_version = 6) AS ipv6,
         count(*) FILTER (protocol = 'arp') AS arp, count(DISTINCT community_id) AS flows,
         min(epoch_ns(ts)) AS first_ns, max(epoch_ns(ts)) AS last_ns, typeof(any_value(ts)) AS ts_type
       FROM '${sql(out)}'`,
    );
    assert.is(Number(row.n), s.packets);
    assert.is(Number(row.bytes), s.bytes);
    assert.is(Number(row.captured), s.capturedBytes);
    assert.is(Number(row.tcp), s.protocols.tcp);
    assert.is(Number(row.udp), s.protocols.udp);
    assert.is(Number(row.dns), s.protocols.dns);
    assert.is(Number(row.sni), s.protocols.tls);
    assert.is(Number(row.ipv4), s.protocols.ipv4);
    assert.is(Number(row.ipv6), s.protocols.ipv6);
    assert.is(Number(row.arp), s.protocols.arp);
    assert.ok(Number(row.flows) > 1);
    assert.is(row.first_ns, 1700000000n * 1_000_000_000n + 7000n);
    assert.is(row.last_ns, BigInt(1700000000 + frames.length - 1) * 1_000_000_000n + 7000n);
    assert.is(row.ts_type, "TIMESTAMP WITH TIME ZONE");
  });

  test("DuckDB: a filtered Parquet export and a CSV export agree with pcap stats --filter", async () => {
    const filter = "udp or ipv6";
    const parquet = join(dir, "filtered.parquet"), csv = join(dir, "filtered.csv");
    for (const [format, out] of [["parquet", parquet], ["csv", csv]]) {
      const run = await runCli(["pcap", "export", sample, "--format", format, "--filter", filter, "-o", out]);
      assert.is(run.code, 0, run.stderr);
    }
    const s = await stats(filter);
    const [p] = await query(`SELECT count(*) AS n, sum(len) AS bytes FROM '${sql(parquet)}'`);
    const [c] = await query(`SELECT count(*) AS n, sum(len) AS bytes, sum(ts) AS ts FROM read_csv('${sql(csv)}')`);
    const [pt] = await query(`SELECT sum(epoch_ns(ts)::HUGEINT) AS ts FROM '${sql(parquet)}'`);
    assert.is(Number(p.n), s.packets);
    assert.is(Number(c.n), s.packets);
    assert.is(Number(p.bytes), s.bytes);
    assert.is(Number(c.bytes), s.bytes);
    assert.is(String(c.ts), String(pt.ts), "the same nanoseconds in CSV and Parquet");
  });

  test("DuckDB reads pcap conv --format parquet: one row per connection, packets as pcap stats", async () => {
    const out = join(dir, "conns.parquet");
    const run = await runCli(["pcap", "conv", sample, "--format", "parquet", "-o", out]);
    assert.is(run.code, 0, run.stderr);
    const listed = await runCli(["pcap", "conv", sample, "--json"]);
    const conns = listed.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const [row] = await query(
      `SELECT count(*) AS n, sum(orig_pkts + resp_pkts) AS pkts, count(DISTINCT community_id) AS ids FROM '${
        sql(out)
      }'`,
    );
    assert.is(Number(row.n), conns.length);
    assert.is(Number(row.pkts), conns.reduce((n, c) => n + c.orig_pkts + c.resp_pkts, 0));
    assert.is(Number(row.ids), new Set(conns.map((c) => c.community_id)).size);
  });
}
test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
