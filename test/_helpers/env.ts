/**
 * Where the tests run: the runtime under test and the project root.
 *
 * scripts/test.ts sets ANYNET_TEST_RUNTIME and ANYNET_ROOT; when a test file is run by
 * hand, the root is found from this file's location (test/_helpers/ for Deno and Bun,
 * build/test/_helpers/ for Node).
 *
 * @module
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  if (process.env.ANYNET_ROOT) return process.env.ANYNET_ROOT;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dir !== dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "anynet" && existsSync(join(dir, "src"))) {
      return dir;
    }
    dir = dirname(dir);
  }
  throw new Error("test: cannot find the anynet project root");
}

/** The project root. */
export const root: string = findRoot();

/** The runtime these tests run on, as the test runner says (or as detected). */
export const testRuntime: "node" | "deno" | "bun" = (() => {
  const fromRunner = process.env.ANYNET_TEST_RUNTIME;
  if (fromRunner === "node" || fromRunner === "deno" || fromRunner === "bun") return fromRunner;
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  return g.Deno ? "deno" : g.Bun ? "bun" : "node";
})();

/**
 * The Node executable for processes a test starts itself (the CLI on Node, a consumer of
 * the package): on a Node leg the leg's own, on the others the newest Node leg's, as
 * scripts/test.ts says; the machine's `node` when a test file is run by hand.
 */
export const testNode: string = process.env.ANYNET_TEST_NODE ??
  (testRuntime === "node" ? process.execPath : "node");

/** The path of a binary from node_modules/.bin. */
export function devBin(name: string): string {
  return join(root, "node_modules", ".bin", name);
}

/**
 * The first warning Node printed in `output` ("(node:1234) TimeoutNegativeWarning: …"),
 * or undefined. The Node releases warn about different things (Node 24 started warning
 * about a negative timer delay), so a warning is treated as a failure: what one release
 * says quietly may be an error or a behaviour change in the next.
 */
export function nodeWarning(output: string): string | undefined {
  return /^\(node:\d+\) (\w*Warning: .*)$/m.exec(output)?.[1];
}

/** Prints why a test is skipped; scripts/test.ts shows every line that starts with "skip:". */
export function announceSkip(reason: string): void {
  console.log(`skip: ${reason}`);
}

/**
 * Whether an executable called `name` is on PATH, found without running it: asking
 * tshark or python3 for their version costs a third to two thirds of a second of CPU
 * each, and the suite asks dozens of times per leg.
 */
export function onPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      if (!statSync(path).isFile()) continue;
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      // Not here, or not executable: the next directory.
    }
  }
  return false;
}
