/**
 * `abortQuietly()` (src/runtime/deno/abort_quietly.ts): Deno's HTTP server cancels its
 * native server from an abort listener, which throws `BadResource` when the native side
 * closed it first; an error thrown by a listener ends a Deno process. Each case runs in
 * its own Deno process, since what is checked is whether that process survives.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCommand } from "../_helpers/cli.ts";
import { announceSkip, root, testRuntime } from "../_helpers/env.ts";

const onDeno = testRuntime === "deno";
if (!onDeno) announceSkip(`abortQuietly is Deno's (this is ${testRuntime})`);
const denoTest = onDeno ? test : test.skip;

const helper = pathToFileURL(join(root, "src", "runtime", "deno", "abort_quietly.ts")).href;

/** Runs a script on Deno that aborts a controller whose listener throws `thrown`, with `abort` (`abortQuietly(c)` or `c.abort()`). */
async function runAbort(thrown: string, abort: string) {
  const dir = mkdtempSync(join(tmpdir(), "anynet-abort-"));
  try {
    const script = join(dir, "abort.ts");
    writeFileSync(
      script,
      `import { abortQuietly } from ${JSON.stringify(helper)};\n` +
        `const c = new AbortController();\n` +
        `c.signal.addEventListener("abort", () => { throw ${thrown}; }, { once: true });\n` +
        `${abort};\n` +
        `await new Promise((resolve) => setTimeout(resolve, 20));\n` +
        'console.log("alive " + c.signal.aborted);\n' +
        `void abortQuietly;\n`,
    );
    return await runCommand(process.execPath, ["run", "--no-lock", script]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

denoTest(
  "a BadResource from an abort listener ends the process when aborted plainly, not through abortQuietly",
  async () => {
    const plain = await runAbort('new Deno.errors.BadResource("Bad resource ID")', "c.abort()");
    assert.is.not(plain.code, 0, "aborting plainly should have ended the process");
    assert.match(plain.stderr, /BadResource/);

    const quiet = await runAbort('new Deno.errors.BadResource("Bad resource ID")', "abortQuietly(c)");
    assert.is(quiet.code, 0, quiet.stderr);
    assert.is(quiet.stdout.trim(), "alive true");
  },
);

denoTest("abortQuietly lets any other error from a listener end the process as before", async () => {
  const r = await runAbort('new TypeError("something else")', "abortQuietly(c)");
  assert.is.not(r.code, 0, r.stdout);
  assert.match(r.stderr, /TypeError: something else/);
  assert.not.match(r.stdout, /alive/);
});

test.run();
