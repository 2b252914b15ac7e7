import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  buildTcpConversation,
  buildUdpFrame,
  captureStats,
  compileFilter,
  FilterError,
  openCapture,
  writePcap,
} from "anynet/packet";
import { pcap, rng, sampleFrames } from "../../scripts/_packet_writer.ts";

// The sample capture: 1 TCP SYN 192.168.1.10:40000 > 93.184.216.34:443 (DF), 2 TLS ClientHello
// (SNI example.com, ALPN h2 and http/1.1), 3 HTTP GET /index.html?q=1 (Host example.org),
// 4 DNS query www.example.com over IPv4, 5 DNS query ipv6.example.net over IPv6 (2001:db8::10 >
// 2001:db8:0:1::53), 6 ICMP echo, 7 ICMPv6 echo, 8 ARP, 9 UDP 1234 > 5678 in VLAN 100,
// 10 TCP over IPv6 in an 802.1ad tag 10 around an 802.1Q tag 20. Second i is 1700000000 + i - 1.
const capture = pcap(sampleFrames().map((data, i) => ({ data, sec: 1700000000 + i, frac: 123456 })));

async function frames(filter: string, engine: "wasm" | "ts" = "wasm"): Promise<number[]> {
  const out: number[] = [];
  for await (const batch of openCapture(capture, { filter, engine, batchSize: 3 })) {
    for (let i = 0; i < batch.length; i++) out.push(batch.frameNumber(i));
  }
  return out;
}

const SEMANTICS: [string, number[]][] = [
  ["tcp", [1, 2, 3, 10]],
  ["udp && !dns", [9]],
  ["ip and not tcp", [4, 6, 9]],
  ["ipv6 || arp", [5, 7, 8, 10]],
  ["tcp.port == 443", [1, 2]],
  ["tcp.port eq 80 or udp.port == 53", [3, 4, 5]],
  ["tcp.srcport >= 40001", [3]],
  ["tcp.dstport < 80", [10]],
  ["tcp.port in {80, 1..2}", [3, 10]],
  ["tcp.port not in {443}", [3, 4, 5, 6, 7, 8, 9, 10]],
  ["tcp.flags.syn == 1 and tcp.flags.ack == 0", [1]],
  // A boolean field alone asks whether it is there, as in tshark: every TCP packet.
  ["tcp.flags.syn", [1, 2, 3, 10]],
  ["tcp.flags & 0x02", []],
  ["tcp.len > 0", [2, 3]],
  ["tcp.len == 99", [2]],
  ["ip.addr == 93.184.216.34", [1, 2, 3, 4, 6, 9]],
  ["ip.addr == 192.168.0.0/16 and ip.dst == 93.184.216.0/24", [1, 2, 3, 4, 6, 9]],
  // != holds when every occurrence differs; !== when any one does.
  ["ip.addr != 192.168.1.10", []],
  ["ip.addr !== 192.168.1.10", [1, 2, 3, 4, 6, 9]],
  ["ip.addr === 192.168.1.10", []],
  ["not ip.addr == 192.168.1.10", [5, 7, 8, 10]],
  ["ip.src in {192.168.1.1 .. 192.168.1.20}", [1, 2, 3, 4, 6, 9]],
  ["ip.flags.df == True", [1]],
  ["ip.ttl > 0 && ip.proto == 17", [4, 9]],
  ["ipv6.addr == 2001:db8::/32", [5, 7, 10]],
  ["ipv6.dst == 2001:db8:0:1::53", [5, 7, 10]],
  ["ipv6.src == 2001:db8::11", []],
  ["eth.addr == ff:ff:ff:ff:ff:ff", [8]],
  ["eth.src == 00-11-22-33-44-55 and eth.dst != ff.ff.ff.ff.ff.ff", [1, 2, 3, 4, 5, 6, 7, 9, 10]],
  ["eth.type == 0x86dd", [5, 7]],
  ["vlan", [9, 10]],
  ["vlan.id == 20", [10]],
  ["vlan.id == 10", []],
  ["icmp.type == 8 || icmpv6.type == 128", [6, 7]],
  ["arp.opcode == 1 && arp.src.proto_ipv4 == 192.168.1.10", [8]],
  ['dns.qry.name == "www.example.com"', [4]],
  ['dns.qry.name contains "example"', [4, 5]],
  ['dns.qry.name matches "^IPV6\\\\."', [5]],
  ['dns.qry.name > "w"', [4]],
  ["dns.flags.response == 0 and dns.qry.type == 28", [5]],
  ['tls.handshake.extensions_server_name == "example.com"', [2]],
  ['tls.handshake.extensions_alpn_str == "http/1.1"', [2]],
  ['http.request.method in {"GET", "HEAD"} and http.host == "example.org"', [3]],
  ['http.request.uri contains "?q="', [3]],
  ["frame.number in {2..4, 9}", [2, 3, 4, 9]],
  ["frame.len <= 51", [6, 8, 9]],
  ["frame.time_epoch >= 1700000008.123456 && frame.time_epoch < 1700000009.2", [9, 10]],
  ["frame.time_epoch > 1700000009.123456", []],
  ["frame.time_epoch > 1700000009.123455999", [10]],
  ["frame.len > '\\x40'", [1, 2, 3, 4, 5, 7, 10]],
  ["(tcp or udp) and not (ip.addr == 93.184.216.34)", [5, 10]],
  ["! tcp && ! udp && ! arp && ! icmp", [7]],
  ["frame", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
];

for (const [expression, expected] of SEMANTICS) {
  if (expression.includes("&")) {
    // Bitwise & is not part of the language.
    if (expression.includes(" & ")) {
      test(`filter ${expression} is refused`, () => {
        assert.throws(() => compileFilter(expression), (e: unknown) => e instanceof FilterError);
      });
      continue;
    }
  }
  test(`filter ${expression}`, async () => {
    assert.equal(await frames(expression), expected, "wasm engine");
    assert.equal(await frames(expression, "ts"), expected, "ts engine");
  });
}

const ERRORS: [string, number, RegExp][] = [
  ["tcp.prot == 80", 1, /unknown field 'tcp\.prot' at column 1 \(did you mean tcp\.port\?\)/],
  ["tcp and udp.prot", 9, /unknown field 'udp\.prot'/],
  ["tcp.port == ", 13, /expected a value, found the end of the expression at column 13/],
  ["tcp.port == 80 &&", 18, /expected a field or protocol name/],
  ["(tcp or udp", 12, /expected '\)' to close the '\(' at column 1/],
  ["tcp)", 4, /'\)' without a matching '\('/],
  ["tcp udp", 5, /expected 'and', 'or' or the end/],
  ["", 1, /the expression is empty/],
  ["ip.src == 300.1.1.1", 11, /'300\.1\.1\.1' is not an IPv4 address/],
  ["ip.src == example.com", 11, /host names are not resolved/],
  ["ip.addr == 10.0.0.0/33", 20, /prefix length from 0 to 32/],
  ["ipv6.addr == 2001:db8::/129", 24, /prefix length from 0 to 128/],
  ["ipv6.addr == 10.0.0.1", 14, /not an IPv6 address/],
  ["eth.src == 00:11:22", 12, /not a MAC address/],
  ["tcp.port == 0x1zz", 13, /not an unsigned integer/],
  ["tcp.port == -1", 13, /not an unsigned integer/],
  ["tcp.port contains 80", 10, /'contains' applies to strings/],
  ["tcp == 1", 5, /'tcp' is a protocol/],
  ["tcp.flags.syn > 0", 15, /is a boolean: compare it with == or !=/],
  ["dns.flags.response == yes", 23, /'yes' is not a boolean/],
  ['dns.qry.name == "unterminated', 17, /string without its closing quote/],
  ['dns.qry.name matches "("', 22, /bad regular expression/],
  ["frame.time_epoch > yesterday", 20, /not a time/],
  ["tcp.port in {80 443}", 17, /expected ',' or '}' in the set/],
  ["tcp.port in {100..10}", 19, /the range ends below where it starts/],
  ["frame[0] == 1", 6, /slices/],
  ["tcp.port == 80 | udp", 16, /the operator '\|' is not supported/],
  ['http.request.uri == "\\q"', 22, /unknown escape/],
];

for (const [expression, column, message] of ERRORS) {
  test(`filter error: ${JSON.stringify(expression)} at column ${column}`, () => {
    try {
      compileFilter(expression);
    } catch (error) {
      assert.instance(error, FilterError);
      const e = error as FilterError;
      assert.match(e.message, message);
      assert.is(e.column, column, e.message);
      assert.match(e.pointer(), new RegExp(`\\n  ${" ".repeat(column - 1)}\\^$`));
      return;
    }
    assert.unreachable(`${expression} compiled`);
  });
}

test("random token soup either compiles and runs, or is a FilterError with a column inside the expression", async () => {
  const parts = [
    ...["tcp.port", "ip.addr", "ipv6.addr", "eth.src", "dns.qry.name", "frame.time_epoch", "tcp.flags.syn", "vlan.id"],
    ...["==", "!=", "===", "!==", "<", ">=", "in", "not", "!", "and", "&&", "or", "||", "(", ")", "{", "}", ","],
    ...["..", "contains", "matches", "80", "0x50", "'a'", '"x"', 'r"\\d"', "10.0.0.0/8", "fe80::/10", "tcp", "udp"],
    ...["aa:bb:cc:dd:ee:ff", "1700000000.5", "True", "-", "[", "\\", '"', "'", "0b101", "077", "~", " "],
  ];
  const next = rng(42);
  let compiled = 0;
  for (let i = 0; i < 5000; i++) {
    let expression = "";
    for (let j = 1 + (next() % 7); j > 0; j--) expression += parts[next() % parts.length] + (next() % 3 ? " " : "");
    try {
      const filter = compileFilter(expression);
      compiled++;
      if (compiled % 20 === 0) {
        for await (const batch of openCapture(capture, { filter })) assert.ok(batch.length > 0);
      }
    } catch (error) {
      if (!(error instanceof FilterError)) throw new Error(`${JSON.stringify(expression)}: ${error}`);
      assert.ok(error.column >= 1 && error.column <= expression.length + 1, `${expression}: column ${error.column}`);
    }
  }
  assert.ok(compiled > 50, `only ${compiled} compiled`);
});

test("filters on frames built with buildTcpConversation and buildUdpFrame (IPv6 and IPv4 loopback)", async () => {
  const text = new TextEncoder();
  const conversation = buildTcpConversation({
    client: { hostname: "::1", port: 50000 },
    server: { hostname: "::1", port: 8080 },
    messages: [{ from: "client", data: text.encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n") }, {
      from: "server",
      data: text.encode("hello"),
    }],
  });
  const udp = buildUdpFrame({
    src: { hostname: "127.0.0.1", port: 40000 },
    dst: { hostname: "127.0.0.2", port: 53 },
    payload: new Uint8Array(12),
  });
  const bytes = writePcap([...conversation, udp].map((data, i) => ({ data, time: 1000 * i })));
  const matching = async (filter: string) => {
    const out: number[] = [];
    for await (const batch of openCapture(bytes, { filter })) {
      for (let i = 0; i < batch.length; i++) out.push(batch.frameNumber(i));
    }
    return out;
  };
  assert.equal(await matching("tcp.flags.syn == 1"), [1, 2], "SYN and SYN-ACK");
  assert.equal(await matching("tcp.flags.syn == 1 && tcp.flags.ack == 1"), [2]);
  // SYN, SYN-ACK, ACK, request, ACK, response, ACK, FIN-ACK, FIN-ACK, ACK; then the datagram.
  assert.is(conversation.length, 10);
  assert.equal(await matching("tcp.flags.fin == 1"), [8, 9]);
  assert.equal(await matching('http.request.method == "GET" && ipv6.addr == ::1 && tcp.dstport == 8080'), [4]);
  assert.equal(await matching("tcp.len == 5 and tcp.srcport == 8080"), [6]);
  assert.equal(await matching("ip.dst == 127.0.0.2 and udp.dstport == 53 and dns.id == 0"), [11]);
  assert.equal(await matching("frame.time_epoch >= 3 && frame.time_epoch < 7.000001"), [4, 5, 6, 7, 8]);
});

test("openCapture checks the filter before reading anything", () => {
  // A source that would fail if it were read: the filter error comes first, synchronously.
  assert.throws(() => openCapture("/nonexistent/capture.pcap", { filter: "tcp.port ==" }), /column 12/);
});

test("a compiled filter is reused across captures, and matches() tests one packet", async () => {
  const filter = compileFilter("udp");
  let seen = 0;
  for (let round = 0; round < 2; round++) {
    for await (const batch of openCapture(capture)) {
      for (let i = 0; i < batch.length; i++) if (filter.matches(batch, i)) seen++;
    }
  }
  assert.is(seen, 6);
  assert.is(filter.expression, "udp");
});

test("captureStats({ filter }) counts only the matching packets, with either engine", async () => {
  for (const engine of ["wasm", "ts"] as const) {
    const s = await captureStats(capture, { engine, filter: "dns or icmp" });
    assert.is(s.packets, 3, engine);
    assert.is(s.protocols.dns, 2, engine);
    assert.is(s.protocols.icmp, 1, engine);
    assert.is(s.protocols.tcp, 0, engine);
    assert.is(s.flows, 3, engine);
  }
  await assert.not.throws(() => captureStats(capture, { filter: "tcp" }));
  try {
    await captureStats(capture, { filter: "tcp.port > x" });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, FilterError);
  }
});

test.run();
