import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatEndpoint, netstat, NotSupportedError, parseProcNetTable } from "anynet/tools";
import { runCli } from "../_helpers/cli.ts";
import { announceSkip } from "../_helpers/env.ts";

const HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
const hasProc = existsSync("/proc/net/tcp");
const linuxOnly = hasProc ? test : test.skip;
if (!hasProc) announceSkip("netstat tests that read the live /proc/net need Linux");

let server: Server;
let port = 0;

test.before(async () => {
  server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});

test.after(async () => {
  await new Promise((resolve) => server.close(resolve));
});

test("parseProcNetTable() decodes IPv4 addresses, ports, states and queues", () => {
  // 127.0.0.1:65432 listening; 10.0.0.2:22 ← 192.168.1.9:51000 established with queues.
  const text = HEADER +
    "   0: 0100007F:FF98 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n" +
    "   1: 0200000A:0016 0901A8C0:C738 01 00000010:00000020 02:000AFC7E 00000000  1000        0 4343 4 0 20 4 30 10 -1\n";
  const entries = parseProcNetTable(text, "tcp");
  assert.equal(entries.map((e) => [e.state, e.localAddress, e.localPort, e.peerAddress, e.peerPort]), [
    ["LISTEN", "127.0.0.1", 65432, "0.0.0.0", 0],
    ["ESTAB", "10.0.0.2", 22, "192.168.1.9", 51000],
  ]);
  assert.is(entries[1].sendQueue, 16);
  assert.is(entries[1].recvQueue, 32);
  assert.is(entries[1].uid, 1000);
  assert.is(entries[1].inode, 4343);
});

test("parseProcNetTable() writes IPv6 addresses in RFC 5952 form", () => {
  const text = HEADER +
    // ::1 port 8080, listening
    "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n" +
    // 2001:db8::1 ↔ ::ffff:192.0.2.7
    "   1: B80D0120000000000000000001000000:01BB 0000000000000000FFFF0000070200C0:D431 01 00000000:00000000 00:00000000 00000000     0        0 2 1\n";
  const entries = parseProcNetTable(text, "tcp6");
  assert.is(entries[0].localAddress, "::1");
  assert.is(entries[0].peerAddress, "::");
  assert.is(entries[1].localAddress, "2001:db8::1");
  assert.is(entries[1].peerAddress, "::ffff:192.0.2.7");
  assert.is(entries[1].peerPort, 0xd431);
});

test("parseProcNetTable() names UDP states as ss does", () => {
  const text = HEADER +
    "   0: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 77 2\n" +
    "   1: 0100007F:9C40 0100007F:0035 01 00000000:00000000 00:00000000 00000000     0        0 78 2\n";
  assert.equal(parseProcNetTable(text, "udp").map((e) => e.state), ["UNCONN", "ESTAB"]);
});

test("parseProcNetTable() rejects a malformed line, naming the line", () => {
  assert.throws(
    () => parseProcNetTable(HEADER + "   0: nonsense\n", "tcp"),
    /\/proc\/net\/tcp line 2: expected at least 10 fields/,
  );
  assert.throws(
    () => parseProcNetTable(HEADER + "   0: 0100007F:ZZZZ 00000000:0000 0A 0:0 0:0 0 0 0 1 1\n", "tcp"),
    /malformed address '0100007F:ZZZZ'/,
  );
});

test("formatEndpoint() brackets IPv6 and shows port 0 as *", () => {
  assert.is(formatEndpoint("127.0.0.1", 80), "127.0.0.1:80");
  assert.is(formatEndpoint("::1", 443), "[::1]:443");
  assert.is(formatEndpoint("0.0.0.0", 0), "0.0.0.0:*");
});

linuxOnly("netstat() finds the socket this test listens on, with this process as owner", async () => {
  const sockets = await netstat({ tcp: true, listening: true });
  const mine = sockets.find((s) => s.localPort === port && s.localAddress === "127.0.0.1");
  assert.ok(mine, `port ${port} not found among ${sockets.length} listening sockets`);
  assert.is(mine!.state, "LISTEN");
  assert.is(mine!.protocol, "tcp");
  assert.is(mine!.pid, process.pid);
  assert.type(mine!.program, "string");
  assert.ok(sockets.every((s) => s.protocol.startsWith("tcp") && s.state === "LISTEN"));
});

linuxOnly("netstat() with udp only lists no TCP socket", async () => {
  const sockets = await netstat({ udp: true, owners: false });
  assert.ok(sockets.every((s) => s.protocol === "udp" || s.protocol === "udp6"));
});

test("netstat() without /proc/net raises NotSupportedError", async () => {
  const empty = mkdtempSync(join(tmpdir(), "anynet-noproc-"));
  try {
    await netstat({ procRoot: empty });
    assert.unreachable("should have thrown");
  } catch (error) {
    assert.instance(error, NotSupportedError);
    assert.match((error as Error).message, /netstat is not supported here: cannot read .*\/net\/tcp/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test("netstat() reads a procfs copy given as procRoot", async () => {
  const fake = mkdtempSync(join(tmpdir(), "anynet-proc-"));
  try {
    mkdirSync(join(fake, "net"));
    writeFileSync(
      join(fake, "net", "tcp"),
      HEADER + "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1\n",
    );
    const sockets = await netstat({ procRoot: fake });
    assert.equal(sockets.map((s) => formatEndpoint(s.localAddress, s.localPort)), ["127.0.0.1:8080"]);
    assert.is(sockets[0].pid, undefined, "no process holds a socket of a fake table");
  } finally {
    rmSync(fake, { recursive: true, force: true });
  }
});

linuxOnly("anynet netstat --tcp --listening --json lists the test's socket", async () => {
  const run = await runCli(["netstat", "--tcp", "--listening", "--json"]);
  assert.is(run.code, 0, run.stderr);
  const rows = JSON.parse(run.stdout) as { local: string; state: string; pid?: number }[];
  const mine = rows.find((r) => r.local === `127.0.0.1:${port}`);
  assert.ok(mine, `127.0.0.1:${port} missing from the CLI output`);
  assert.is(mine!.state, "LISTEN");
  assert.is(mine!.pid, process.pid);
});

linuxOnly("anynet netstat -tl prints a table with the test's socket", async () => {
  const run = await runCli(["netstat", "-tl"]);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Proto\s+State\s+Recv-Q\s+Send-Q\s+Local Address:Port\s+Peer Address:Port\s+Process\n/);
  assert.match(
    run.stdout,
    new RegExp(`tcp\\s+LISTEN\\s+\\d+\\s+\\d+\\s+127\\.0\\.0\\.1:${port}\\s+0\\.0\\.0\\.0:\\*\\s+${process.pid}/`),
  );
});

test("anynet netstat without /proc/net is a one-line error and exit 1", async () => {
  const empty = mkdtempSync(join(tmpdir(), "anynet-noproc-"));
  try {
    const run = await runCli(["netstat", "--proc-root", empty]);
    assert.is(run.code, 1);
    assert.is(run.stdout, "");
    assert.match(run.stderr, /^anynet netstat: netstat is not supported here: cannot read .*\n$/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test.run();
