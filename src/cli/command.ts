/**
 * How a CLI command is described. One description serves parsing, `--help` and the
 * generated CLI reference (docs/cli.md), so they cannot disagree.
 *
 * @module
 */

/** The kinds of value a flag takes. */
export type FlagType = "string" | "integer" | "number" | "boolean";

/** One `--flag` of a command. */
export interface FlagSpec {
  /** Long name without dashes: `"port"` for `--port`. */
  name: string;
  /** Optional one-letter alias: `"H"` for `-H`. */
  short?: string;
  /** The kind of value; a boolean flag takes none. */
  type: FlagType;
  /** One line for `--help`. */
  description: string;
  /** Placeholder shown in help, such as `PORT`. @default the name upper-cased */
  valueName?: string;
  /** Value when the flag is absent. */
  default?: string | number | boolean;
  /** The flag may be given several times; the values are collected in order. */
  multiple?: boolean;
  /** Smallest accepted value (integer and number flags). */
  min?: number;
  /** Largest accepted value (integer and number flags). */
  max?: number;
  /** The only accepted values (string flags). */
  choices?: readonly string[];
}

/** One positional argument of a command. */
export interface PositionalSpec {
  /** Name shown in usage, such as `FILE`. */
  name: string;
  /** One line for `--help`. */
  description: string;
  /** The argument may be left out. */
  optional?: boolean;
  /** Takes all remaining arguments (last positional only). */
  variadic?: boolean;
}

/** A parsed flag value. */
export type FlagValue = string | number | boolean | string[] | number[];

/** What the parser hands to a command: its flags and positionals, checked and typed. */
export interface CommandInput {
  /** Flag values by long name; absent flags without a default are missing. */
  readonly flags: Readonly<Record<string, FlagValue | undefined>>;
  /** Positional arguments in order. */
  readonly positionals: readonly string[];
}

/** The command's connection to the outside world. */
export interface CommandIO {
  /**
   * Writes to standard output (settles when flushed: await it for backpressure). Rejects
   * when standard output cannot take the text, with `code` `"EPIPE"` when its reader
   * went away (`anynet … | head`); a command lets that error pass, and `main()` ends
   * the run (exit code 141, no message).
   */
  out(text: string | Uint8Array): Promise<void>;
  /** Writes to standard error. */
  err(text: string): Promise<void>;
  /** Aborted on SIGINT or SIGTERM: long-running commands stop gracefully on it. */
  readonly signal: AbortSignal;
}

/** A command of the `anynet` CLI. */
export interface CommandSpec {
  /** The words that select it: `"echo"`, or `"pcap decode"` for a subcommand. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** A paragraph or more for the command's own help. */
  description?: string;
  /** Positional arguments in order. */
  positionals?: readonly PositionalSpec[];
  /** Flags (`--help` is added to every command). */
  flags?: readonly FlagSpec[];
  /** Example invocations, without the leading `anynet`. */
  examples?: readonly string[];
  /** Runs the command; resolves to the process exit code. */
  run(input: CommandInput, io: CommandIO): Promise<number>;
}

/**
 * A command as the registry lists it: its name, and how to load the rest. Loading on
 * demand keeps start-up fast: `anynet pcap stats` never loads the socket or HTTP code.
 */
export interface CommandEntry {
  /** The words that select it (the same as the loaded spec's `name`). */
  name: string;
  /** One line for the full help (the same as the loaded spec's `summary`). */
  summary: string;
  /** Imports the command's module and returns its description. */
  load(): Promise<CommandSpec>;
}

/**
 * Bad usage of the CLI: unknown command or flag, a missing or malformed value.
 * The CLI prints its message with a usage hint and exits with code 2.
 */
export class UsageError extends Error {
  /** The command whose usage was wrong, when known. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

/**
 * A failure a command reports in one line, without a stack trace: the CLI prints the
 * message and exits with `exitCode` (1 unless told).
 */
export class CommandError extends Error {
  /** The process exit code to use. */
  readonly exitCode: number;
  constructor(message: string, options?: { exitCode?: number; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = "CommandError";
    this.exitCode = options?.exitCode ?? 1;
  }
}
