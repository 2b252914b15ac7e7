import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { communityId, type ConnRecord, conversations, openCapture } from "anynet/packet";
import { runCli, runMain } from "../_helpers/cli.ts";
import { announceSkip, onPath, root } from "../_helpers/env.ts";
import { importPrivate } from "../_helpers/private_module.ts";
import { sharedRun } from "../_helpers/shared_fixture.ts";
import { ethernet, icmpEcho, ipv4, ipv6, pcap, tcp, udp } from "../../scripts/_packet_writer.ts";
import { EtherType, IpProtocol, TcpFlag } from "../../scripts/_packet_numbers.ts";

// The published test vectors of corelight/community-id-spec (baseline/baseline_deflt.json
// for seed 0 and baseline/baseline_seed1.json for seed 1, made by the reference
// implementation from the spec's pcaps/*.pcap): ICMPv6 two-way and one-way, ICMP two-way
// and one-way, TCP over IPv6 and IPv4, SCTP, UDP, and RSVP (protocol 46, no ports).
// One vector a line, as the spec lists them.
// deno-fmt-ignore
const VECTORS: [number, string, string, number, number, string, string][] = [
  [58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "dGHyGvjMfljg6Bppwm3bg0LO8TY=", "kHa1FhMYIT6Ym2Vm2AOtoOARDzY="],
  [58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "dGHyGvjMfljg6Bppwm3bg0LO8TY=", "kHa1FhMYIT6Ym2Vm2AOtoOARDzY="],
  [58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "zavyT/cezQr1fmImYCwYnMXbgck=", "2hSqmsDZ2kdcY9kbiUzOEBic0iM="],
  [58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "zavyT/cezQr1fmImYCwYnMXbgck=", "2hSqmsDZ2kdcY9kbiUzOEBic0iM="],
  [58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "2ObVBgIn28oZvibYZhZMBgh7WdQ=", "lVEtCZpYu84Xqaa++3lXFyuu2n4="],
  [58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "hLZd0XGWojozrvxqE0dWB1iM6R0=", "W8MHwXpWzpoSTD+cGcaJr4u0ys8="],
  [58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "GfZxjAkDk2MkegpBYHV6tadtFXQ="],
  [58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "GfZxjAkDk2MkegpBYHV6tadtFXQ="],
  [58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "hO+sN4H+MG5MY/8hIrXPqc4ZQz0=", "L7Ka0ZMYu+J3bL4ulW2PrqyXNo8="],
  [58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "pkvHqCL88/tg1k4cPigmZXUtL00=", "K/ee5UCqAMAQXDorP5nSa2CGLjc="],
  [1, "192.168.0.89", "192.168.0.1", 8, 0, "X0snYXpgwiv9TZtqg64sgzUn6Dk=", "03g6IloqVBdcZlPyX8r0hgoE7kA="],
  [1, "192.168.0.1", "192.168.0.89", 0, 8, "X0snYXpgwiv9TZtqg64sgzUn6Dk=", "03g6IloqVBdcZlPyX8r0hgoE7kA="],
  [1, "10.0.0.1", "10.0.0.2", 11, 0, "YHxtAirCG//0OzkcVAukqKQN9xM=", "XjUibYHaafLQ3pxQeiMI8g25q20="],
  [6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "eJYTW6AOzFLlSUoESovMjnu7rMw="],
  [6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, "/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "eJYTW6AOzFLlSUoESovMjnu7rMw="],
  [132, "192.168.170.8", "192.168.170.56", 7, 7, "MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "5w3ZRjeKBzqT3zsaEECDGjUbYeg="],
  [132, "192.168.170.56", "192.168.170.8", 7, 7, "MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "5w3ZRjeKBzqT3zsaEECDGjUbYeg="],
  [6, "128.232.110.120", "66.35.250.204", 34855, 80, "LQU9qZlK+B5F3KDmev6m5PMibrg=", "3V71V58M3Ksw/yuFALMcW0LAHvc="],
  [6, "66.35.250.204", "128.232.110.120", 80, 34855, "LQU9qZlK+B5F3KDmev6m5PMibrg=", "3V71V58M3Ksw/yuFALMcW0LAHvc="],
  [17, "192.168.1.52", "8.8.8.8", 54585, 53, "d/FP5EW3wiY1vCndhwleRRKHowQ=", "Q9We8WO3piVF8yEQBNJF4uiSVrI="],
  [17, "8.8.8.8", "192.168.1.52", 53, 54585, "d/FP5EW3wiY1vCndhwleRRKHowQ=", "Q9We8WO3piVF8yEQBNJF4uiSVrI="],
  [46, "10.1.12.1", "10.1.12.2", 0, 0, "KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "rYir8gphR31noO9iDRQmF/BteEI="],
  [46, "10.1.12.2", "10.1.12.1", 0, 0, "KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "rYir8gphR31noO9iDRQmF/BteEI="],
];

test("communityId() gives the spec's published IDs for seeds 0 and 1", () => {
  for (const [proto, src, dst, sport, dport, seed0, seed1] of VECTORS) {
    const flow = { proto, src, dst, sport, dport };
    assert.is(communityId(flow), `1:${seed0}`, JSON.stringify(flow));
    assert.is(communityId(flow, { seed: 1 }), `1:${seed1}`, JSON.stringify(flow));
  }
});

test("communityId() refuses a bad address, mixed versions and a seed out of range", () => {
  assert.throws(
    () => communityId({ proto: 6, src: "10.0.0.300", dst: "10.0.0.1" }),
    /'src' must be an IPv4 or IPv6 address/,
  );
  assert.throws(() => communityId({ proto: 6, src: "10.0.0.1", dst: "::1" }), /same IP version/);
  assert.throws(
    () => communityId({ proto: 6, src: "10.0.0.1", dst: "10.0.0.2" }, { seed: 70000 }),
    /'seed' must be an integer from 0 to 65535/,
  );
});

const dir = mkdtempSync(join(tmpdir(), "anynet-conv-"));
const A = "10.0.0.1", B = "10.0.0.2";
const MAC1 = "02:00:00:00:00:01", MAC2 = "02:00:00:00:00:02";
let clock = 0;
function tcpFrame(src: string, dst: string, sport: number, dport: number, flags: number, seq: number, data = "") {
  const ip = { v: 4 as const, src, dst };
  const payload = new TextEncoder().encode(data);
  return {
    data: ethernet(
      MAC2,
      MAC1,
      EtherType.IPV4,
      ipv4({ proto: IpProtocol.TCP, src, dst }, tcp({ sport, dport, flags, seq }, payload, ip)),
    ),
    sec: 1700000000,
    frac: clock++ * 1000,
  };
}
function udpFrame(src: string, dst: string, sport: number, dport: number, data: string) {
  const ip = { v: 4 as const, src, dst };
  return {
    data: ethernet(
      MAC2,
      MAC1,
      EtherType.IPV4,
      ipv4({ proto: IpProtocol.UDP, src, dst }, udp(sport, dport, new TextEncoder().encode(data), ip)),
    ),
    sec: 1700000000,
    frac: clock++ * 1000,
  };
}
const { SYN, ACK, FIN, RST, PSH } = TcpFlag;
const packets = [
  // A whole connection: handshake, a request and a reply, both sides close.
  tcpFrame(A, B, 40000, 80, SYN, 100),
  tcpFrame(B, A, 80, 40000, SYN | ACK, 500),
  tcpFrame(A, B, 40000, 80, ACK, 101),
  tcpFrame(A, B, 40000, 80, PSH | ACK, 101, "GET / HTTP/1.1\r\n\r\n"),
  tcpFrame(B, A, 80, 40000, PSH | ACK, 501, "HTTP/1.1 200 OK\r\n\r\nhi"),
  tcpFrame(A, B, 40000, 80, FIN | ACK, 119),
  tcpFrame(B, A, 80, 40000, FIN | ACK, 522),
  tcpFrame(A, B, 40000, 80, ACK, 120),
  // Rejected: SYN answered by RST.
  tcpFrame(A, B, 40001, 81, SYN, 7),
  tcpFrame(B, A, 81, 40001, RST | ACK, 0),
  // No answer.
  tcpFrame(A, B, 40002, 82, SYN, 9),
  // Seen from the middle, and the reply first: the server port decides the originator.
  udpFrame(B, A, 53, 5353 + 1000, "answer"),
  udpFrame(A, B, 5353 + 1000, 53, "question"),
  // ICMP echo request and reply are one flow; a later one-way message is another.
  {
    data: ethernet(MAC2, MAC1, EtherType.IPV4, ipv4({ proto: IpProtocol.ICMP, src: A, dst: B }, icmpEcho(8, 0))),
    sec: 1700000000,
    frac: clock++ * 1000,
  },
  {
    data: ethernet(MAC2, MAC1, EtherType.IPV4, ipv4({ proto: IpProtocol.ICMP, src: B, dst: A }, icmpEcho(0, 0))),
    sec: 1700000000,
    frac: clock++ * 1000,
  },
  {
    data: ethernet(
      MAC2,
      MAC1,
      EtherType.IPV6,
      ipv6({ next: IpProtocol.ICMPV6, src: "2001:db8::1", dst: "2001:db8::2" }, icmpEcho(1, 4)),
    ),
    sec: 1700000000,
    frac: clock++ * 1000,
  },
];
const capture = pcap(packets);
const file = join(dir, "conv.pcap");
writeFileSync(file, capture);

async function rows(source: Uint8Array | string, options = {}): Promise<ConnRecord[]> {
  const out: ConnRecord[] = [];
  for await (const c of conversations(source, options)) out.push(c);
  return out;
}
function find(list: ConnRecord[], port: number): ConnRecord {
  const c = list.find((r) => r["id.resp_p"] === port);
  assert.ok(c, `no connection to port ${port}`);
  return c;
}

test("conversations() gives Zeek's conn_state, history and byte counts", async () => {
  for (const engine of ["wasm", "ts"] as const) {
    const list = await rows(capture, { engine });
    assert.is(list.length, 6, engine);
    const web = find(list, 80);
    assert.equal(
      [web["id.orig_h"], web["id.orig_p"], web["id.resp_h"], web.proto, web.conn_state, web.history],
      [A, 40000, B, "tcp", "SF", "ShADdFf"],
    );
    assert.equal([web.orig_pkts, web.resp_pkts, web.orig_bytes, web.resp_bytes], [5, 3, 18, 21]);
    assert.is(web.orig_ip_bytes, 4 * 40 + 58);
    assert.is(web.service, "http");
    assert.is(web.community_id, communityId({ proto: 6, src: A, dst: B, sport: 40000, dport: 80 }));
    assert.is(find(list, 81).conn_state, "REJ");
    assert.is(find(list, 81).history, "Sr");
    assert.is(find(list, 82).conn_state, "S0");
    const dns = find(list, 53);
    assert.equal([dns["id.orig_h"], dns.history, dns.conn_state, dns.orig_bytes, dns.resp_bytes], [
      A,
      "^dD",
      "SF",
      8,
      6,
    ]);
    const echo = list.find((r) => r.proto === "icmp" && r["id.orig_p"] === 8);
    assert.equal([echo?.orig_pkts, echo?.resp_pkts, echo?.conn_state], [1, 1, "OTH"]);
    const unreachable = list.find((r) => r["id.orig_h"] === "2001:db8::1");
    assert.equal([unreachable?.["id.orig_p"], unreachable?.["id.resp_p"]], [1, 4]);
  }
});

test("conversations() names each of Zeek's TCP states from its endpoint states", async () => {
  // [expected conn_state, history, the segments: who sends ("o" originator, "r" responder), flags, payload]
  const cases: [string, string, ["o" | "r", number, string?][]][] = [
    ["S1", "ShAD", [["o", SYN], ["r", SYN | ACK], ["o", ACK], ["o", PSH | ACK, "x"]]],
    ["S2", "ShAF", [["o", SYN], ["r", SYN | ACK], ["o", ACK], ["o", FIN | ACK]]],
    ["S3", "ShAf", [["o", SYN], ["r", SYN | ACK], ["o", ACK], ["r", FIN | ACK]]],
    ["RSTO", "ShAR", [["o", SYN], ["r", SYN | ACK], ["o", ACK], ["o", RST]]],
    ["RSTR", "ShAr", [["o", SYN], ["r", SYN | ACK], ["o", ACK], ["r", RST]]],
    ["RSTOS0", "SR", [["o", SYN], ["o", RST]]],
    ["SH", "SF", [["o", SYN], ["o", FIN]]],
    ["RSTRH", "^hr", [["r", SYN | ACK], ["r", RST]]],
    ["SHR", "^hf", [["r", SYN | ACK], ["r", FIN | ACK]]],
    ["OTH", "Dd", [["o", PSH | ACK, "a"], ["r", PSH | ACK, "b"]]],
  ];
  const frames = cases.flatMap(([, , segments], i) =>
    segments.map(([who, flags, data]) =>
      who === "o"
        ? tcpFrame(A, B, 41000 + i, 42000 + i, flags, 1000, data)
        : tcpFrame(B, A, 42000 + i, 41000 + i, flags, 9000, data)
    )
  );
  const list = await rows(pcap(frames));
  cases.forEach(([state, history], i) => {
    const c = find(list, 42000 + i);
    assert.equal([c.conn_state, c.history, c["id.orig_p"]], [state, history, 41000 + i], `case ${state}`);
  });
});

test("conversations() with a bound of one connection writes the rest early and counts them", async () => {
  const conv = conversations(capture, { maxConnections: 1 });
  const list: ConnRecord[] = [];
  for await (const c of conv) list.push(c);
  assert.ok(conv.summary.evicted > 0);
  assert.is(conv.summary.connections, list.length);
  // Every packet is in some row, whatever was ended early.
  assert.is(list.reduce((n, c) => n + c.orig_pkts + c.resp_pkts, 0), packets.length);
});

test("conversations() starts a new row after Zeek's inactivity timeout and lets ended connections go first", async () => {
  const at = <T extends { sec: number }>(frame: T, sec: number): T => ({ ...frame, sec });
  const frames = [
    at(udpFrame(A, B, 7000, 7001, "a"), 1700000000),
    at(udpFrame(B, A, 7001, 7000, "b"), 1700000030),
    // 61 s of silence: past UDP's 60 s, a new connection.
    at(udpFrame(A, B, 7000, 7001, "c"), 1700000091),
  ];
  const list = await rows(pcap(frames));
  assert.equal(list.map((c) => [c.orig_pkts, c.resp_pkts, c.conn_state]), [[1, 1, "SF"], [1, 0, "S0"]]);
  // A table of one: the first connection had timed out when the second came, so none ended early.
  const bounded = conversations(pcap([frames[0], at(udpFrame(A, B, 7002, 7003, "x"), 1700000100)]), {
    maxConnections: 1,
  });
  for await (const _ of bounded);
  assert.equal([bounded.summary.connections, bounded.summary.evicted], [2, 0]);
});

test("anynet pcap conv prints NDJSON rows, a table, endpoints and the hierarchy", async () => {
  const json = await runCli(["pcap", "conv", file, "--json", "--community-id-seed", "1"]);
  assert.is(json.code, 0, json.stderr);
  const list = json.stdout.trim().split("\n").map((l) => JSON.parse(l) as ConnRecord);
  assert.is(
    find(list, 80).community_id,
    communityId({ proto: 6, src: A, dst: B, sport: 40000, dport: 80 }, { seed: 1 }),
  );
  const table = await runCli(["pcap", "conv", file]);
  assert.is(table.code, 0, table.stderr);
  assert.match(table.stdout, /^start +duration proto originator/);
  assert.match(table.stdout, /tcp +10\.0\.0\.1:40000 +-> 10\.0\.0\.2:80 +SF +ShADdFf +5\/18 +3\/21 1:/);
  const endpoints = await runCli(["pcap", "conv", file, "--endpoints", "--json"]);
  assert.is(endpoints.code, 0, endpoints.stderr);
  const a = endpoints.stdout.trim().split("\n").map((l) => JSON.parse(l)).find((e) => e.address === A);
  // 10.0.0.1 sent 5 + 1 + 1 + 1 + 1 packets over its five connections and got 3 + 1 + 1 + 1 back.
  assert.equal([a.connections, a.tx_pkts, a.rx_pkts], [5, 9, 6]);
  const phs = await runCli(["pcap", "conv", file, "--hierarchy"]);
  assert.is(phs.code, 0, phs.stderr);
  assert.match(phs.stdout, new RegExp(`\\nframe +frames:${packets.length} `));
  assert.match(phs.stdout, /\n {6}tcp +frames:11 /);
  assert.match(phs.stdout, /\n {8}http +frames:1 /);
  const both = await runCli(["pcap", "conv", file, "--hierarchy", "--endpoints"]);
  assert.is(both.code, 2);
  assert.match(both.stderr, /choose one/);
});

test("conversations() counts a segment cut after its ports without reading flags it does not have", async () => {
  // 14 + 20 + 8 bytes: the ports and the sequence number, not the flags (which sit at 13).
  const frames = [
    tcpFrame(A, B, 43000, 443, SYN, 1000),
    tcpFrame(B, A, 443, 43000, SYN | ACK, 9000),
    tcpFrame(A, B, 43000, 443, ACK, 1001),
  ];
  for (const engine of ["wasm", "ts"] as const) {
    const [c, ...rest] = await rows(pcap(frames, { snaplen: 42 }), { engine });
    assert.is(rest.length, 0, engine);
    assert.equal(
      [c["id.orig_p"], c["id.resp_p"], c.orig_pkts, c.resp_pkts, c.conn_state, c.history, c.orig_bytes],
      [43000, 443, 2, 1, "OTH", "", 0],
      engine,
    );
  }
});

test("conversations() and pcap conv count only the packets a display filter keeps", async () => {
  const web = await rows(capture, { filter: "tcp.port == 80" });
  assert.equal(web.map((c) => [c["id.resp_p"], c.conn_state, c.orig_pkts, c.resp_pkts]), [[80, "SF", 5, 3]]);
  // Only the SYNs: each TCP connection is left with its first packet.
  const syns = await rows(capture, { filter: "tcp.flags.syn == 1 && tcp.flags.ack == 0" });
  assert.equal(syns.map((c) => [c["id.resp_p"], c.orig_pkts, c.resp_pkts]).sort(), [[80, 1, 0], [81, 1, 0], [
    82,
    1,
    0,
  ]]);
  let error: unknown;
  try {
    conversations(capture, { filter: "tcp.prot == 80" });
  } catch (e) {
    error = e;
  }
  assert.match(String(error), /unknown field 'tcp\.prot'/);
  const cli = await runCli(["pcap", "conv", file, "--json", "--filter", "udp"]);
  assert.is(cli.code, 0, cli.stderr);
  assert.equal(cli.stdout.trim().split("\n").map((l) => JSON.parse(l).proto), ["udp"]);
  const phs = await runCli(["pcap", "conv", file, "--hierarchy", "--filter", "udp"]);
  assert.is(phs.code, 0, phs.stderr);
  assert.not.match(phs.stdout, /tcp/);
  const bad = await runMain(["pcap", "conv", file, "--filter", "tcp.port =="]);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--filter: .*column/);
});

// Real traffic: tcpdump's test captures, against tshark's conversation table and its
// Community ID post-dissector (an implementation independent of anynet's).
const corpus = join(process.env.ANYNET_CORPUS ?? join(root, "..", "shared", "corpus"), "tcpdump");
const { ProtocolHierarchy } = await importPrivate<typeof import("../../src/packet/_protocol_hierarchy.ts")>(
  "packet/_protocol_hierarchy",
);
type HierarchyNode = import("../../src/packet/_protocol_hierarchy.ts").HierarchyNode;
const LEVELS = new Set(["eth", "sll", "ip", "ipv6", "tcp", "udp"]);
const hasTshark = onPath("tshark");
const CORPUS_FILES = [
  "dns_tcp.pcap",
  "dns_udp_2.pcap",
  "ipv4_tcp_http_xml.pcap",
  "mptcp-v1.pcap",
  "ntp.pcap",
  "syslog_udp.pcap",
]
  .filter((f) => existsSync(join(corpus, f)));

test("pcap conv agrees with tshark on real captures: packets per conversation and Community IDs", async () => {
  if (!hasTshark || CORPUS_FILES.length === 0) {
    announceSkip(hasTshark ? `no capture corpus at ${corpus}` : "tshark is not installed");
    return;
  }
  for (const name of CORPUS_FILES) {
    const path = join(corpus, name);
    const list = await rows(path);
    // One tshark pass: each packet's Community ID, then the conversation tables (one line per
    // TCP/UDP conversation, "a:p <-> b:p  frames bytes  frames bytes  total …") and the hierarchy.
    // The same on every leg: one tshark run per capture for the whole test run.
    const out = sharedRun(`tshark-conv-${name}`, "tshark", [
      "-r",
      path,
      "--enable-protocol",
      "communityid",
      "-T",
      "fields",
      "-e",
      "communityid",
      "-z",
      "conv,tcp",
      "-z",
      "conv,udp",
      "-z",
      "io,phs",
    ], { cwd: corpus }).stdout;
    const theirs = new Map<string, number>();
    for (const m of out.matchAll(/^(\S+):(\d+) +<-> (\S+):(\d+) +\d+ \S+ \S+ +\d+ \S+ \S+ +(\d+) /gm)) {
      theirs.set([`${m[1]}:${m[2]}`, `${m[3]}:${m[4]}`].sort().join(" "), Number(m[5]));
    }
    const ours = new Map<string, number>();
    for (const c of list.filter((r) => r.proto === "tcp" || r.proto === "udp")) {
      const key = [`${c["id.orig_h"]}:${c["id.orig_p"]}`, `${c["id.resp_h"]}:${c["id.resp_p"]}`].sort().join(" ");
      ours.set(key, (ours.get(key) ?? 0) + c.orig_pkts + c.resp_pkts);
    }
    assert.equal(ours, theirs, name);
    const ids = out.split("\n").filter((l) => l.startsWith("1:"));
    assert.equal(
      [...new Set(list.map((c) => c.community_id))].sort(),
      [...new Set(ids)].sort(),
      `${name} Community IDs`,
    );
    // The protocol hierarchy's link, network and transport levels, under "frame" in both.
    const theirLevels = [...out.matchAll(/^( *)(eth|sll|ip|ipv6|tcp|udp) +frames:(\d+) +bytes:(\d+)/gm)]
      .map((m) => `${m[1].length / 2} ${m[2]} ${m[3]} ${m[4]}`);
    const tree = new ProtocolHierarchy();
    for await (const batch of openCapture(path)) tree.addRows(batch._table, batch.length);
    const ourLevels: string[] = [];
    const walk = (node: HierarchyNode, depth: number) => {
      if (LEVELS.has(node.protocol)) ourLevels.push(`${depth} ${node.protocol} ${node.frames} ${node.bytes}`);
      for (const child of node.children) walk(child, depth + 1);
    };
    walk(tree.root, 0);
    assert.ok(theirLevels.length >= 3, `${name}: tshark's hierarchy has link, network and transport`);
    assert.equal(ourLevels, theirLevels, `${name} hierarchy`);
  }
});

// After the last test, whether or not they passed.
test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
