/**
 * The runtime's `process` object, which Node, Deno (2 and later) and Bun all have as a
 * global, for the modules that need it.
 *
 * Taken from the global rather than imported from `node:process`: Node builds that
 * import's ES module facade by reading every property of `process`, standard input
 * included, which sets standard input up: about 6 ms of every command's start on Node 24
 * (`anynet --version` 125 → 115 ms, measured interleaved).
 *
 * @module
 */
import type nodeProcess from "node:process";

/** The global `process`. */
export const process: typeof nodeProcess = (globalThis as unknown as { process: typeof nodeProcess }).process;
