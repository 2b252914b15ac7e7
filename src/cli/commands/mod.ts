/**
 * Every command of the `anynet` CLI, in the order `anynet --help` lists them.
 * A new command is a file in this folder and one line here.
 *
 * @module
 */
import type { CommandSpec } from "../command.ts";
import { echoCommand } from "./echo.ts";
import { echoServerCommand } from "./echo_server.ts";
import { infoCommand } from "./info.ts";

/** All commands. */
export const commands: readonly CommandSpec[] = [
  infoCommand,
  echoServerCommand,
  echoCommand,
];
