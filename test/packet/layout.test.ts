import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { devBin, root } from "../_helpers/env.ts";

// The numbers the two decoders share are written once, in TypeScript under src/packet/;
// scripts/wasm_constants.ts generates the AssemblyScript copies that wasm/assembly/
// compiles. These tests catch a copy that was edited by hand or not regenerated.
const SHARED: [ts: string, as: string][] = [
  ["src/packet/_layout.ts", "wasm/assembly/layout.ts"],
  ["src/packet/_link_types.ts", "wasm/assembly/link_types.ts"],
  ["src/packet/_ether_types.ts", "wasm/assembly/ether_types.ts"],
  ["src/packet/_ip_protocols.ts", "wasm/assembly/ip_protocols.ts"],
  ["src/packet/_tcp.ts", "wasm/assembly/tcp.ts"],
  ["src/packet/_ports.ts", "wasm/assembly/ports.ts"],
  ["src/packet/_tls.ts", "wasm/assembly/tls.ts"],
  ["src/packet/_capture_formats.ts", "wasm/assembly/capture_formats.ts"],
];

function constants(path: string, type: string): Map<string, number> {
  const out = new Map<string, number>();
  const pattern = new RegExp(`^export const ([A-Z_0-9]+): ${type} = ([0-9a-fx <()*+-]+);$`, "gm");
  for (const [, name, expr] of readFileSync(join(root, path), "utf8").matchAll(pattern)) {
    out.set(name, new Function(`return ${expr}`)() as number);
  }
  return out;
}

for (const [tsPath, asPath] of SHARED) {
  test(`${asPath} holds the numbers of ${tsPath}`, () => {
    const ts = constants(tsPath, "number");
    const as = constants(asPath, "[iu]32");
    assert.ok(ts.size > 0, `found no constants in ${tsPath}`);
    assert.equal([...as.keys()], [...ts.keys()]);
    for (const [name, value] of ts) assert.is(as.get(name), value, name);
  });
}

test("the packet table layout has the size the AssemblyScript decoder clears", () => {
  const ts = constants("src/packet/_layout.ts", "number");
  assert.ok(ts.size > 80, `found only ${ts.size} layout constants`);
  // wasm/assembly/frame.ts clears the layer columns with stores sized for exactly this.
  assert.is(ts.get("NCOLS")! - ts.get("C_VLANS")!, 25, "update the column clear in wasm/assembly/frame.ts");
});

test("the generated AssemblyScript constants are up to date (scripts/wasm_constants.ts --check)", () => {
  const run = spawnSync(devBin("deno"), ["run", "-A", "--no-lock", "scripts/wasm_constants.ts", "--check"], {
    cwd: root,
    encoding: "utf8",
  });
  assert.is(run.status, 0, run.stderr);
});

test.run();
