/** The JavaScript runtimes anynet runs on. */
export type RuntimeName = "node" | "deno" | "bun";

/** What {@linkcode detectRuntime} found: the runtime and its own version string. */
export interface RuntimeInfo {
  /** Which runtime this is. */
  name: RuntimeName;
  /** The runtime's version, such as `"20.20.2"`, `"2.9.6"` or `"1.4.5"`. */
  version: string;
}

interface RuntimeGlobals {
  Deno?: { version?: { deno?: string } };
  Bun?: { version?: string };
  process?: { versions?: { node?: string } };
}

let detected: RuntimeInfo | undefined;

/**
 * Tells which runtime is running this code. The answer is computed once and cached.
 *
 * Order matters: Deno and Bun both provide a Node-compatible `process` global with
 * `process.versions.node` set, so the Node check must come last.
 *
 * @returns The runtime's name and version.
 * @throws {Error} When none of Node, Deno or Bun is recognised (a browser, say).
 * @example Which runtime
 * ```ts
 * import { detectRuntime } from "anynet";
 * const { name } = detectRuntime();
 * console.assert(["node", "deno", "bun"].includes(name));
 * ```
 */
export function detectRuntime(): RuntimeInfo {
  if (detected) return detected;
  const g = globalThis as RuntimeGlobals;
  // Deno: the global `Deno` namespace carries its version.
  if (typeof g.Deno?.version?.deno === "string") {
    detected = { name: "deno", version: g.Deno.version.deno };
  } // Bun: the global `Bun` object; checked before Node since Bun also sets process.versions.node.
  else if (typeof g.Bun?.version === "string") {
    detected = { name: "bun", version: g.Bun.version };
  } // Node: neither of the above, and a process with a Node version.
  else if (typeof g.process?.versions?.node === "string") {
    detected = { name: "node", version: g.process.versions.node };
  } else {
    throw new Error("Cannot detect the runtime: anynet runs on Node.js, Deno and Bun only");
  }
  return detected;
}
