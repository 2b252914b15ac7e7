import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { devBin, root } from "../_helpers/env.ts";

test("docs/cli.md is generated from the current command definitions", () => {
  const run = spawnSync(devBin("deno"), ["run", "-A", "scripts/docs.ts", "--check"], { cwd: root, encoding: "utf8" });
  assert.is(run.status, 0, `${run.stderr}\nRun 'npm run docs' and commit docs/cli.md.`);
});

test.run();
