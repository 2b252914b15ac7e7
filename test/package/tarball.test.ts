/**
 * The package as a user gets it: `npm pack` the built package, install the tarball in a
 * fresh project, and import it there with the runtime under test.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { root, testRuntime } from "../_helpers/env.ts";

const version: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
let project = "";

function sh(command: string, args: string[], cwd: string) {
  const run = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  if (run.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  return run.stdout;
}

test.before(() => {
  project = mkdtempSync(join(tmpdir(), "anynet-consumer-"));
  const packed = JSON.parse(sh("npm", ["pack", join(root, "dist"), "--json", "--pack-destination", project], project));
  const tarball = packed[0].filename as string;
  writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module", private: true }));
  // Deno reads node_modules as npm left it (no download of its own).
  writeFileSync(join(project, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }));
  sh("npm", ["install", "--offline", "--no-audit", "--no-fund", join(project, tarball)], project);
});

test.after(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

test(`the packed tarball imports as "anynet" on ${testRuntime} and its functions work`, () => {
  writeFileSync(
    join(project, "main.mjs"),
    `import { VERSION, detectRuntime } from "anynet";
import { internetChecksum } from "anynet/packet";
const checksum = internetChecksum(new Uint8Array([0x45, 0, 0, 0x54, 0, 0, 0x40, 0, 0x40, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1]));
console.log(JSON.stringify({ VERSION, runtime: detectRuntime().name, checksum }));
`,
  );
  const args = testRuntime === "deno" ? ["run", "-A", "main.mjs"] : ["main.mjs"];
  const out = JSON.parse(sh(process.execPath, args, project));
  assert.equal(out, { VERSION: version, runtime: testRuntime, checksum: 0x3ca7 });
});

test("the installed package carries its type declarations", () => {
  const pkg = JSON.parse(readFileSync(join(project, "node_modules/anynet/package.json"), "utf8"));
  for (const [subpath, target] of Object.entries(pkg.exports as Record<string, { types?: string } | string>)) {
    if (typeof target === "string") continue;
    assert.ok(target.types, `${subpath} has types`);
    readFileSync(join(project, "node_modules/anynet", target.types!), "utf8");
  }
});

test("the installed bin runs: anynet --version", () => {
  // npm links the bin with a `#!/usr/bin/env node` shebang, so this runs on Node.
  const out = sh(join(project, "node_modules/.bin/anynet"), ["--version"], project);
  assert.is(out, `anynet ${version}\n`);
});

test.run();
