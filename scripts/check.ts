/**
 * Static checks (`npm run check`): TypeScript in strict mode over the sources and tests
 * (tsc --noEmit), then `deno check` over the sources, tests and these scripts, so the
 * code type-checks under both compilers that users will put it through; then the Bun and
 * Deno adapters against Bun's and Deno's own declarations (typecheck/); then `deno lint`
 * and `deno fmt --check` (lineWidth 120, from deno.json) over the same files.
 *
 * Usage: deno run -A scripts/check.ts
 *
 * @module
 */
import { bin, fromRoot, run } from "./_run.ts";

run("node", [fromRoot("node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], "tsc --noEmit");
run(bin("deno"), ["check", "--quiet", "src/", "test/", "scripts/"], "deno check");
// Each runtime's adapter against that runtime's own declarations (see typecheck/).
run("node", [fromRoot("node_modules/typescript/bin/tsc"), "-p", "typecheck/tsconfig.bun.json"], "tsc with bun-types");
run(bin("deno"), ["check", "--quiet", "typecheck/deno_api.ts"], "deno check of Deno's API");
const code = ["src/", "test/", "scripts/", "examples/", "typecheck/"];
run(bin("deno"), ["lint", "--quiet", ...code], "deno lint");
run(bin("deno"), ["fmt", "--check", "--quiet", ...code], "deno fmt --check (run: deno fmt src test scripts examples)");
console.error("check: tsc, deno check, deno lint and deno fmt passed");
