/**
 * Imports one of the package's private modules (`src/_name.ts`, not an entry point) for a
 * unit test of a helper that several areas share: the source on Deno, as Deno maps
 * `anynet/…` to the sources; the compiled module in dist/ on Node and Bun, as they
 * resolve `anynet/…` to dist/.
 *
 * @module
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { root, testRuntime } from "./env.ts";

/**
 * The module at `path` (relative to src/, without an extension), typed as `T`: give it
 * `typeof import("../src/PATH.ts")`, so that the test is checked against the module's
 * real declarations rather than a copy of them.
 */
export async function importPrivate<T>(path: string): Promise<T> {
  const file = testRuntime === "deno" ? join(root, "src", `${path}.ts`) : join(root, "dist", `${path}.js`);
  return (await import(pathToFileURL(file).href)) as T;
}
