#!/usr/bin/env node
/**
 * The `anynet` command-line entry point, for every runtime:
 *
 * - Node: `npx anynet …` (the built package) or `node dist/cli.js …`
 * - Deno: `deno run -A src/cli.ts …`
 * - Bun:  `bun src/cli.ts …`
 *
 * @module
 */
import { commands } from "./cli/commands/mod.ts";
import { main } from "./cli/main.ts";
import { commandArgs, env, exitAfterFlush, onTerminationSignal, writeStderr, writeStdout } from "./runtime/process.ts";

const controller = new AbortController();
const removeSignalHandlers = onTerminationSignal(() => controller.abort());

let code: number;
try {
  code = await main(commandArgs(), {
    out: writeStdout,
    err: (text) => writeStderr(text),
    signal: controller.signal,
  }, commands);
} catch (error) {
  // main() turns every failure into a message; reaching here is a bug in anynet itself.
  await writeStderr(`anynet: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
  if (env("ANYNET_DEBUG")) await writeStderr(`${error instanceof Error ? error.stack : ""}\n`);
  code = 70;
}
removeSignalHandlers();
await exitAfterFlush(code);
