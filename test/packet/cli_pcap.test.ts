import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cliCommand, runCli, runCommand, runMain } from "../_helpers/cli.ts";
import { announceSkip, testRuntime } from "../_helpers/env.ts";
import { concat, ethernet, ipv4, pcap, pcapng, sampleFrames, udp } from "../../scripts/_packet_writer.ts";
import { EtherType, IpProtocol, LinkType } from "../../scripts/_packet_numbers.ts";

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
  EtherType.IPV4,
  ipv4(
    { proto: IpProtocol.UDP, totalLength: 900 },
    udp(1, 2, new Uint8Array(3), { v: 4, src: "10.0.0.1", dst: "10.0.0.2" }),
  ),
);
writeFileSync(
  malformed,
  pcapng([{
    interfaces: [{ linktype: LinkType.ETHERNET }],
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
    proto: IpProtocol.TCP,
    a: "93.184.216.34:443",
    b: "192.168.1.10:40000",
    packets: 2,
    bytes: frames[0].length + frames[1].length,
    exact: true,
  });
  assert.is(s.flowsExact, true);
  assert.is(s.topFlowsExact, true);
  assert.equal(s.flowTable, {
    maxFlows: 1048576,
    full: false,
    evictions: 0,
    evictedFlows: 0,
    evictedPackets: 0,
    evictedBytes: 0,
  });
  assert.is(s.first, "2023-11-14T22:13:20.000000000Z");
  assert.is(s.last, "2023-11-14T22:13:20.000009000Z");
  assert.is(s.errors, 0);
});

test("anynet pcap stats and decode fail clearly on missing and non-capture files", async () => {
  const missing = await runCli(["pcap", "stats", join(dir, "nope.pcap")]);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /cannot read capture '.*nope\.pcap': no such file/);
  // The first as a process; the others through main() in this process (runMain).
  const folder = await runMain(["pcap", "decode", dir]);
  assert.is(folder.code, 1);
  assert.is(folder.stdout, "");
  assert.match(folder.stderr, /^anynet pcap decode: cannot read capture '.*': is a directory\n$/);
  const text = join(dir, "text.pcap");
  writeFileSync(text, concat(new TextEncoder().encode("just some text here")));
  const bad = await runMain(["pcap", "decode", text]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /not a pcap or pcapng file at byte offset 0/);
  const usage = await runMain(["pcap", "decode"]);
  assert.is(usage.code, 2);
  const limit = await runMain(["pcap", "decode", good, "--limit", "0"]);
  assert.is(limit.code, 2);
});

test("anynet pcap stats reports file damage after the counts, exit 1", async () => {
  const run = await runCli(["pcap", "stats", cut, "--json"]);
  assert.is(run.code, 1);
  assert.is(JSON.parse(run.stdout).packets, 3);
  assert.match(run.stderr, /middle of a record/);
});

// 2000 one-packet conversations and ten large ones, for a flow table of 100.
const crowded = join(dir, "crowded.pcap");
{
  const packets = [];
  const frame = (src: string, sport: number) => {
    const ip = { v: 4 as const, src, dst: "192.0.2.1" };
    return ethernet(
      "02:00:00:00:00:02",
      "02:00:00:00:00:01",
      EtherType.IPV4,
      ipv4({ ...ip, proto: IpProtocol.UDP }, udp(sport, 9, new Uint8Array(0), ip)),
    );
  };
  for (let i = 0; i < 2000; i++) {
    if (i % 20 === 0) packets.push({ data: frame(`172.16.0.${1 + ((i / 20) % 10)}`, 5000), len: 1500 });
    packets.push({ data: frame(`10.0.${i >> 8}.${i & 255}`, 1024) });
  }
  writeFileSync(crowded, pcap(packets));
}

test("anynet pcap stats --max-flows reports the bound in JSON: estimate, evictions, proven top flows", async () => {
  const run = await runCli(["pcap", "stats", crowded, "--json", "--max-flows", "100"]);
  assert.is(run.code, 0, run.stderr);
  const s = JSON.parse(run.stdout);
  assert.is(s.packets, 2100);
  assert.is(s.flowsExact, false);
  assert.ok(Math.abs(s.flows - 2010) < 2010 * 0.05, `estimate ${s.flows} for 2010 flows`);
  assert.is(s.topFlowsExact, true);
  assert.equal(
    s.topFlows.map((f: { a: string; packets: number; exact: boolean }) => [f.a, f.packets, f.exact]).sort(),
    Array.from({ length: 10 }, (_, e) => [`172.16.0.${e + 1}:5000`, 10, true]).sort(),
  );
  assert.is(s.flowTable.maxFlows, 100);
  assert.is(s.flowTable.full, true);
  assert.ok(s.flowTable.evictions > 0);
  assert.is(s.flowTable.evictedBytes, s.flowTable.evictedPackets * 42);
});

test("anynet pcap stats --max-flows shows in the text that the bound was reached", async () => {
  const run = await runCli(["pcap", "stats", crowded, "--max-flows", "100", "--engine", "ts"]);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^flows {10}~\d+ \(estimated: more than the 100 the flow table holds; --max-flows\)$/m);
  assert.match(run.stdout, /^ {2}top 10 {7}exact \(proven despite the evictions\)$/m);
  assert.match(run.stdout, /^ {2}evicted {6}\d+ flows in \d+ evictions: \d+ packets, \d+ bytes$/m);
  assert.match(run.stdout, /^ {3}17 172\.16\.0\.1:5000 <-> 192\.0\.2\.1:9 {2}10 packets, 15000 bytes$/m);
  const roomy = await runCli(["pcap", "stats", good]);
  assert.is(roomy.code, 0, roomy.stderr);
  assert.match(roomy.stdout, /^flows {10}8$/m);
  assert.not.match(roomy.stdout, /evicted|estimated|at least/);
});

test("anynet pcap stats rejects a bad --max-flows with exit 2 and the value", async () => {
  for (const [i, value] of ["0", "-5", "8388609", "99999999999999999999", "abc", "1.5", "1e3", ""].entries()) {
    const run = await (i === 0 ? runCli : runMain)(["pcap", "stats", good, `--max-flows=${value}`]);
    assert.is(run.code, 2, `--max-flows=${value}: ${run.stderr}`);
    assert.is(run.stdout, "");
    assert.ok(
      run.stderr.startsWith(`anynet pcap stats: --max-flows must be an integer from 1 to 8388608: got '${value}'\n`),
      run.stderr,
    );
    assert.not.match(run.stderr, /\n\s+at /, "no stack trace");
  }
});

test("pcap stats when WebAssembly memory runs out: at the start one line and exit 1, later a smaller flow table", async () => {
  // V8's page cap for WebAssembly memories makes memory.grow fail where the test says.
  // The statistics take their memory at the start (the input area's room, the sketches
  // and the eviction scratch), then as the flow table doubles: below the start's need the
  // run must fail in one line; between it and the table's need, the table stops growing
  // and evicts (packets still exact, flows then an estimate); never a trap.
  if (testRuntime === "bun") {
    return announceSkip("Bun's engine (JavaScriptCore) has no cap on WebAssembly memory to set: nothing to test");
  }
  const flows = 6000;
  const many = join(dir, "many-flows.pcap");
  writeFileSync(
    many,
    pcap(Array.from({ length: flows }, (_, i) => {
      const ip = { v: 4 as const, src: `10.1.${i >> 8}.${i & 255}`, dst: "10.2.0.1" };
      const data = ethernet(
        "02:00:00:00:00:02",
        "02:00:00:00:00:01",
        EtherType.IPV4,
        ipv4({ ...ip, proto: IpProtocol.UDP }, udp(1000 + (i % 50), 53, new Uint8Array(4), ip)),
      );
      return { data, sec: 1700000000, frac: i };
    })),
  );
  const [command, prefix] = cliCommand();
  const capped = (pages: number) => {
    const cap = `--wasm-max-mem-pages=${pages}`;
    // Deno takes V8's flags after `run`; Node takes them before the script.
    const args = testRuntime === "deno" ? [prefix[0], `--v8-flags=${cap}`, ...prefix.slice(1)] : [cap, ...prefix];
    return runCommand(command, [...args, "pcap", "stats", many, "--max-flows", "100000"]);
  };
  let failedAtStart = 0, evicting = 0;
  for (let pages = 96; pages <= 140; pages += 4) {
    const run = await capped(pages);
    assert.not.match(run.stderr, /\n\s+at |RuntimeError|unreachable/, `${pages} pages: ${run.stderr}`);
    if (run.code !== 0) {
      assert.is(run.code, 1, `${pages} pages: ${run.stderr}`);
      assert.match(run.stderr, /^anynet pcap stats: [^\n]*memory[^\n]*--max-flows[^\n]*\n$/, `${pages} pages`);
      failedAtStart++;
      continue;
    }
    assert.match(run.stdout, new RegExp(`^packets {8}${flows}$`, "m"), `${pages} pages`);
    if (/^ {2}evicted /m.test(run.stdout)) {
      assert.match(
        run.stdout,
        /^flows {10}~\d+ \(estimated: more than the \d+ the flow table held when WebAssembly memory ran out\)$/m,
      );
      evicting++;
    }
  }
  assert.ok(failedAtStart > 0, "no cap was below what the start needs: the one-line failure went untested");
  assert.ok(evicting > 0, "no cap stopped the table's growth: the smaller table went untested");
  // Without a cap, the table holds every flow.
  const free = await capped(65536);
  assert.is(free.code, 0, free.stderr);
  assert.match(free.stdout, new RegExp(`^flows {10}${flows}$`, "m"));
  assert.not.match(free.stdout, /^ {2}evicted /m);
});

test("cleanup", () => {
  rmSync(dir, { recursive: true, force: true });
});

test.run();
