import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { VERSION } from "anynet";
import { runCli, runMain } from "../_helpers/cli.ts";
import { root, testRuntime } from "../_helpers/env.ts";

const packageVersion: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;

test("anynet --help lists the commands and exits 0", async () => {
  const run = await runCli(["--help"]);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^anynet \d+\.\d+\.\d+: one network toolkit/);
  assert.match(run.stdout, /Usage: anynet <command> \[options\]/);
  assert.match(run.stdout, /^\s+info\s+Show the anynet version/m);
  assert.is(run.stderr, "");
});

test("anynet -h is the same as --help", async () => {
  const [long, short] = await Promise.all([runCli(["--help"]), runCli(["-h"])]);
  assert.is(short.code, 0);
  assert.is(short.stdout, long.stdout);
});

test("anynet --version prints the package version", async () => {
  const run = await runCli(["--version"]);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, `anynet ${packageVersion}\n`);
  assert.is(VERSION, packageVersion);
});

test("anynet -V prints the version too", async () => {
  const run = await runCli(["-V"]);
  assert.is(run.stdout, `anynet ${packageVersion}\n`);
});

test("anynet with no command prints the help on stderr and exits 2", async () => {
  const run = await runCli([]);
  assert.is(run.code, 2);
  assert.is(run.stdout, "");
  assert.match(run.stderr, /Usage: anynet <command>/);
});

test("an unknown command is one line, a usage hint and exit code 2", async () => {
  const run = await runCli(["frobnicate"]);
  assert.is(run.code, 2);
  assert.is(run.stdout, "");
  assert.is(run.stderr, "anynet: unknown command 'frobnicate'\nRun 'anynet --help' for usage.\n");
});

test("a mistyped command gets a suggestion", async () => {
  const run = await runMain(["inof"]);
  assert.is(run.code, 2);
  assert.match(run.stderr, /unknown command 'inof'; did you mean 'info'\?/);
});

test("an unknown top-level flag exits 2", async () => {
  const run = await runMain(["--frobnicate"]);
  assert.is(run.code, 2);
  assert.match(run.stderr, /^anynet: unknown flag '--frobnicate'\nRun 'anynet --help' for usage\.\n$/);
});

test("an unknown flag of a command names the flag and the command's help", async () => {
  const run = await runMain(["info", "--colour"]);
  assert.is(run.code, 2);
  assert.is(run.stderr, "anynet info: unknown flag '--colour'\nRun 'anynet info --help' for usage.\n");
});

test("a value given to a boolean flag is a usage error", async () => {
  const run = await runMain(["info", "--json=yes"]);
  assert.is(run.code, 2);
  assert.match(run.stderr, /--json takes no value: got 'yes'/);
});

test("a surplus argument is a usage error", async () => {
  const run = await runMain(["info", "extra"]);
  assert.is(run.code, 2);
  assert.match(run.stderr, /unexpected argument 'extra'/);
});

test("anynet info --help and anynet help info show the command's help", async () => {
  const [a, b] = await Promise.all([runCli(["info", "--help"]), runCli(["help", "info"])]);
  assert.is(a.code, 0);
  assert.is(b.code, 0);
  assert.is(a.stdout, b.stdout);
  assert.match(a.stdout, /^Usage: anynet info \[options\]/);
  assert.match(a.stdout, /--json\s+Print one JSON object/);
});

test("anynet info --json names the runtime it runs on", async () => {
  const run = await runCli(["info", "--json"]);
  assert.is(run.code, 0, run.stderr);
  const info = JSON.parse(run.stdout);
  assert.is(info.runtime, testRuntime);
  assert.is(info.anynet, packageVersion);
  assert.type(info.runtimeVersion, "string");
});

test.run();
