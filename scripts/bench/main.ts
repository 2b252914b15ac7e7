/**
 * Benchmarks (`npm run bench -- NAME [args]`): each is a script scripts/bench/NAME.ts that
 * measures anynet against a baseline in the same run and prints ratios. Without a name,
 * lists them.
 *
 * Usage: npm run bench -- <name> [args...]
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { bin, fromRoot } from "../_run.ts";

const available = readdirSync(fromRoot("scripts/bench"))
  .filter((f) => f.endsWith(".ts") && f !== "main.ts" && !f.startsWith("_"))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...rest] = Deno.args;
if (!name || name === "--help" || name === "-h") {
  console.log(`Usage: npm run bench -- <name> [args...]\nBenchmarks: ${available.join(", ") || "(none yet)"}`);
  Deno.exit(name ? 0 : 2);
}
if (!available.includes(name)) {
  console.error(`bench: unknown benchmark '${name}' (available: ${available.join(", ") || "none"})`);
  Deno.exit(2);
}
const run = spawnSync(bin("deno"), ["run", "-A", fromRoot("scripts/bench", `${name}.ts`), ...rest], {
  stdio: "inherit",
});
Deno.exit(run.status ?? 1);
