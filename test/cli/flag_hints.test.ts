import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type CliResult, runCli, runCommand } from "../_helpers/cli.ts";
import { announceSkip, devBin, root, testRuntime } from "../_helpers/env.ts";

const onDeno = testRuntime === "deno";
if (!onDeno) announceSkip(`Deno's permission messages are tried on the deno leg only (this is ${testRuntime})`);
const denoTest = onDeno ? test : test.skip;

const cli = join(root, "src", "cli.ts");

/**
 * The CLI under Deno with only the permission flags given (no -A). Started through the
 * project's `deno` link, not `process.execPath`: Deno hands its own permissions to a
 * child it recognizes as itself by that path.
 */
function denoCli(flags: string[], args: string[]): Promise<CliResult> {
  return runCommand(devBin("deno"), ["run", "--no-lock", ...flags, cli, ...args], { timeoutMs: 20000 });
}

// Every process starts at once: their start-up times overlap.
const runs: Record<string, Promise<CliResult>> = {};
test.before(async () => {
  runs.tcping = runCli(["tcping", "127.0.0.1:9", "--cont", "1"]);
  runs.echoServer = runCli(["echo-server", "-prot", "0"]);
  runs.noHint = runCli(["echo-server", "--frobnicate"]);
  if (onDeno) {
    runs.net = denoCli([], ["echo-server", "--port", "0"]);
    runs.read = denoCli([], ["pcap", "decode", "no such file.pcap"]);
    runs.kept = denoCli(["--allow-read"], ["tcping", "127.0.0.1:9", "-c", "1"]);
    runs.get = denoCli([], ["get", "http://127.0.0.1:8/", "--retries", "3"]);
  }
  await Promise.allSettled(Object.values(runs));
});

test("a misspelt flag gets the flag it is close to, on any command", async () => {
  const tcping = await runs.tcping;
  assert.is(tcping.code, 2);
  assert.is(
    tcping.stderr,
    "anynet tcping: unknown flag '--cont'; did you mean '--count'?\nRun 'anynet tcping --help' for usage.\n",
  );
  // One dash before a long name: the long flag is meant.
  const echoServer = await runs.echoServer;
  assert.is(echoServer.code, 2);
  assert.match(echoServer.stderr, /^anynet echo-server: unknown flag '-prot'; did you mean '--port'\?\n/);
  const noHint = await runs.noHint;
  assert.is(noHint.code, 2);
  assert.match(noHint.stderr, /^anynet echo-server: unknown flag '--frobnicate'\n/, "no guess when nothing is close");
});

denoTest("on Deno a missing --allow-net is named, with the deno run command to use", async () => {
  const run = await runs.net;
  assert.is(run.code, 1);
  assert.match(run.stderr, /^anynet echo-server: cannot listen: permission denied for 127\.0\.0\.1:0 \(/);
  assert.ok(
    run.stderr.endsWith(
      `Deno needs --allow-net (network access) for this command. Run it as:\n  deno run --allow-net ${cli} echo-server --port 0\n`,
    ),
    run.stderr,
  );
});

denoTest("on Deno a missing --allow-read is named, the arguments quoted for the shell", async () => {
  const run = await runs.read;
  assert.is(run.code, 1);
  assert.ok(
    run.stderr.endsWith(`  deno run --allow-read ${cli} pcap decode 'no such file.pcap'\n`),
    run.stderr,
  );
  assert.match(run.stderr, /Deno needs --allow-read \(reading files\)/);
});

denoTest("on Deno the command keeps the permissions granted and tcping stops at the first refusal", async () => {
  const run = await runs.kept;
  assert.is(run.code, 1);
  assert.match(run.stderr, /^anynet tcping: permission denied for 127\.0\.0\.1:9/);
  assert.ok(run.stderr.endsWith(`  deno run --allow-read --allow-net ${cli} tcping 127.0.0.1:9 -c 1\n`), run.stderr);
  assert.not.match(run.stdout, /statistics/, "no summary of probes that could never be made");
});

denoTest("on Deno a request refused for want of --allow-net is not retried: waiting grants nothing", async () => {
  const run = await runs.get;
  assert.is(run.code, 1);
  assert.not.match(run.stderr, /retry/i, run.stderr);
  assert.match(run.stderr, /Deno needs --allow-net \(network access\)/);
});

test.run();
