/**
 * The `anynet` CLI as a library: its commands, the argument parser and the help text.
 * Programs can run a command without spawning a process, and the CLI reference in
 * docs/ is generated from these same definitions.
 *
 * @module
 */
export {
  type CommandEntry,
  CommandError,
  type CommandInput,
  type CommandIO,
  type CommandSpec,
  type FlagSpec,
  type FlagType,
  type FlagValue,
  type PositionalSpec,
  UsageError,
} from "./command.ts";
export { commands } from "./commands/mod.ts";
export { loadCommands, main } from "./main.ts";
export { parseArgs, type ParsedArgs } from "./parse_args.ts";
export { commandHelp, programHelp, synopsis } from "./usage.ts";
