import { test } from "uvu";
import * as assert from "uvu/assert";
import { commands, loadCommands } from "anynet/cli";

test("every registry entry loads the command it names, with the summary the registry gives it", async () => {
  const specs = await loadCommands(commands);
  assert.equal(specs.map((s) => s.name), commands.map((c) => c.name));
  // The full help lists the registry's summaries without loading the commands.
  assert.equal(specs.map((s) => s.summary), commands.map((c) => c.summary));
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
