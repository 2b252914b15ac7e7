import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { get } from "anynet/http";
import { runCli, runMain } from "../_helpers/cli.ts";
import { startServeApi } from "../_helpers/http_cli.ts";
import { RawConnection } from "../_helpers/http_raw.ts";
import { testRuntime } from "../_helpers/env.ts";

const dir = mkdtempSync(join(tmpdir(), "anynet-serve-api-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const noThrow = { throwHttpErrors: false, retry: 0 } as const;

/** Checks that the API at `url` wants `key`, and that the key is not in the server's command line. */
async function needsKey(url: string, pid: number | undefined, key: string): Promise<void> {
  const without = await get(`${url}/posts/1`, noThrow);
  assert.is(without.status, 401);
  assert.match((await without.json() as { error: string }).error, /missing or wrong API key/);
  const withKey = await get(`${url}/posts/1`, { ...noThrow, auth: { bearer: key } });
  assert.is(withKey.status, 200);
  await withKey.text();
  // What every user of the machine can read.
  const commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  assert.not.ok(commandLine.includes(key), commandLine);
}

test("anynet serve-api --api-key-file FILE takes the key from the file's first line", async () => {
  const file = join(dir, "key");
  writeFileSync(file, "from-a-file\n");
  const api = await startServeApi(["--api-key-file", file]);
  try {
    await needsKey(api.url, api.child.pid, "from-a-file");
  } finally {
    const { code, stderr } = await api.stop();
    assert.is(code, 0, stderr);
  }
});

test("anynet serve-api takes the key from ANYNET_API_KEY", async () => {
  const api = await startServeApi([], { env: { ANYNET_API_KEY: "from-the-env" } });
  try {
    await needsKey(api.url, api.child.pid, "from-the-env");
  } finally {
    const { code, stderr } = await api.stop();
    assert.is(code, 0, stderr);
  }
});

test("anynet serve-api refuses --api-key with --api-key-file, and a key file it cannot use, with exit code 2", async () => {
  const file = join(dir, "other-key");
  writeFileSync(file, "k\n");
  const empty = join(dir, "empty-key");
  writeFileSync(empty, "\n");
  const cases: [string[], string][] = [
    [
      ["--api-key", "a", "--api-key-file", file],
      "anynet serve-api: give --api-key or --api-key-file, not both\nRun 'anynet serve-api --help' for usage.\n",
    ],
    [
      ["--api-key-file", join(dir, "missing")],
      `anynet serve-api: cannot read --api-key-file '${join(dir, "missing")}': no such file\n`,
    ],
    [["--api-key-file", dir], `anynet serve-api: cannot read --api-key-file '${dir}': is a directory\n`],
    [["--api-key-file", empty], `anynet serve-api: --api-key-file '${empty}' holds no key on its first line\n`],
  ];
  for (const [i, [args, stderr]] of cases.entries()) {
    const run = await (i === 0 ? runCli : runMain)(["serve-api", "--port", "0", ...args]);
    assert.is(run.code, 2, args.join(" "));
    assert.is(run.stdout, "");
    assert.is(run.stderr, stderr);
  }
  const emptyEnv = await runCli(["serve-api", "--port", "0"], { env: { ANYNET_API_KEY: "" } });
  assert.is(emptyEnv.code, 2);
  assert.match(emptyEnv.stderr, /^anynet serve-api: ANYNET_API_KEY is set but empty\n/);
});

test("anynet serve-api --idle-timeout and --headers-timeout close idle and silent connections", async () => {
  const api = await startServeApi(["--idle-timeout", "0.5", "--headers-timeout", "1"]);
  const port = Number(new URL(api.url).port);
  const idle = await RawConnection.open(port);
  const silent = await RawConnection.open(port);
  try {
    idle.write("GET /posts/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert.is((await idle.response()).status, 200);
    // Defaults are 5 s and 10 s; Bun closes up to about 4 s late and keeps a connection
    // that never sent a request about 10 s whatever the limit (docs/http.md), so the bound
    // tells the flags from the defaults only for the idle keep-alive connection there.
    assert.ok(await idle.closesWithin(4500), "the idle keep-alive connection was still open after 4.5 s");
    const silentBound = testRuntime === "bun" ? 14_000 : 4_500;
    assert.ok(await silent.closesWithin(silentBound), `the silent connection was still open after ${silentBound} ms`);
  } finally {
    idle.destroy();
    silent.destroy();
    const { code, stderr } = await api.stop();
    assert.is(code, 0, stderr);
  }
});

test("anynet serve-api rejects a time limit that is not a positive number of seconds, with exit code 2", async () => {
  const cases = [["--idle-timeout", "0"], ["--headers-timeout", "-1"], ["--body-timeout", "soon"]];
  for (const [i, [flag, value]] of cases.entries()) {
    const run = await (i === 0 ? runCli : runMain)(["serve-api", "--port", "0", flag!, value!]);
    assert.is(run.code, 2, `${flag} ${value}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`^anynet serve-api: ${flag} .*'${value}'`), run.stderr);
  }
});

test("anynet serve-api --help names the key file and ANYNET_API_KEY", async () => {
  const help = await runCli(["serve-api", "--help"]);
  assert.is(help.code, 0);
  assert.match(help.stdout, /--api-key-file FILE/);
  assert.match(help.stdout, /ANYNET_API_KEY/);
  assert.match(help.stdout, /visible to other users in the process list/);
});

test.run();
