import { test } from "uvu";
import * as assert from "uvu/assert";
import { commands, loadCommands } from "anynet/cli";

test("every registry entry loads the command it names", async () => {
  const specs = await loadCommands(commands);
  assert.equal(specs.map((s) => s.name), commands.map((c) => c.name));
  for (const spec of specs) {
    assert.type(spec.run, "function", spec.name);
    assert.ok(spec.summary.length > 0, `${spec.name} has a summary`);
  }
});

test("command names are unique", () => {
  const names = commands.map((c) => c.name);
  assert.equal([...new Set(names)], names);
});

test.run();
