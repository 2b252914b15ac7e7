/**
 * `node:tls`, loaded on first use. Importing it statically costs every process that
 * loads the runtime adapters about 40 ms of start-up on Node (it brings the crypto
 * modules along), and most programs, and most CLI commands, use plain TCP only. Node
 * (20.16+), Deno and Bun all have `process.getBuiltinModule`, which loads a built-in
 * module synchronously, so callers stay synchronous.
 *
 * @module
 */
import { globalProcess } from "./global_process.ts";

let loaded: typeof import("node:tls") | undefined;

/** The `node:tls` module, loaded the first time it is asked for. */
export function nodeTls(): typeof import("node:tls") {
  return loaded ??= globalProcess().getBuiltinModule("node:tls");
}
