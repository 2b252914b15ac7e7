/**
 * The runtime's `process` object, which Node, Deno (2 and later) and Bun all have as a
 * global, for the modules that need it.
 *
 * Taken from the global rather than imported from `node:process`: Node builds that
 * import's ES module facade by reading every property of `process`, standard input
 * included, which sets standard input up: about 6 ms of every command's start on Node 24
 * (`anynet --version` 125 → 115 ms, measured interleaved). And read on first use, not
 * when a module is loaded: on Deno the first read of the global starts Node's
 * compatibility layer (about 28 ms), which a command that never needs it (`pcap stats`,
 * `--version`) should not pay for.
 *
 * @module
 */
import type nodeProcess from "node:process";

let cached: typeof nodeProcess | undefined;

/** The global `process`. */
export function globalProcess(): typeof nodeProcess {
  return cached ??= (globalThis as unknown as { process: typeof nodeProcess }).process;
}
