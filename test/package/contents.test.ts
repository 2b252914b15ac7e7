/**
 * What the packages contain: only what a user needs (npm), and a clean JSR dry run (Deno).
 * The packaging commands do not depend on the leg, so each runs once per test run and
 * every leg checks what it printed (sharedRun).
 */
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { devBin, root } from "../_helpers/env.ts";
import { sharedRun } from "../_helpers/shared_fixture.ts";

test("npm pack lists only the built modules, declarations, package.json, README and LICENSE", () => {
  const run = sharedRun("npm-pack-dist", "npm", ["pack", "--dry-run", "--json", join(root, "dist")], { cwd: root });
  assert.is(run.status, 0, run.stderr);
  const files: string[] = JSON.parse(run.stdout)[0].files.map((f: { path: string }) => f.path);
  assert.ok(files.includes("package.json"));
  assert.ok(files.includes("README.md"));
  assert.ok(files.includes("LICENSE"));
  assert.ok(files.includes("cli.js"));
  assert.ok(files.includes("mod.d.ts"));
  const unexpected = files.filter((f) =>
    !/\.(js|d\.ts)$/.test(f) && !["package.json", "README.md", "LICENSE"].includes(f)
  );
  assert.equal(unexpected, [], "no sources, tests, maps or build leftovers");
  assert.not.ok(files.some((f) => f.startsWith("test/") || f.endsWith(".test.js")));
});

test("deno publish --dry-run accepts the JSR package (no slow types)", () => {
  const run = sharedRun("deno-publish", devBin("deno"), ["publish", "--dry-run", "--allow-dirty"], {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1" },
  });
  // deno publish colours its output even into a pipe.
  // deno-lint-ignore no-control-regex
  const output = (run.stdout + run.stderr).replace(/\x1b\[[0-9;]*m/g, "");
  assert.is(run.status, 0, output);
  assert.match(output, /Success Dry run complete/);
  assert.match(output, /src\/packet\/_wasm_embedded\.ts/, "the embedded WebAssembly is published");
});

test("npm pack ./dist and npm publish --dry-run ./dist give no warning (npm rewrote a './' bin path before)", () => {
  for (const args of [["pack", "--dry-run"], ["publish", "--dry-run", "--tag", "dry"]]) {
    const run = sharedRun(`npm-${args[0]}-dist-quiet`, "npm", [...args, join(root, "dist")], { cwd: root });
    // An npm without credentials still says so on a publish dry run; everything else must be quiet.
    const warnings = run.stderr.split("\n").filter((line) => /npm warn/i.test(line) && !/logged in/.test(line));
    assert.equal(warnings, [], `npm ${args[0]}: ${run.stderr}`);
  }
});

test("npm pack and npm publish at the repository root stop with what to run instead", () => {
  for (const command of ["pack", "publish"]) {
    const run = sharedRun(`npm-${command}-root`, "npm", [command, "--dry-run"], { cwd: root });
    assert.is.not(run.status, 0, `npm ${command} at the root must fail`);
    assert.match(run.stderr, `'npm ${command}' at the repository root would pack the development tree`);
    assert.match(run.stderr, `run 'npm ${command} ./dist'`);
  }
});

test("what a git-URL install packs from the root: the built modules and declarations, no sources", () => {
  // npm runs "prepare", not "prepack", when it packs a git dependency: --ignore-scripts shows that list.
  const run = sharedRun("npm-pack-git", "npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root });
  assert.is(run.status, 0, run.stderr);
  const files: string[] = JSON.parse(run.stdout)[0].files.map((f: { path: string }) => f.path);
  const unexpected = files.filter((f) =>
    !/^dist\/.*\.(js|d\.ts)$/.test(f) && !["package.json", "README.md", "LICENSE"].includes(f)
  );
  assert.equal(unexpected, []);
  assert.ok(files.includes("dist/packet/mod.js") && files.includes("dist/cli.js"));
});

test.run();
