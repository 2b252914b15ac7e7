import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { gzipSync } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cliCommand, runCli, runCommand } from "../_helpers/cli.ts";
import { root, testRuntime } from "../_helpers/env.ts";
import { pcap, sampleFrames } from "../../scripts/_packet_writer.ts";

const dir = mkdtempSync(join(tmpdir(), "anynet-pcap-input-"));
const capture = pcap(sampleFrames().map((data, i) => ({ data, sec: 1700000000, frac: i })));
const file = join(dir, "sample.pcap");
writeFileSync(file, capture);
const gz = join(dir, "sample.pcap.gz");
writeFileSync(gz, gzipSync(capture));
const broken = join(dir, "broken.pcap.gz");
writeFileSync(broken, gzipSync(capture).subarray(0, 60));

/** Runs the CLI (or `runner`, a command and its leading arguments) with `input` bytes on standard input. */
function runWithStdin(
  args: string[],
  input: Uint8Array,
  runner: [string, string[]] = cliCommand(),
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command, prefix] = runner;
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

for (const command of [["pcap", "decode", "--json"], ["pcap", "stats", "--json"], ["pcap", "conv", "--json"]]) {
  test(`anynet ${command.slice(0, 2).join(" ")} - reads standard input, plain and gzip, as it reads the file`, async () => {
    const fromFile = await runCli([...command, file]);
    assert.is(fromFile.code, 0, fromFile.stderr);
    const withoutFlows = (s: string) => command[1] === "stats" ? s.replace(/"flows".*/, "") : s;
    for (const [label, bytes] of [["plain", capture], ["gzip", gzipSync(capture)]] as const) {
      const piped = await runWithStdin([...command, "-"], bytes);
      assert.is(piped.code, 0, `${label}: ${piped.stderr}`);
      assert.is(withoutFlows(piped.stdout), withoutFlows(fromFile.stdout), label);
      // A pipe named by a path is read once: the bytes that tell gzip are not read twice.
      // (bash makes a real pipe; a child's standard input from spawn() is a socket, which
      // /dev/stdin cannot open.)
      const [cli, prefix] = cliCommand();
      const named = await runCommand("bash", [
        "-c",
        'cat "$1" | "${@:2}" /dev/stdin',
        "bash",
        label === "plain" ? file : gz,
        cli,
        ...prefix,
        ...command,
      ]);
      assert.is(named.code, 0, `${label} through /dev/stdin: ${named.stderr}`);
      assert.is(withoutFlows(named.stdout), withoutFlows(fromFile.stdout), `${label} through /dev/stdin`);
    }
    const zipped = await runCli([...command, gz]);
    assert.is(zipped.code, 0, zipped.stderr);
    assert.is(zipped.stdout, fromFile.stdout);
  });
}

// Standard input is the one capture source Deno reads without --allow-read (the README says so).
if (testRuntime === "deno") {
  test("anynet pcap decode - runs on Deno without any permission", async () => {
    const [deno] = cliCommand();
    const piped = await runWithStdin(["pcap", "decode", "-"], capture, [deno, [
      "run",
      "--no-lock",
      join(root, "src", "cli.ts"),
    ]]);
    assert.is(piped.code, 0, piped.stderr);
    assert.is(piped.stdout.trim().split("\n").length, sampleFrames().length);
  });
}

test("anynet pcap decode names a damaged gzip capture and exits 1", async () => {
  const run = await runCli(["pcap", "decode", broken]);
  assert.is(run.code, 1);
  assert.match(run.stderr, /^anynet pcap decode: cannot read capture '.*broken\.pcap\.gz': gzip data is damaged/m);
  const piped = await runWithStdin(["pcap", "decode", "-"], gzipSync(capture).subarray(0, 60));
  assert.is(piped.code, 1);
  assert.match(piped.stderr, /cannot read capture standard input: gzip data is damaged/);
});

test("anynet pcap decode - prints a packet as soon as it arrives, before standard input ends", async () => {
  const [command, prefix] = cliCommand();
  const child = spawn(command, [...prefix, "pcap", "decode", "-"], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
  try {
    // The global header and the first record only: the pipe stays open.
    const first = pcap([{ data: sampleFrames()[0], sec: 1700000000 }]);
    child.stdin.write(first);
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(
        () => reject(new Error(`no packet printed within 20 s; got ${JSON.stringify(out)}`)),
        20000,
      );
      child.stdout.setEncoding("utf8").on("data", (s: string) => {
        out += s;
        if (out.includes("\n")) {
          clearTimeout(timer);
          resolve(out);
        }
      });
    });
    assert.match(line, /^1 1700000000\.000000000 IP /);
    assert.is(child.exitCode, null, "still running: standard input is open");
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.stdin.end();
    assert.is(await closed, 0);
  } finally {
    child.kill("SIGKILL");
  }
});

test("anynet pcap decode - ends on SIGINT with the count of what arrived", async () => {
  const [command, prefix] = cliCommand();
  const child = spawn(command, [...prefix, "pcap", "decode", "-"], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
  try {
    let stdout = "", stderr = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    // Standard input stays open, as with a live tcpdump: only the signal ends the command.
    child.stdin.write(capture);
    const frames = sampleFrames().length;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not every packet printed within 20 s: ${stdout}`)), 20000);
      child.stdout.setEncoding("utf8").on("data", (s: string) => {
        stdout += s;
        if (stdout.split("\n").length > frames) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // process.kill, not child.kill: a Deno parent reports a child it signalled through
    // child.kill as killed by the signal, even when the child handled it and exited 0.
    process.kill(child.pid!, "SIGINT");
    assert.is(await closed, 0, stderr);
    assert.is(stderr, `${frames} packets decoded\n`);
  } finally {
    child.kill("SIGKILL");
  }
});

// After the last test, whether or not they passed.
test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
