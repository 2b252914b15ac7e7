import { type CommandEntry, CommandError, type CommandIO, type CommandSpec, UsageError } from "./command.ts";
import { parseArgs } from "./parse_args.ts";
import { closest } from "../_suggest.ts";
import { EXIT_OUTPUT_CLOSED, isClosedOutput, watchOutput } from "./output_failure.ts";
import { VERSION } from "../version.ts";

/** Finds the command that `argv` names; the rest of `argv` is the command's own. */
function findCommand(
  commands: readonly CommandEntry[],
  argv: readonly string[],
): { entry: CommandEntry; rest: readonly string[] } {
  const [first, second] = argv;
  const pair = commands.find((c) => c.name === `${first} ${second}`);
  if (pair) return { entry: pair, rest: argv.slice(2) };
  const single = commands.find((c) => c.name === first);
  if (single) return { entry: single, rest: argv.slice(1) };

  const subcommands = commands.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name.slice(first.length + 1));
  if (subcommands.length > 0) {
    if (second === undefined || second.startsWith("-")) {
      throw new UsageError(`'${first}' needs a subcommand: ${subcommands.join(", ")}`);
    }
    const hint = closest(second, subcommands);
    throw new UsageError(
      `unknown subcommand '${first} ${second}'` +
        (hint ? `; did you mean '${first} ${hint}'?` : `; expected one of ${subcommands.join(", ")}`),
    );
  }
  const names = [...new Set(commands.map((c) => c.name.split(" ")[0]))];
  const hint = closest(first, names);
  throw new UsageError(`unknown command '${first}'` + (hint ? `; did you mean '${hint}'?` : ""));
}

/** Loads every command's description (for the full help and the CLI reference). */
export function loadCommands(commands: readonly CommandEntry[]): Promise<CommandSpec[]> {
  return Promise.all(commands.map((entry) => entry.load()));
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and resolves to the
 * exit code: 0 on success, 1 when a command fails, 2 for usage errors, 141 when the
 * reader of standard output went away before everything was written (as a shell
 * reports a process killed by SIGPIPE; nothing is printed then). A command's failure
 * becomes a one-line message on standard error, never an exception.
 */
export async function main(argv: readonly string[], io: CommandIO, commands: readonly CommandEntry[]): Promise<number> {
  const output = watchOutput(io);
  let code: number;
  try {
    code = await run(argv, output.io, commands);
  } catch (error) {
    // run() reports every failure of a command itself; what reaches here is a write of
    // the help or the version that failed, or a bug for the entry point to report.
    if (!output.failure()) throw error;
    code = 1;
  }
  const failure = output.failure();
  if (!failure) return code;
  if (isClosedOutput(failure.error)) return EXIT_OUTPUT_CLOSED;
  await io.err(`anynet: ${failure.error instanceof Error ? failure.error.message : String(failure.error)}\n`);
  return 1;
}

// The help text and the permission advice load only when they are printed: a command that
// runs and succeeds needs neither, and on Node every module loaded costs its start-up
// (the two and what they import: 3 modules).
function helpText(): Promise<typeof import("./usage.ts")> {
  return import("./usage.ts");
}

/** The lines saying which Deno flag `error` lacks, or nothing (also when they cannot be loaded: out of files). */
async function adviceFor(error: unknown): Promise<string> {
  try {
    return (await (await import("./permission_advice.ts")).permissionAdvice(error)) ?? "";
  } catch {
    return "";
  }
}

async function run(argv: readonly string[], io: CommandIO, commands: readonly CommandEntry[]): Promise<number> {
  const [first] = argv;
  if (first === undefined) {
    await io.err((await helpText()).programHelp(commands));
    return 2;
  }
  if (first === "--help" || first === "-h" || (first === "help" && argv.length === 1)) {
    await io.out((await helpText()).programHelp(commands));
    return 0;
  }
  if (first === "--version" || first === "-V" || first === "version") {
    await io.out(`anynet ${VERSION}\n`);
    return 0;
  }

  let command: CommandSpec | undefined;
  try {
    if (first.startsWith("-")) throw new UsageError(`unknown flag '${first}'`);
    const helpFor = first === "help" ? argv.slice(1) : undefined;
    const found = findCommand(commands, helpFor ?? argv);
    command = await found.entry.load();
    if (helpFor) {
      await io.out((await helpText()).commandHelp(command));
      return 0;
    }
    const parsed = parseArgs(command, found.rest);
    if (parsed.help) {
      await io.out((await helpText()).commandHelp(command));
      return 0;
    }
    return await command.run(parsed.input, io);
  } catch (error) {
    const prefix = command ? `anynet ${command.name}` : "anynet";
    if (error instanceof UsageError) {
      const helpHint = command ? `anynet ${command.name} --help` : "anynet --help";
      await io.err(`${prefix}: ${error.message}\nRun '${helpHint}' for usage.\n`);
      return 2;
    }
    const advice = await adviceFor(error);
    if (error instanceof CommandError) {
      await io.err(`${prefix}: ${error.message}\n${advice}`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    await io.err(`${prefix}: ${message}\n${advice}`);
    return 1;
  }
}
