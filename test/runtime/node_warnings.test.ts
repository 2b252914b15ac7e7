/**
 * The Node releases warn about different things; the suite treats any warning as a
 * failure (scripts/test.ts for test processes, test/_helpers/cli.ts and net_process.ts
 * for the CLI processes tests start), so that what one release only mutters about cannot
 * slip through. This file checks that guard against a warning that only some releases
 * give: a negative timer delay, quietly made 1 ms by Node 22 and reported as a
 * TimeoutNegativeWarning from Node 24 on.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCommand } from "../_helpers/cli.ts";
import { nodeWarning, testNode } from "../_helpers/env.ts";

const script = "setTimeout(() => console.log(process.versions.node), -5)";

test("a negative timer delay: Node 22 is silent, Node 24 and later warn, and the CLI helpers fail on the warning", async () => {
  let version: string | undefined;
  let failure: Error | undefined;
  try {
    version = (await runCommand(testNode, ["-e", script])).stdout.trim();
  } catch (error) {
    failure = error as Error;
  }
  if (failure) {
    assert.match(failure.message, /printed a runtime warning: TimeoutNegativeWarning: -5 is a negative number/);
  } else {
    assert.match(version!, /^22\./, `Node ${version} gave no warning, but only Node 22 should be silent`);
  }
});

test("nodeWarning() finds Node's warning line and nothing else", () => {
  assert.is(
    nodeWarning("listening\n(node:4242) TimeoutNegativeWarning: -5 is a negative number.\nmore"),
    "TimeoutNegativeWarning: -5 is a negative number.",
  );
  assert.is(nodeWarning("a Warning: in a message is not one"), undefined);
});

test.run();
