/**
 * Static checks (`npm run check`): TypeScript in strict mode over the sources and tests
 * (tsc --noEmit), then `deno check` over the sources, tests and these scripts, so the
 * code type-checks under both compilers that users will put it through.
 *
 * Usage: deno run -A scripts/check.ts
 *
 * @module
 */
import { bin, fromRoot, run } from "./_run.ts";

run("node", [fromRoot("node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], "tsc --noEmit");
run(bin("deno"), ["check", "--quiet", "src/", "test/", "scripts/"], "deno check");
console.error("check: tsc and deno check passed");
