import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bindUdp, connect } from "anynet/net";
import { openCapture, type PacketRecord } from "anynet/packet";
import { DEMO_MESSAGE, DEMO_STEPS, type DemoResult, type DemoStep, runDemo } from "anynet/tools";
import { runCli, runMain } from "../_helpers/cli.ts";
import { announceSkip, onPath } from "../_helpers/env.ts";

const hasTshark = onPath("tshark");
if (!hasTshark) announceSkip("tshark is not installed: the demo's capture is not checked by tshark");
const withTshark = hasTshark ? test : test.skip;

let result: DemoResult;
const seen: DemoStep[] = [];
test.before(async () => {
  result = await runDemo({ onStep: (step) => seen.push(step) });
});

function portIn(step: DemoStep): number {
  const match = /127\.0\.0\.1:(\d+)/.exec(step.summary);
  assert.ok(match, `no address in ${step.title}: ${step.summary}`);
  return Number(match![1]);
}

async function decode(capture: Uint8Array): Promise<PacketRecord[]> {
  const records: PacketRecord[] = [];
  for await (const batch of openCapture(capture)) records.push(...batch);
  return records;
}

test("runDemo() runs the six steps in order and every one works", () => {
  assert.equal(result.steps.map((s) => s.id), ["tcp", "udp", "tls", "http", "capture", "stats"]);
  assert.equal(result.steps.map((s) => s.id), DEMO_STEPS.map((s) => s.id));
  for (const step of result.steps) assert.ok(step.ok, `${step.title} failed: ${step.summary}`);
  assert.is(result.passed, 6);
  assert.ok(result.ok);
  assert.equal(seen, result.steps, "onStep saw each step once, in order");
  assert.equal(result.steps.map((s) => `${s.index}/${s.total}`), ["1/6", "2/6", "3/6", "4/6", "5/6", "6/6"]);
});

test("runDemo() says what each step did and got", () => {
  const [tcp, udp, tls, http, capture, stats] = result.steps;
  for (const step of [tcp, udp, tls]) assert.ok(step.summary.includes(`"${DEMO_MESSAGE}"`), step.summary);
  assert.match(tcp.summary, /got it back/);
  assert.match(tls.summary, /certificate verified/);
  assert.match(http.summary, /GET \/posts\/1: 200 OK, post 1 "/);
  assert.match(http.summary, /1 retry/);
  assert.match(http.details[0], /^attempt 1: 503 Service Unavailable \(staged by the demo\), retried after \d+ ms$/);
  assert.match(capture.summary, /reconstructed/);
  assert.is(capture.details.length, 12, "one line per decoded packet");
  assert.match(stats.summary, /^12 packets, \d+ bytes of frames, 2 flows \(IPv4 12, TCP 10, UDP 2\)/);
  const frameBytes = (summary: string) => /(\d+) bytes of frames/.exec(summary)?.[1];
  assert.is(frameBytes(capture.summary), frameBytes(stats.summary), "one byte count for the capture in both steps");
  assert.match(capture.summary, new RegExp(`the file is ${result.capture!.length} bytes with its pcap headers`));
});

test("runDemo() captures the TCP and UDP exchanges with their real ports and payloads", async () => {
  const tcpPort = portIn(result.steps[0]);
  const udpPort = portIn(result.steps[1]);
  assert.ok(result.capture, "the capture is returned");
  const records = await decode(result.capture!);
  const tcp = records.filter((r) => r.tcp);
  const udp = records.filter((r) => r.udp);
  assert.is(tcp.length, 10);
  assert.is(udp.length, 2);
  assert.is(tcp[0].tcp!.dport, tcpPort, "the SYN goes to the echo server's port");
  assert.is(tcp[0].tcp!.flags, 0x02);
  assert.equal(tcp.map((r) => r.tcp!.payload), [0, 0, 0, 21, 0, 21, 0, 0, 0, 0]);
  assert.is(udp[0].udp!.dport, udpPort);
  assert.is(udp[1].udp!.sport, udpPort);
  assert.ok(records.every((r) => r.ip?.src === "127.0.0.1" && r.ip.dst === "127.0.0.1"));
  // The payload bytes themselves: the message sits at the end of the client's data segment.
  const bytes = new TextDecoder().decode(result.capture!);
  assert.ok(bytes.split(DEMO_MESSAGE).length - 1 >= 4, "the message is in both TCP and both UDP data packets");
  // Times follow the order of the exchanges.
  const times = records.map((r) => r.sec! * 1e6 + r.nsec! / 1000);
  assert.equal([...times].sort((a, b) => a - b), times);
});

test("runDemo() closes every server it started", async () => {
  // The UDP echo server's port is free again: it can be bound.
  const udpPort = portIn(result.steps[1]);
  const socket = await bindUdp({ hostname: "127.0.0.1", port: udpPort });
  socket.close();
  for (const step of [result.steps[0], result.steps[2], result.steps[3]]) {
    const port = portIn(step);
    let refused = false;
    try {
      const conn = await connect({ hostname: "127.0.0.1", port, timeout: 3000 });
      conn.close();
    } catch (error) {
      refused = (error as { code?: string }).code === "ECONNREFUSED";
    }
    assert.ok(refused, `port ${port} of ${step.title} still accepts connections`);
  }
});

withTshark("runDemo()'s capture reads in tshark with every TCP and UDP checksum good", () => {
  const dir = mkdtempSync(join(tmpdir(), "anynet-demo-"));
  try {
    const file = join(dir, "demo.pcap");
    writeFileSync(file, result.capture!);
    const out = spawnSync("tshark", [
      "-r",
      file,
      "-o",
      "tcp.check_checksum:TRUE",
      "-o",
      "udp.check_checksum:TRUE",
      "-T",
      "fields",
      "-e",
      "frame.protocols",
      "-e",
      "tcp.checksum.status",
      "-e",
      "udp.checksum.status",
    ], { encoding: "utf8" });
    assert.is(out.status, 0, out.stderr);
    const lines = out.stdout.trim().split("\n");
    assert.is(lines.length, 12);
    // tshark's checksum status 1 is "Good".
    for (const line of lines) assert.match(line, /^eth:ethertype:ip:(tcp|udp)(:data)?\t(1\t|\t1)$/, line);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("runDemo() fails a step that runs out of time with the reason, and runs the rest", async () => {
  const lines: string[] = [];
  const slow = await runDemo({ stepTimeout: 1, onStep: (s) => lines.push(`${s.title}: ${s.summary}`) });
  assert.not.ok(slow.ok);
  assert.is(slow.steps.length, 6);
  assert.is(lines.length, 6);
  // Making two key pairs and a TLS handshake take far more than 1 ms on any runtime;
  // the quicker steps may or may not finish in time.
  const tls = slow.steps[2];
  assert.not.ok(tls.ok);
  assert.is(tls.summary, "did not finish within 1 ms");
  for (const step of slow.steps) {
    assert.ok(
      step.ok || /^did not finish within 1 ms$|^nothing to capture|^no capture to sum up/.test(step.summary),
      step.summary,
    );
  }
  assert.is(slow.passed, slow.steps.filter((s) => s.ok).length);
});

test("runDemo() runs no step once its signal is aborted", async () => {
  const controller = new AbortController();
  controller.abort();
  const stopped = await runDemo({ signal: controller.signal });
  assert.is(stopped.passed, 0);
  assert.ok(stopped.steps.every((s) => !s.ok && s.summary === "not run: interrupted"));
});

test("runDemo() rejects a bad step timeout before starting anything", async () => {
  for (const bad of [0, -1, NaN, Infinity, "5" as unknown as number]) {
    try {
      await runDemo({ stepTimeout: bad });
      assert.unreachable(`stepTimeout ${String(bad)} was accepted`);
    } catch (error) {
      assert.instance(error, RangeError);
      assert.match((error as Error).message, /'stepTimeout'/);
    }
  }
});

test("anynet demo prints each step and exits 0 when every step worked", async () => {
  const { code, stdout, stderr } = await runCli(["demo"], { timeoutMs: 60000 });
  assert.is(code, 0, stdout + stderr);
  assert.is(stderr, "");
  const lines = stdout.trimEnd().split("\n");
  assert.match(lines[0], /^anynet \S+ demo on (node|deno|bun) .*: 6 steps on 127\.0\.0\.1/);
  for (const [i, title] of ["TCP echo", "UDP echo", "TLS echo", "HTTP", "capture", "capture stats"].entries()) {
    assert.ok(lines.some((l) => l.startsWith(`${i + 1}/6 ok   ${title}: `)), `no ok line for ${title}:\n${stdout}`);
  }
  assert.is(lines.at(-1), "demo: 6 of 6 steps worked");
});

test("anynet demo exits 1 with a clear line for each step that failed", async () => {
  const { code, stdout } = await runCli(["demo", "--step-timeout", "0.001"], { timeoutMs: 60000 });
  assert.is(code, 1, stdout);
  assert.match(stdout, /^3\/6 FAIL TLS echo: did not finish within 1 ms$/m);
  assert.match(stdout, /^demo: [0-5] of 6 steps worked$/m);
});

test("anynet demo rejects a bad --step-timeout with exit code 2", async () => {
  const { code, stderr } = await runMain(["demo", "--step-timeout", "0"]);
  assert.is(code, 2);
  assert.match(stderr, /step-timeout/);
});

test.run();
