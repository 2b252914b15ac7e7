import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliCommand, runCli, runMain } from "../_helpers/cli.ts";
import { announceSkip, testRuntime } from "../_helpers/env.ts";
import { canReadPeakMemory, runWatched, startBombServer } from "../_helpers/http_bombs.ts";
import { startServeApi } from "../_helpers/http_cli.ts";
import { closedPort, rawServer } from "../_helpers/http_servers.ts";

test("anynet serve-api prints its address; get/post/put/delete work against it; SIGTERM exits 0", async () => {
  const api = await startServeApi(["--api-key", "k"]);
  try {
    const got = await runCli(["get", `${api.url}/posts/1`, "--api-key", "k", "--json"]);
    assert.is(got.code, 0, got.stderr);
    assert.is(JSON.parse(got.stdout).id, 1);
    assert.match(got.stdout, /^\{\n {2}"userId": 1,/); // pretty-printed
    const posted = await runCli([
      "post",
      `${api.url}/posts`,
      "-H",
      "Authorization: Bearer k",
      "--data",
      '{"userId":1,"title":"t","body":"b"}',
    ]);
    assert.is(posted.code, 0, posted.stderr);
    const id = JSON.parse(posted.stdout).id;
    const putted = await runCli([
      "put",
      `${api.url}/posts/${id}`,
      "--api-key",
      "k",
      "--data",
      '{"userId":1,"title":"T","body":"B"}',
    ]);
    assert.is(JSON.parse(putted.stdout).title, "T");
    const deleted = await runCli(["delete", `${api.url}/posts/${id}`, "--api-key", "k"]);
    assert.is(deleted.code, 0, deleted.stderr);
    const gone = await runCli(["get", `${api.url}/posts/${id}`, "--api-key", "k"]);
    assert.is(gone.code, 1);
    assert.is(gone.stdout, "");
    assert.match(gone.stderr, new RegExp(`^anynet get: HTTP 404 Not Found from GET ${api.url}/posts/${id}: .*\\n$`));
    const unauthorised = await runCli(["get", `${api.url}/posts/1`]);
    assert.is(unauthorised.code, 1);
    assert.match(unauthorised.stderr, /HTTP 401/);
    const invalid = await runCli([
      "post",
      `${api.url}/posts`,
      "--api-key",
      "k",
      "--data",
      '{"userId":"x","title":"t","body":"b"}',
    ]);
    assert.is(invalid.code, 1);
    assert.match(invalid.stderr, /HTTP 400 .*userId/);
  } finally {
    const { code, stderr } = await api.stop();
    // Checked by hand: when the parent is Deno, node:child_process reports a Deno child
    // that handled SIGTERM and exited 0 as killed by SIGTERM (code null). Node and Bun
    // parents see the real exit code.
    if (testRuntime === "deno") assert.ok(code === 0 || code === null, String(code));
    else assert.is(code, 0, stderr);
    assert.is(stderr, "");
  }
});

test("anynet get reports retries on stderr and fails in one line", async () => {
  const server = await rawServer((_req, res) => {
    res.writeHead(503, { "retry-after": "0" });
    res.end("try later");
  });
  try {
    const run = await runCli(["get", server.url, "--retries", "2"]);
    assert.is(run.code, 1);
    const lines = run.stderr.trimEnd().split("\n");
    assert.is(lines.length, 3, run.stderr);
    assert.match(lines[0], /^anynet get: retry 1\/2 in 0 ms after: .*HTTP 503/);
    assert.match(lines[1], /^anynet get: retry 2\/2 in 0 ms after/);
    assert.match(
      lines[2],
      /^anynet get: HTTP 503 Service Unavailable from GET http:\/\/127\.0\.0\.1:\d+\/: try later$/,
    );
    assert.is(server.seen.length, 3);
  } finally {
    await server.close();
  }
});

test("anynet get: timeout and refused connections are one-line errors", async () => {
  const silent = await rawServer(() => {});
  try {
    const timedOut = await runCli(["get", silent.url, "--timeout", "0.2", "--retries", "0"]);
    assert.is(timedOut.code, 1);
    assert.match(timedOut.stderr, /^anynet get: GET .* timed out after 200 ms.*\n$/);
    // A limit no timer can wait for is a usage error, not a request that times out at once.
    const tooLong = await runCli(["get", silent.url, "--timeout", "1e9"]);
    assert.is(tooLong.code, 2);
    assert.match(tooLong.stderr, /^anynet get: --timeout must be a number from 0\.001 to 2147483: got '1e9'\n/);
  } finally {
    await silent.close();
  }
  const port = await closedPort();
  const refused = await runCli(["get", `http://127.0.0.1:${port}/`, "--retries", "0"]);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /^anynet get: GET .* failed: connection refused.*\n$/);
});

test("anynet get prints a non-JSON body as it is", async () => {
  const server = await rawServer((_req, res) => res.end("plain text\n"));
  try {
    const run = await runCli(["get", server.url]);
    assert.is(run.code, 0, run.stderr);
    assert.is(run.stdout, "plain text\n");
    const strict = await runCli(["get", server.url, "--json"]);
    assert.is(strict.code, 1);
    assert.match(strict.stderr, /the body is not JSON/);
  } finally {
    await server.close();
  }
});

test("anynet get/post usage mistakes exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["get", "not-a-url"], /invalid URL 'not-a-url'/],
    [["get", "http://x/", "-H", "NoColon"], /-H must be 'Name: value'/],
    [["post", "http://x/", "--data", "{bad"], /--data must be JSON/],
    [["get", "http://x/", "--retries", "-1"], /--retries must be an integer/],
    [["get", "http://x/", "--max-body-bytes", "-1"], /--max-body-bytes must be an integer from 0 to \d+: got '-1'/],
    [["get", "http://x/", "--max-body-bytes", "1MB"], /--max-body-bytes must be an integer from 0 to \d+: got '1MB'/],
    [["serve-api", "--port", "70000"], /--port must be an integer from 0 to 65535/],
    [
      ["serve-api", "--host", "a b"],
      /'hostname' must be a host name or IP address: got 'a b'\nRun 'anynet serve-api --help'/,
    ],
    [["serve-static", ".", "--host", "a b"], /'hostname' must be a host name or IP address: got 'a b'\n/],
  ];
  for (const [i, [args, message]] of cases.entries()) {
    const run = await (i === 0 ? runCli : runMain)(args);
    assert.is(run.code, 2, args.join(" ") + ": " + run.stderr);
    assert.match(run.stderr, message);
  }
});

test("anynet serve-api and serve-static on a port in use fail in one line, the same on every runtime", async () => {
  const busy = await rawServer(() => {});
  try {
    for (const args of [["serve-api"], ["serve-static", "."]]) {
      const run = await runCli([...args, "--port", String(busy.port)]);
      assert.is(run.code, 1, run.stderr);
      assert.is(run.stderr, `anynet ${args[0]}: cannot listen: 127.0.0.1:${busy.port} is already in use\n`);
    }
  } finally {
    await busy.close();
  }
});

test("anynet get takes the API key from --api-key-file or ANYNET_API_KEY, so that it stays out of the process list", async () => {
  const server = await rawServer((req, res) => res.end(`key=${req.headers["x-api-key"] ?? "none"}`));
  const dir = mkdtempSync(join(tmpdir(), "anynet-api-key-"));
  try {
    const keyFile = join(dir, "key");
    writeFileSync(keyFile, "from-file\n"); // the first line only: the newline is not part of the key
    const fromFile = await runCli(["get", server.url, "--api-key-file", keyFile]);
    assert.is(fromFile.code, 0, fromFile.stderr);
    assert.is(fromFile.stdout, "key=from-file");
    const fromEnv = await runCli(["get", server.url], { env: { ANYNET_API_KEY: "from-env" } });
    assert.is(fromEnv.code, 0, fromEnv.stderr);
    assert.is(fromEnv.stdout, "key=from-env");
    // A flag wins over the environment.
    const flagOverEnv = await runCli(["get", server.url, "--api-key-file", keyFile], {
      env: { ANYNET_API_KEY: "from-env" },
    });
    assert.is(flagOverEnv.stdout, "key=from-file");
    const none = await runCli(["get", server.url], { env: { ANYNET_API_KEY: "" } });
    assert.is(none.code, 2);
    assert.is(none.stderr.split("\n")[0], "anynet get: ANYNET_API_KEY is set but empty");
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  }
});

test("anynet get: --api-key with --api-key-file, an unreadable or empty key file exit 2 in one line", async () => {
  const dir = mkdtempSync(join(tmpdir(), "anynet-api-key-"));
  try {
    const empty = join(dir, "empty");
    writeFileSync(empty, "\n");
    const missing = join(dir, "missing");
    const cases: [string[], string][] = [
      [["--api-key", "k", "--api-key-file", empty], "anynet get: give --api-key or --api-key-file, not both"],
      [["--api-key-file", missing], `anynet get: cannot read --api-key-file '${missing}': `],
      [["--api-key-file", dir], `anynet get: cannot read --api-key-file '${dir}': `],
      [["--api-key-file", empty], `anynet get: --api-key-file '${empty}' holds no key on its first line`],
    ];
    for (const [i, [flags, start]] of cases.entries()) {
      // The key is checked before any request goes out: no server is needed.
      const run = await (i === 0 ? runCli : runMain)(["get", "http://127.0.0.1:8/", ...flags]);
      assert.is(run.code, 2, `${flags.join(" ")}: ${run.stderr}`);
      assert.ok(run.stderr.startsWith(start), `${flags.join(" ")}: ${run.stderr}`);
      assert.not.match(run.stderr, /\n\s+at /, "a stack trace");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const memoryTest = canReadPeakMemory() ? test : test.skip;
if (!canReadPeakMemory()) announceSkip("no /proc/PID/status here: the CLI body-limit memory tests are skipped");

/** Runs the CLI, killing it if its peak memory passes `killAboveMiB`. */
function runCliWatched(args: string[], killAboveMiB: number) {
  const [command, prefix] = cliCommand();
  return runWatched(command, [...prefix, ...args], { killAboveMiB, timeoutMs: 30_000 });
}

memoryTest(
  "anynet get stops an endless body at the default --max-body-bytes (64 MiB): one line, bounded memory",
  async () => {
    const server = await startBombServer();
    try {
      // A timeout far away, so that only the body limit can end the command.
      const run = await runCliWatched(["get", `${server.url}/endless`, "--timeout", "60"], 700);
      assert.ok(run.killed === undefined, `anynet get was killed: ${run.killed}`);
      assert.is(run.code, 1, run.stderr);
      assert.is(run.stdout, "");
      assert.is(
        run.stderr,
        `anynet get: GET ${server.url}/endless: the response body is larger than --max-body-bytes 67108864 ` +
          "(counted after decompression)\n",
      );
      assert.ok(run.peakMiB < 500, `peak memory ${run.peakMiB} MiB`);
    } finally {
      await server.close();
    }
  },
);

memoryTest("anynet get: gzip and br bombs stop at --max-body-bytes, counted after decompression", async () => {
  const server = await startBombServer();
  try {
    for (const encoding of ["gzip", "br"]) {
      const url = `${server.url}/${encoding}`;
      const run = await runCliWatched(["get", url, "--max-body-bytes", "4000000", "--timeout", "60"], 700);
      assert.ok(run.killed === undefined, `anynet get was killed: ${run.killed}`);
      assert.is(run.code, 1, run.stderr);
      assert.is(
        run.stderr,
        `anynet get: GET ${url}: the response body is larger than --max-body-bytes 4000000 ` +
          "(counted after decompression)\n",
      );
      assert.ok(run.peakMiB < 500, `${encoding}: peak memory ${run.peakMiB} MiB`);
    }
  } finally {
    await server.close();
  }
});

test("anynet get --max-body-bytes: a body within the limit is printed; one byte over is refused", async () => {
  const server = await rawServer((_req, res) => res.end("x".repeat(1000)));
  try {
    const within = await runCli(["get", server.url, "--max-body-bytes", "1000"]);
    assert.is(within.code, 0, within.stderr);
    assert.is(within.stdout, "x".repeat(1000));
    const over = await runCli(["get", server.url, "--max-body-bytes", "999"]);
    assert.is(over.code, 1);
    assert.match(
      over.stderr,
      /^anynet get: GET http:\/\/127\.0\.0\.1:\d+\/: the response body is larger than --max-body-bytes 999 /,
    );
  } finally {
    await server.close();
  }
});

test.run();
