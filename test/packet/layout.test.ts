import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { root } from "../_helpers/env.ts";

// The table layout is written twice, once per engine; the two must hold the same numbers.
function constants(path: string, type: string): Map<string, number> {
  const out = new Map<string, number>();
  const pattern = new RegExp(`^export const ([A-Z_0-9]+): ${type} = ([0-9x <()*+-]+);$`, "gm");
  for (const [, name, expr] of readFileSync(join(root, path), "utf8").matchAll(pattern)) {
    out.set(name, new Function(`return ${expr}`)() as number);
  }
  return out;
}

test("the AssemblyScript layout constants equal the TypeScript ones", () => {
  const ts = constants("src/packet/_layout.ts", "number");
  const as = constants("wasm/assembly/layout.ts", "i32");
  assert.ok(ts.size > 80, `found only ${ts.size} TypeScript constants`);
  assert.equal([...as.keys()].sort(), [...ts.keys()].sort());
  for (const [name, value] of ts) assert.is(as.get(name), value, name);
  // wasm/assembly/frame.ts clears the layer columns with stores sized for exactly this.
  assert.is(ts.get("NCOLS")! - ts.get("C_VLANS")!, 25, "update the column clear in wasm/assembly/frame.ts");
});

test.run();
