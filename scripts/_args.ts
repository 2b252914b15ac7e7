/**
 * The command line of the project scripts, read one way. `node:util` `parseArgs` (which Node,
 * Deno and Bun all ship) splits the arguments into tokens; this module checks them against the
 * flags a script declares, so that every script answers a mistake alike: `SCRIPT: what is
 * wrong`, its usage text, exit code 2.
 *
 * parseArgs runs in its lenient mode and the tokens are checked here, because its strict mode
 * words its errors in its own terms ("To specify a positional argument starting with a '-',
 * place it at the end…") rather than naming the flag and what it needs.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";

/** A mistake on the command line; the message names the flag or argument and what is wrong. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** One flag a script accepts, named by its long form (`"no-build"` for `--no-build`). */
export interface FlagSpec {
  /** `"string"` takes a value (`--jobs 4`, `--jobs=4`); `"boolean"` takes none. */
  type: "string" | "boolean";
  /** A one-letter alias (`"r"` for `-r`). */
  short?: string;
  /** The flag may be repeated; its values are collected in order. @default false */
  multiple?: boolean;
  /** What the value is, for the message when it is missing (`--render needs …`). @default "a value" */
  takes?: string;
}

type FlagValue<S extends FlagSpec> = S["type"] extends "boolean" ? (S["multiple"] extends true ? boolean[] : boolean)
  : (S["multiple"] extends true ? string[] : string);

/** The flags given, by long name; a flag not given is absent. */
export type FlagValues<F extends Record<string, FlagSpec>> = { [K in keyof F]?: FlagValue<F[K]> };

/** A command line read by {@linkcode parseFlags}. */
export interface CommandLine<F extends Record<string, FlagSpec>> {
  flags: FlagValues<F>;
  /** The arguments that are not flags, in order. */
  positionals: string[];
  /** What follows `--` when `passThrough` is set, untouched. */
  rest: string[];
}

/** Options of {@linkcode parseFlags}. */
export interface ParseFlagsOptions {
  /** Accept arguments that are not flags (test filters, a benchmark's name). @default false */
  positionals?: boolean;
  /**
   * Keep what follows `--` apart (in `rest`), for a command the script runs in turn.
   * Otherwise what follows `--` counts as positional arguments. @default false
   */
  passThrough?: boolean;
}

/**
 * Reads a script's command line.
 *
 * @param args the arguments after the script's name
 * @param flags the flags the script accepts, by long name
 * @returns the flags given, the other arguments, and what follows `--` with `passThrough`
 * @throws {UsageError} On an unknown flag, a flag without its value, a value given to a flag
 *   that takes none, or an argument that is not a flag when the script takes none.
 */
export function parseFlags<const F extends Record<string, FlagSpec>>(
  args: readonly string[],
  flags: F,
  options: ParseFlagsOptions = {},
): CommandLine<F> {
  // Only the fields parseArgs knows, and none set to undefined: it refuses those.
  const config = Object.fromEntries(
    Object.entries(flags).map(([name, { type, short, multiple }]) => [
      name,
      { type, ...(short !== undefined ? { short } : {}), ...(multiple !== undefined ? { multiple } : {}) },
    ]),
  );
  const { tokens } = parseArgs({
    args: [...args],
    options: config,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean | (string | boolean)[]> = {};
  const positionals: string[] = [];
  const rest: string[] = [];
  let afterTerminator = false;
  for (const token of tokens) {
    if (token.kind === "option-terminator") {
      afterTerminator = true;
    } else if (token.kind === "positional") {
      if (afterTerminator && options.passThrough) rest.push(token.value);
      else if (options.positionals) positionals.push(token.value);
      else throw new UsageError(`unknown argument '${token.value}'`);
    } else {
      const spec: FlagSpec | undefined = Object.hasOwn(flags, token.name) ? flags[token.name] : undefined;
      if (spec === undefined) throw new UsageError(`unknown flag '${token.rawName}'`);
      let value: string | boolean = true;
      if (spec.type === "string") {
        if (token.value === undefined) throw new UsageError(`${token.rawName} needs ${spec.takes ?? "a value"}`);
        value = token.value;
      } else if (token.value !== undefined) {
        throw new UsageError(`${token.rawName} takes no value: got '${token.value}'`);
      }
      if (spec.multiple) ((values[token.name] ??= []) as (string | boolean)[]).push(value);
      else values[token.name] = value;
    }
  }
  return { flags: values as FlagValues<F>, positionals, rest };
}

/** The bounds of a number a flag takes. */
export interface NumberRange {
  min: number;
  /** @default no upper bound */
  max?: number;
  /** Whole numbers only. @default false */
  integer?: boolean;
}

/**
 * The number a flag's value names.
 *
 * @param flag the flag as written in messages (`"--rounds"`)
 * @param text the flag's value, undefined when the flag was not given
 * @param fallback the number when the flag was not given
 * @param range the numbers the flag accepts
 * @throws {UsageError} When the value is not a number within range.
 */
export function numberFlag(flag: string, text: string | undefined, fallback: number, range: NumberRange): number {
  if (text === undefined) return fallback;
  const { min, max = Infinity, integer = false } = range;
  const value = Number(text);
  if (
    text.trim() === "" || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))
  ) {
    const bounds = max === Infinity ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${flag} must be ${integer ? "an integer" : "a number"} ${bounds}: got '${text}'`);
  }
  return value;
}

/** Ends the script the scripts' way for a usage mistake: `SCRIPT: MESSAGE`, the usage text, exit code 2. */
export function exitWithUsage(script: string, usage: string, message: string): never {
  console.error(`${script}: ${message}`);
  console.error(usage);
  process.exit(2);
}

/**
 * Runs `read`, which parses and checks a script's command line; a {@linkcode UsageError} it
 * throws ends the script through {@linkcode exitWithUsage}.
 */
export function readCommandLine<T>(script: string, usage: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return exitWithUsage(script, usage, error.message);
  }
}
