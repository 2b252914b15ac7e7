/**
 * A reader that goes away (`anynet … | head`) ends every printing command quietly:
 * exit code 141, as a shell reports a process killed by SIGPIPE, nothing on standard
 * error, and at once, even for a command that would print for ever.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { serveEcho } from "anynet/echo";
import { listen } from "anynet/net";
import { cliCommand, type CliResult, runCommand } from "../_helpers/cli.ts";
import { rawServer } from "../_helpers/http_servers.ts";
import { concat, ethernet, ipv4, le32, pcap, udp } from "../../scripts/_packet_writer.ts";
import { root } from "../_helpers/env.ts";

/** What the documentation promises for a closed pipe. */
const EXIT_OUTPUT_CLOSED = 141;

/** Longest a run may take once its reader is gone (generous: the machine may be busy, Deno starts slowly). */
const BOUND_MS = 20_000;

const dir = mkdtempSync(join(tmpdir(), "anynet-closed-output-"));

/**
 * Runs the CLI with standard output a pipe whose reader has closed before the CLI
 * starts (the right side closes its end, then lets the left side go on), so its very
 * first write fails, whatever its size. `timeout` ends a CLI that would not stop.
 */
const closedPipeScript = `set -o pipefail
ready="$1"; shift
{ read -r _ < "$ready"; exec timeout -k 5 60 "$@"; } | { exec 0<&-; echo > "$ready"; }`;

/** A pipe into `head -1`, as people type it. */
const headScript = `set -o pipefail
{ exec timeout -k 5 60 "$@"; } | head -1`;

interface TimedResult extends CliResult {
  ms: number;
}

let fifoCount = 0;

async function intoClosedPipe(args: string[]): Promise<TimedResult> {
  const ready = join(dir, `ready-${fifoCount++}`);
  const made = await runCommand("mkfifo", [ready]);
  assert.is(made.code, 0, made.stderr);
  const [command, prefix] = cliCommand();
  const started = Date.now();
  const result = await runCommand("bash", ["-c", closedPipeScript, "bash", ready, command, ...prefix, ...args], {
    timeoutMs: 90_000,
  }, `anynet ${args.join(" ")} into a closed pipe`);
  return { ...result, ms: Date.now() - started };
}

async function intoHead(args: string[], input?: string): Promise<TimedResult> {
  const [command, prefix] = cliCommand();
  const started = Date.now();
  const result = await runCommand("bash", ["-c", headScript, "bash", command, ...prefix, ...args], {
    timeoutMs: 90_000,
    input,
  }, `anynet ${args.join(" ")} | head -1`);
  return { ...result, ms: Date.now() - started };
}

function assertQuietEnd(run: TimedResult, what: string): void {
  assert.is(run.stderr, "", `${what}: nothing on stderr`);
  assert.is(run.code, EXIT_OUTPUT_CLOSED, `${what}: exit code ${run.code}, stderr: ${run.stderr}`);
  assert.ok(run.ms < BOUND_MS, `${what}: took ${run.ms} ms`);
}

test("every printing command ends quietly with 141 when standard output's reader is gone", async () => {
  const echoServer = await serveEcho({ port: 0 });
  const tcpListener = await listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = (async () => {
    for await (const conn of tcpListener) conn.close();
  })();
  const http = await rawServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ id: 1, title: "hello" }));
  });
  const echoPort = String(echoServer.addr.port);
  const commands: string[][] = [
    ["--help"],
    ["--version"],
    ["help", "echo"],
    ["tcping", "--help"],
    ["info"],
    ["info", "--json"],
    ["echo", "--port", echoPort, "hello"],
    ["get", `${http.url}/posts/1`],
    ["post", `${http.url}/posts`, "--data", "{}"],
    ["pcap", "decode", join(root, "examples", "echo.pcap")],
    ["pcap", "stats", join(root, "examples", "echo.pcap")],
    ["netstat"],
    ["tcping", `127.0.0.1:${tcpListener.addr.port}`, "-c", "3", "-i", "0.05"],
    ["bench", "echo", "--port", echoPort, "--duration", "0.2", "-c", "2"],
    ["demo"],
    // Servers: the "listening on" line is their only output; a server nobody reads stops.
    ["echo-server", "--port", "0"],
    ["serve-api", "--port", "0"],
    ["proxy", "--listen", "127.0.0.1:0", "--backend", `127.0.0.1:${echoPort}`],
  ];
  try {
    for (const args of commands) assertQuietEnd(await intoClosedPipe(args), `anynet ${args.join(" ")}`);
  } finally {
    await echoServer.close();
    tcpListener.close();
    await accepting;
    await http.close();
  }
});

test("anynet tcping that would probe for ever stops after head -1 took its line", async () => {
  const tcpListener = await listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = (async () => {
    for await (const conn of tcpListener) conn.close();
  })();
  try {
    const run = await intoHead(["tcping", `127.0.0.1:${tcpListener.addr.port}`, "-c", "0", "-i", "0.05"]);
    assert.is(run.stdout, `TCPING 127.0.0.1:${tcpListener.addr.port}\n`);
    assertQuietEnd(run, "tcping -c 0 | head -1");
  } finally {
    tcpListener.close();
    await accepting;
  }
});

test("anynet get of an endless body stops after head -1 took its line, and lets the connection go", async () => {
  const line = "x".repeat(1023) + "\n";
  const chunk = line.repeat(64);
  let closed = false;
  const http = await rawServer((_req, res) => {
    res.setHeader("content-type", "text/plain");
    res.on("close", () => (closed = true));
    const more = () => {
      while (!res.destroyed && res.write(chunk));
    };
    res.on("drain", more);
    more();
  });
  try {
    const run = await intoHead(["get", `${http.url}/endless`]);
    assert.is(run.stdout, line);
    assertQuietEnd(run, "get | head -1");
    const deadline = Date.now() + 10_000;
    while (!closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(closed, "the server still sends the body to a client that is gone");
  } finally {
    await http.close();
  }
});

test("anynet pcap decode of an endless capture stops after head -1 took its line", async () => {
  // A capture on standard input that never ends: only a decode that stops can finish.
  const frame = ethernet(
    "02:00:00:00:00:02",
    "02:00:00:00:00:01",
    0x0800,
    ipv4(
      { proto: 17, src: "10.0.0.1", dst: "10.0.0.2" },
      udp(1000, 2000, new Uint8Array(16), { v: 4, src: "10.0.0.1", dst: "10.0.0.2" }),
    ),
  );
  const header = pcap([]);
  const record = concat(le32(1700000000), le32(0), le32(frame.length), le32(frame.length), frame);
  const block = concat(...Array.from({ length: 2000 }, () => record));
  writeFileSync(join(dir, "header.pcap"), header);
  writeFileSync(join(dir, "block.bin"), block);
  const [command, prefix] = cliCommand();
  const script = `set -o pipefail
{ cat "$1/header.pcap"; while cat "$1/block.bin"; do :; done; } | { exec timeout -k 5 60 "\${@:2}" pcap decode /dev/stdin; } | head -1`;
  const started = Date.now();
  const run = await runCommand("bash", ["-c", script, "bash", dir, command, ...prefix], { timeoutMs: 90_000 });
  const ms = Date.now() - started;
  assert.match(run.stdout, /^1 1700000000\.000000000 IP 10\.0\.0\.1\.1000 > 10\.0\.0\.2\.2000: UDP len 16/);
  assert.is(run.stdout.split("\n").length, 2, run.stdout.slice(0, 500));
  assertQuietEnd({ ...run, ms }, "pcap decode (endless) | head -1");
});

test("a failure of standard output other than a closed pipe is one line and exit code 1", async () => {
  const started = Date.now();
  const run = await runCommand("bash", ["-c", '"$@" > /dev/full', "bash", ...cliCommand().flat(), "info"]);
  assert.ok(Date.now() - started < BOUND_MS);
  assert.is(run.code, 1, run.stderr);
  assert.match(run.stderr, /^anynet: cannot write to standard output: .*(ENOSPC|No space left on device).*\n$/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
