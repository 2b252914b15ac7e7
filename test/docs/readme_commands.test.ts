/**
 * The README's commands, run as a newcomer runs them after `npm install`: exactly as
 * written, from the project root, in a shell whose PATH has no node_modules/.bin (npm
 * puts that on PATH for `npm test`, which would hide a bare `bun` or `deno` that a user's
 * shell cannot find). Each runtime's leg runs the lines for its runtime: the demo to its
 * end, and `echo-server --port 0` until it says where it listens.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { root, testRuntime } from "../_helpers/env.ts";

/** Every command line in the README's shell blocks, without its comment. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const lines: string[] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1].split("\n")) {
      const command = line.replace(/\s+#.*$/, "").trim();
      if (command) lines.push(command);
    }
  }
  return lines;
}

/** Which runtime a README command starts: `node …`, `bun …`, `deno …`, `npx bun …`, `npx deno …`. */
function runtimeOf(command: string): string | undefined {
  const words = command.split(/\s+/);
  const first = words[0] === "npx" ? words[1] : words[0];
  return first === "node" || first === "bun" || first === "deno" ? first : undefined;
}

// A newcomer's PATH: the machine's, without npm's node_modules/.bin (on a Node leg the
// runner has put that leg's node first, so `node` is the Node under test).
const newcomerPath = (process.env.PATH ?? "").split(delimiter)
  .filter((dir) => !/node_modules[/\\]\.bin[/\\]?$/.test(dir))
  .join(delimiter);
const env = { ...process.env, PATH: newcomerPath, NO_COLOR: "1" };

const mine = readmeCommands().filter((command) => runtimeOf(command) === testRuntime);
const demos = mine.filter((command) => / demo$/.test(command));
const servers = mine.filter((command) => / echo-server --port 0$/.test(command));

test(`the README gives a demo and an echo-server command for ${testRuntime}`, () => {
  assert.ok(demos.length >= 1, `demo commands for ${testRuntime}: ${JSON.stringify(mine)}`);
  assert.ok(servers.length >= 1, `echo-server commands for ${testRuntime}: ${JSON.stringify(mine)}`);
});

for (const command of demos) {
  test(`README: '${command}' works as written`, () => {
    const run = spawnSync("sh", ["-c", command], { cwd: root, env, encoding: "utf8", timeout: 60_000 });
    assert.is(run.status, 0, `${command}\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /demo: 6 of 6 steps worked/);
  });
}

for (const command of servers) {
  test(`README: '${command}' starts a server that says where it listens`, async () => {
    // In a process group of its own, stopped as Ctrl-C stops it in a terminal: SIGINT to
    // the whole group (npx starts the runtime as a child of its own).
    const child = spawn("sh", ["-c", command], { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
    const listening = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      const check = () => {
        if (/listening on 127\.0\.0\.1:\d+/.test(output)) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      child.stdout!.on("data", check);
      child.on("close", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    try {
      process.kill(-child.pid!, "SIGINT");
    } catch (error) {
      assert.unreachable(`${command} had already ended (${error}):\n${output}`);
    }
    await exited;
    assert.ok(listening, `${command}\n${output}`);
    assert.match(output, /echo-server: stopped/, `stopped by Ctrl-C, the server says so:\n${output}`);
  });
}

test.run();
