/**
 * The repository installed from a git URL, as people do before a release
 * (`npm install git+https://…/anynet.git`): npm builds it in the clone with the
 * "prepare" script, then installs what the root package.json's "files" let through.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { testRuntime } from "../_helpers/env.ts";
import { expectedConsumerOutput, gitProject, runConsumer } from "../_helpers/installed_package.ts";

test(`every entry point of anynet installed from a git URL works on ${testRuntime}, anynet/packet included`, () => {
  assert.equal(runConsumer(gitProject()), expectedConsumerOutput());
});

test("a git-URL install holds the built package only: no sources, tests or scripts", () => {
  const installed = join(gitProject(), "node_modules", "anynet");
  for (const folder of ["src", "test", "scripts", "wasm", "docs"]) {
    assert.not.ok(existsSync(join(installed, folder)), `${folder}/ is not installed`);
  }
  assert.ok(existsSync(join(installed, "dist", "packet", "mod.js")));
  assert.ok(existsSync(join(installed, "dist", "packet", "mod.d.ts")));
  const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
  assert.is(pkg.bin.anynet, "dist/cli.js");
  assert.ok(existsSync(join(installed, pkg.bin.anynet)));
});

test.run();
