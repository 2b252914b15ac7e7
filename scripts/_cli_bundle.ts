/**
 * The CLI of the npm package (`bin`, dist/cli.js), bundled by esbuild from
 * the modules tsc wrote to dist/: an entry point and the chunks it imports, split at the
 * CLI's dynamic imports, so that a command still loads only what it runs, in about half
 * as many files.
 *
 * Why: Node's ES module loader costs about a millisecond per module on this project's
 * machines (resolving, reading the package scope, compiling, linking), more than most
 * modules' own code. `anynet pcap stats` on a 10-packet capture loaded 39 modules and
 * took 128.6 ms against 82 for Node's own start; bundled, 22 files and 123.8 ms (medians
 * of 21 interleaved runs, Node 24; Node 22 134.2 -> 129.6, Node 26 141.5 -> 132.9).
 * Deno and Bun users of the npm package run the same file; on Deno it also starts about
 * 14 ms sooner than src/cli.ts, as `deno run` loads every module a static `import("…")`
 * can reach before it starts (120 files against 285 modules).
 *
 * What stays as tsc wrote it: every library entry point (`anynet/cli` included), so an
 * application that imports anynet loads the same modules as before. The bundle holds its
 * own copy of the code it runs: a class the CLI throws is not the library's class, which
 * nobody can tell from outside (the CLI speaks through its output and exit codes).
 *
 * Layout: dist/cli.js (the entry, overwriting tsc's), dist/_cli/ (chunks, and the module a
 * `--workers` thread runs: src/cli/workers.ts finds it next to itself, as
 * `./worker_thread.js`, so the build checks that they share a folder).
 *
 * @module
 */
import { dirname, join } from "node:path";

/** The part of esbuild's API the bundle uses. */
interface Esbuild {
  buildSync(
    options: Record<string, unknown>,
  ): { metafile?: { outputs: Record<string, { inputs: Record<string, unknown> }> } };
}

/** Where the chunks go, under dist/. */
const CLI_CHUNKS = "_cli";

/**
 * Bundles dist/cli.js and dist/cli/worker_thread.js in place (see the module's comment).
 * npm packages stay imports (resolved from the package's dependencies at run time).
 * Returns how many files the bundle is.
 * @throws {Error} When esbuild fails, or when the module that starts worker threads lands
 *   where `./worker_thread.js` does not name the bundled worker module.
 */
export function bundleCli(esbuild: Esbuild, dist: string): { files: number } {
  const result = esbuild.buildSync({
    entryPoints: {
      "cli": join(dist, "cli.js"),
      [`${CLI_CHUNKS}/worker_thread`]: join(dist, "cli", "worker_thread.js"),
    },
    absWorkingDir: dist,
    outdir: dist,
    chunkNames: `${CLI_CHUNKS}/[name]-[hash]`,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node22",
    packages: "external",
    allowOverwrite: true,
    metafile: true,
    logLevel: "silent",
  });
  const outputs = result.metafile?.outputs ?? {};
  // workers.ts names the thread's module relative to itself (import.meta.url): the file
  // it was bundled into must sit beside the bundled worker module.
  for (const [output, { inputs }] of Object.entries(outputs)) {
    if (!("cli/workers.js" in inputs) || dirname(output) === CLI_CHUNKS) continue;
    throw new Error(
      `${output} starts worker threads from ./worker_thread.js, but the bundled worker module is ` +
        `${CLI_CHUNKS}/worker_thread.js`,
    );
  }
  return { files: Object.keys(outputs).length };
}
