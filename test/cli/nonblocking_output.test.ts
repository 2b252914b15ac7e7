/**
 * Standard output that another program made non-blocking (a parent that shares the pipe
 * and set O_NONBLOCK on it): a write the full pipe cannot take fails with EAGAIN instead
 * of waiting, and the CLI must go on through the runtime's stream, in order, losing
 * nothing, rather than report "cannot write to standard output". Deno's standard output
 * cannot go on (it buffers lines of its own, so after EAGAIN nobody knows which bytes
 * went out): there the command must end with that error in one line.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cliCommand, runCli, runCommand } from "../_helpers/cli.ts";
import { testRuntime } from "../_helpers/env.ts";
import { pcap, sampleFrames } from "../../scripts/_packet_writer.ts";

const dir = mkdtempSync(join(tmpdir(), "anynet-nonblocking-output-"));

/**
 * Runs argv with standard output the write end of a pipe set non-blocking, and reads
 * the pipe only after half a second, so the first writes fill it (64 KiB) at once.
 */
const nonBlockingPipe = `
import fcntl, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
child = subprocess.Popen(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
os.close(w)
time.sleep(0.5)
out = b""
while True:
    chunk = os.read(r, 1 << 16)
    if not chunk:
        break
    out += chunk
err = child.communicate()[1]
sys.stdout.buffer.write(out)
sys.stderr.buffer.write(err)
sys.exit(child.returncode)
`;

/**
 * A capture of 3,000 packets, each line of `pcap decode` starting with its number: about
 * 300 KB of text, more than four times what the pipe holds.
 */
function manyPackets(): string {
  const frames = sampleFrames();
  const file = join(dir, "many.pcap");
  writeFileSync(file, pcap(Array.from({ length: 3000 }, (_, i) => ({ data: frames[i % frames.length], sec: i }))));
  return file;
}

function intoNonBlockingPipe(args: string[]) {
  const [command, prefix] = cliCommand();
  return runCommand("python3", ["-c", nonBlockingPipe, command, ...prefix, ...args], { timeoutMs: 60_000 });
}

if (testRuntime !== "deno") {
  test("a non-blocking standard output that fills up loses nothing and keeps the order", async () => {
    const file = manyPackets();
    const expected = await runCli(["pcap", "decode", file]);
    assert.is(expected.code, 0, expected.stderr);
    assert.ok(expected.stdout.length > 200_000, `${expected.stdout.length} bytes of output`);
    const run = await intoNonBlockingPipe(["pcap", "decode", file]);
    assert.is(run.stderr, "");
    assert.is(run.code, 0);
    assert.ok(run.stdout === expected.stdout, `${run.stdout.length} bytes instead of ${expected.stdout.length}`);
  });
} else {
  test("Deno: a non-blocking standard output that fills up ends the command with one line and exit code 1", async () => {
    const run = await intoNonBlockingPipe(["pcap", "decode", manyPackets()]);
    assert.is(run.code, 1, run.stderr);
    assert.match(run.stderr, /^anynet: cannot write to standard output: .*\(os error \d+\)\n$/);
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
