/**
 * `anynet proxy` as a process: what it checks before it starts, and what it keeps when
 * the world around it goes (standard output closed, a file it may not write).
 */
import { spawn } from "node:child_process";
import * as net from "node:net";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, type Connection } from "anynet/net";
import type { ProxyStats } from "anynet/tools";
import { cliCommand, runCli, runCommand, runMain } from "../_helpers/cli.ts";
import { announceSkip, root, testRuntime } from "../_helpers/env.ts";
import { startTestEcho } from "../_helpers/tools_servers.ts";
import { echoExchange } from "../_helpers/tools_clients.ts";
import { startCli, waitForListening } from "../_helpers/net_process.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dir = mkdtempSync(join(tmpdir(), "anynet-proxy-cli-"));

/** Longest a refused start may take (a generous bound: before the check, the proxy ran until stopped). */
const START_BOUND_MS = 15_000;

const proxyArgs = (statsFile: string) => [
  "proxy",
  "--listen",
  "127.0.0.1:0",
  "--backend",
  "127.0.0.1:1",
  "--stats-json",
  statsFile,
];

test("anynet proxy refuses at once a --stats-json file in a folder that does not exist", async () => {
  const statsFile = join(dir, "missing", "stats.json");
  const started = Date.now();
  const run = await runCli(proxyArgs(statsFile), { timeoutMs: START_BOUND_MS });
  assert.ok(Date.now() - started < START_BOUND_MS);
  assert.is(run.code, 1, run.stderr);
  assert.is(run.stdout, "", "it did not start listening");
  assert.is(run.stderr, `anynet proxy: cannot write --stats-json ${statsFile}: no such folder\n`);
});

test("anynet proxy refuses at once a --stats-json file the runtime may not write, naming the flag to add", async () => {
  const statsFile = join(dir, "stats.json");
  let command: string, args: string[], expected: string;
  switch (testRuntime) {
    case "deno":
      command = process.execPath;
      args = ["run", "--allow-net", "--no-lock", join(root, "src", "cli.ts")];
      expected = `Deno is not allowed to write it; add --allow-write=${statsFile} to the deno command line`;
      break;
    case "node":
      command = process.execPath;
      args = ["--permission", "--allow-fs-read=*", join(root, "dist", "cli.js")];
      expected = `Node is not allowed to write it; add --allow-fs-write=${statsFile} to the node command line`;
      break;
    case "bun":
      announceSkip("Bun has no permission model: nothing to refuse");
      return;
  }
  const started = Date.now();
  const run = await runCommand(command, [...args, ...proxyArgs(statsFile)], { timeoutMs: START_BOUND_MS });
  assert.ok(Date.now() - started < START_BOUND_MS);
  assert.is(run.code, 1, run.stderr);
  assert.is(run.stdout, "", "it did not start listening");
  assert.is(run.stderr, `anynet proxy: cannot write --stats-json ${statsFile}: ${expected}\n`);
  assert.not.ok(existsSync(statsFile));
});

test("anynet proxy still writes --stats-json when standard output was closed after the listening line", async () => {
  const backend = await startTestEcho();
  const statsFile = join(dir, "kept.json");
  const [command, prefix] = cliCommand();
  // head takes the listening line and goes (its shell lets go of the pipe too, then says
  // so): the counts printed at the end meet a closed pipe.
  const script = `"$@" > >(head -1; exec 0<&-; echo "reader gone") & echo "pid $!"; wait $!; echo "exit $?"`;
  const child = spawn("bash", [
    "-c",
    script,
    "bash",
    command,
    ...prefix,
    "proxy",
    "--listen",
    "127.0.0.1:0",
    "--backend",
    `127.0.0.1:${backend.port}`,
    "--stats-json",
    statsFile,
  ], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  let pid: number | undefined;
  try {
    const deadline = Date.now() + 30_000;
    while (!/listening on/.test(out) || !/^reader gone$/m.test(out) || pid === undefined) {
      pid ??= Number(/^pid (\d+)$/m.exec(out)?.[1]) || undefined;
      assert.ok(Date.now() < deadline, `no listening line: ${out} ${err}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    process.kill(pid, "SIGTERM");
    await closed;
    assert.match(out, /^exit 141$/m, `${out}\n${err}`);
    const stats = JSON.parse(readFileSync(statsFile, "utf8")) as ProxyStats;
    assert.is(stats.accepted, 0);
    assert.is(stats.backends.length, 1);
  } finally {
    if (child.exitCode === null) {
      if (pid !== undefined) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
      child.kill("SIGKILL");
    }
    await backend.close();
  }
});

test("anynet proxy names every client and backend in its log, also under a flood of clients that reset at once", async () => {
  const backend = await startTestEcho();
  const proc = startCli([
    "proxy",
    "--listen",
    "127.0.0.1:0",
    "--backend",
    `127.0.0.1:${backend.port}`,
    "--health-interval",
    "3600",
  ]);
  try {
    const port = await waitForListening(proc);
    // Each client sends a reset as soon as it is connected: the proxy's runtime may
    // accept the connection only after it is gone, without the client's address.
    const resets = Array.from({ length: 200 }, () =>
      new Promise<void>((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port }, () => socket.resetAndDestroy());
        socket.on("error", () => {});
        socket.on("close", () => resolve());
      }));
    await Promise.all(resets);
    // The proxy still serves a client that stays.
    const outcome = await echoExchange(port, { messages: 2, size: 100, pauseMs: 0, seed: 1 });
    assert.ok(outcome.complete, outcome.error);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { code } = await proc.stop("SIGTERM");
    assert.is(code, 0, proc.stderr());
    const lines = proc.stderr().split("\n").filter((line) => line !== "");
    // An address without its host (":0", "[]:0") or a placeholder instead of a name.
    const nameless = lines.filter((line) => /(^|[\s(→])(\[\])?:\d+|→ \?|accept failed/.test(line));
    assert.equal(
      nameless,
      [],
      `${nameless.length} of ${lines.length} lines name nobody:\n${nameless.slice(0, 3).join("\n")}`,
    );
  } finally {
    if (proc.child.exitCode === null) proc.child.kill("SIGKILL");
    await backend.close();
  }
});

test("anynet proxy closes idle sessions after --idle-timeout and refuses clients beyond --max-connections", async () => {
  const backend = await startTestEcho();
  const statsFile = join(dir, "limits.json");
  const proc = startCli([
    "proxy",
    "--listen",
    "127.0.0.1:0",
    "--backend",
    `127.0.0.1:${backend.port}`,
    "--health-interval",
    "3600",
    "--idle-timeout",
    "2",
    "--max-connections",
    "3",
    "--stats-json",
    statsFile,
  ]);
  const clients: Connection[] = [];
  const endOf = (conn: Connection) =>
    conn.read().then((chunk) => chunk === null ? "end" : "data", (e: Error) => e.name);
  try {
    const port = await waitForListening(proc);
    const started = Date.now();
    for (let i = 0; i < 3; i++) clients.push(await connect({ port }));
    const extra = await connect({ port });
    clients.push(extra);
    assert.is(await endOf(extra), "end", "the client beyond the limit is closed");
    assert.ok(Date.now() - started < 1500, `the extra client was closed only after ${Date.now() - started} ms`);
    assert.equal(await Promise.all(clients.slice(0, 3).map(endOf)), ["end", "end", "end"]);
    assert.ok(Date.now() - started >= 1900, `idle clients closed after ${Date.now() - started} ms, before the limit`);
    // The backend's side of each idle session was closed too.
    const settled = await Promise.race([backend.settled().then(() => true), sleep(5000).then(() => false)]);
    assert.ok(settled, "the backend still holds connections of the idle sessions");
    const outcome = await echoExchange(port, { messages: 2, size: 100, pauseMs: 0, seed: 3 });
    assert.ok(outcome.complete, outcome.error);
    const { code } = await proc.stop("SIGTERM");
    assert.is(code, 0, proc.stderr());
    assert.match(
      proc.stdout(),
      /\ntotal: 4 connections accepted, 0 turned away \(no backend\), 1 refused \(over --max-connections\), 3 closed idle \(--idle-timeout\)\n$/,
    );
    const stats = JSON.parse(readFileSync(statsFile, "utf8")) as ProxyStats;
    assert.equal([stats.accepted, stats.refused, stats.idleClosed, stats.rejected], [4, 1, 3, 0]);
    const err = proc.stderr();
    assert.is(err.match(/^proxy: refused 127\.0\.0\.1:\d+: more than 3 connections$/gm)?.length, 1, err);
    const idleLine = new RegExp(
      `^proxy: closed 127\\.0\\.0\\.1:\\d+ → 127\\.0\\.0\\.1:${backend.port}: idle timeout ` +
        `\\(no bytes either way for 2 s\\)$`,
      "gm",
    );
    assert.is(err.match(idleLine)?.length, 3, err);
  } finally {
    for (const conn of clients) conn.close();
    if (proc.child.exitCode === null) proc.child.kill("SIGKILL");
    await backend.close();
  }
});

test("anynet proxy rejects a bad --idle-timeout or --max-connections with exit code 2", async () => {
  const cases: [string, string, string][] = [
    ["idle-timeout", "-1", "a number from 0 to 2147483"],
    ["idle-timeout", "soon", "a number from 0 to 2147483"],
    ["idle-timeout", "1e12", "a number from 0 to 2147483"],
    ["idle-timeout", "2147484", "a number from 0 to 2147483"],
    ["max-connections", "0", "an integer from 1 to 536870912"],
    ["max-connections", "-5", "an integer from 1 to 536870912"],
    ["max-connections", "2.5", "an integer from 1 to 536870912"],
    ["max-connections", "many", "an integer from 1 to 536870912"],
    ["max-connections", "536870913", "an integer from 1 to 536870912"],
  ];
  for (const [i, [flag, value, expected]] of cases.entries()) {
    const args = ["proxy", "--listen", "127.0.0.1:0", "--backend", "127.0.0.1:1", `--${flag}`, value];
    const run = await (i === 0 ? runCli : runMain)(args);
    assert.is(run.code, 2, `--${flag} ${value}: ${run.stderr}`);
    assert.is(run.stdout, "", "it did not start listening");
    assert.is(run.stderr.split("\n")[0], `anynet proxy: --${flag} must be ${expected}: got '${value}'`);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
