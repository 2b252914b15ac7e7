/**
 * The sources run as they are under Node's TypeScript type stripping (`node src/cli.ts`),
 * which only deletes type annotations: syntax that needs compiling (parameter properties,
 * enums, namespaces) stops a module from loading, and Node 22's V8 (12.4) does not parse
 * `await using`, which tsc lowers for dist/ but stripping leaves alone. tsconfig.json's
 * `erasableSyntaxOnly` catches the first kind at check time; only loading every module
 * on a real Node catches the second.
 *
 * Deno and Bun run the sources in their own way, so their legs check the newest Node
 * leg's binary (`testNode`) like a Node leg does.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { BROWSER_BUNDLES } from "../../scripts/_browser_bundles.ts";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCommand } from "../_helpers/cli.ts";
import { announceSkip, root, testNode } from "../_helpers/env.ts";

function nodeVersion(): [number, number] {
  const probe = spawnSync(testNode, ["-p", "process.versions.node"], { encoding: "utf8" });
  const match = /^(\d+)\.(\d+)\./.exec(probe.stdout ?? "");
  if (probe.status !== 0 || !match) {
    throw new Error(`cannot tell the version of ${testNode}: ${probe.error?.message ?? probe.stderr}`);
  }
  return [Number(match[1]), Number(match[2])];
}

// Type stripping is on by default from Node 22.18 (and 23.6); older Nodes need a flag
// that users would not pass, so they are not checked (only a hand run with the machine's
// `node` meets one: every Node leg is newer).
const [major, minor] = nodeVersion();
const strips = major >= 24 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
if (!strips) announceSkip(`Node ${major}.${minor} at ${testNode} does not strip types by default (22.18+ does)`);
const withStripping = strips ? test : test.skip;

function sourceModules(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sourceModules(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) found.push(relative(root, path));
  }
  return found.sort();
}

// Reports each module that fails to load. Node names the file and line in the stack of
// a stripping error but not of a V8 syntax error, so each module is imported on its own:
// the one at fault is always in the list, beside those that import it.
const IMPORT_EACH = `
const failures = [];
for (const [file, url] of JSON.parse(process.env.ANYNET_MODULES)) {
  try {
    await import(url);
  } catch (error) {
    const where = /^file:\\S+/.exec(String(error?.stack ?? ""))?.[0];
    failures.push(file + ": " + (error?.message ?? String(error)) + (where ? " (at " + where + ")" : ""));
  }
}
console.log("imports: " + JSON.stringify(failures));
process.exit(0);
`;

withStripping("every module under src/ imports under Node's type stripping", async () => {
  // src/cli.ts runs the CLI when imported; the CLI test below starts it. The browser
  // bundles' entry points run page code when imported: a browser loads them, not Node
  // (the modules they import are still each imported here).
  const skipped = new Set([
    join("src", "cli.ts"),
    ...BROWSER_BUNDLES.map((bundle) => join(...bundle.entry.split("/"))),
  ]);
  const modules = sourceModules(join(root, "src")).filter((file) => !skipped.has(file));
  assert.ok(modules.includes(join("src", "echo", "client.ts")), `found no sources: ${modules.join(", ")}`);
  const list = modules.map((file) => [file, pathToFileURL(join(root, file)).href]);
  const run = await runCommand(testNode, ["--input-type=module", "-e", IMPORT_EACH], {
    env: { ANYNET_MODULES: JSON.stringify(list) },
    timeoutMs: 60_000,
  }, `${testNode} (importing ${modules.length} modules)`);
  const report = /^imports: (.*)$/m.exec(run.stdout);
  assert.ok(report && run.code === 0, `the import script failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  const failures: string[] = JSON.parse(report![1]);
  assert.ok(
    failures.length === 0,
    `${failures.length} of ${modules.length} modules do not load:\n${failures.join("\n")}`,
  );
});

withStripping("node src/cli.ts --version prints the package's version", async () => {
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const run = await runCommand(testNode, [join(root, "src", "cli.ts"), "--version"]);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout.trim(), `anynet ${version}`);
});

withStripping("node src/cli.ts demo runs every step", async () => {
  const run = await runCommand(testNode, [join(root, "src", "cli.ts"), "demo"], { timeoutMs: 60_000 });
  assert.is(run.code, 0, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout.trimEnd(), /\ndemo: 6 of 6 steps worked$/, run.stdout);
});

test.run();
