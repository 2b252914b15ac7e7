import { type CommandInput, type CommandSpec, type FlagSpec, type FlagValue, UsageError } from "./command.ts";
import { closest } from "../_suggest.ts";

/** The parse result: either help was asked for, or the checked input. */
export type ParsedArgs = { help: true } | { help: false; input: CommandInput };

function describeFlag(flag: FlagSpec): string {
  return `--${flag.name}`;
}

/**
 * "unknown flag" with the likely meant one, as a misspelt command gets (src/cli/main.ts):
 * `--prot` → `--port`, and `-port` (one dash) → `--port`.
 */
function unknownFlag(command: CommandSpec, typed: string, shortLetter?: string): UsageError {
  const longNames = [...(command.flags ?? []).map((f) => f.name), "help"];
  const word = typed.replace(/^--?/, "");
  const hint = word.length > 1 ? closest(word, longNames) : undefined;
  if (hint) return new UsageError(`unknown flag '${typed}'; did you mean '--${hint}'?`, command.name);
  return new UsageError(`unknown flag '${shortLetter === undefined ? typed : `-${shortLetter}`}'`, command.name);
}

function convert(command: CommandSpec, flag: FlagSpec, raw: string): string | number {
  const fail = (expected: string): never => {
    throw new UsageError(`${describeFlag(flag)} must be ${expected}: got '${raw}'`, command.name);
  };
  const range = () => {
    if (flag.min !== undefined && flag.max !== undefined) return ` from ${flag.min} to ${flag.max}`;
    if (flag.min !== undefined) return ` of at least ${flag.min}`;
    if (flag.max !== undefined) return ` of at most ${flag.max}`;
    return "";
  };
  if (flag.type === "integer" || flag.type === "number") {
    const kind = flag.type === "integer" ? "an integer" : "a number";
    const text = raw.trim();
    // Number("") is 0 and Number("0x10") is 16: accept plain decimal notation only.
    const pattern = flag.type === "integer" ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
    if (!pattern.test(text)) fail(kind + range());
    const value = Number(text);
    if (!Number.isFinite(value)) fail(kind + range());
    if ((flag.min !== undefined && value < flag.min) || (flag.max !== undefined && value > flag.max)) {
      fail(kind + range());
    }
    return value;
  }
  if (flag.choices && !flag.choices.includes(raw)) fail(`one of ${flag.choices.join(", ")}`);
  return raw;
}

/**
 * Parses a command's arguments against its description.
 *
 * Accepts `--name value`, `--name=value`, `-x value`, boolean `--name`, and `--` to end
 * the flags. Everything else that starts with `-` (other than a lone `-`) is an unknown
 * flag.
 *
 * @throws {UsageError} For unknown flags, missing or malformed values, and missing or
 * surplus positional arguments; the message names the flag or argument and the value.
 */
export function parseArgs(command: CommandSpec, argv: readonly string[]): ParsedArgs {
  const flags = command.flags ?? [];
  const byLong = new Map(flags.map((f) => [f.name, f]));
  const byShort = new Map(flags.filter((f) => f.short).map((f) => [f.short!, f]));
  const values: Record<string, FlagValue | undefined> = {};
  const positionals: string[] = [];

  const set = (flag: FlagSpec, value: string | number | boolean) => {
    if (flag.multiple) {
      const list = (values[flag.name] ?? []) as (string | number)[];
      list.push(value as string | number);
      values[flag.name] = list as FlagValue;
    } else if (values[flag.name] !== undefined && flag.type !== "boolean") {
      throw new UsageError(`${describeFlag(flag)} was given more than once`, command.name);
    } else {
      values[flag.name] = value;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "--help" || arg === "-h") return { help: true };
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    let flag: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
      flag = byLong.get(name);
      if (!flag) throw unknownFlag(command, `--${name}`);
    } else {
      // Grouped short flags: `-tl` is `-t -l`; a flag that takes a value ends the group
      // and takes the rest as its value (`-p80`).
      let at = 1;
      for (;;) {
        const letter = arg.slice(at, at + 1);
        flag = byShort.get(letter);
        // `-port` for `--port` is a likely slip: suggest the long flag when one is close.
        if (!flag) throw unknownFlag(command, at === 1 ? arg : `-${letter}`, letter);
        if (flag.type !== "boolean" || at + 1 >= arg.length) break;
        set(flag, true);
        at++;
      }
      if (at + 1 < arg.length) inline = arg.slice(at + 1);
    }
    if (flag.type === "boolean") {
      if (inline !== undefined) {
        throw new UsageError(`${describeFlag(flag)} takes no value: got '${inline}'`, command.name);
      }
      set(flag, true);
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      if (i + 1 >= argv.length) {
        throw new UsageError(
          `${describeFlag(flag)} needs a value (${flag.valueName ?? flag.name.toUpperCase()})`,
          command.name,
        );
      }
      raw = argv[++i];
    }
    set(flag, convert(command, flag, raw));
  }

  for (const flag of flags) {
    if (values[flag.name] === undefined && flag.default !== undefined) values[flag.name] = flag.default;
  }

  const specs = command.positionals ?? [];
  const required = specs.filter((p) => !p.optional && !p.variadic).length;
  if (positionals.length < required) {
    const missing = specs[positionals.length];
    throw new UsageError(`missing argument ${missing.name} (${missing.description})`, command.name);
  }
  const variadic = specs.length > 0 && specs[specs.length - 1].variadic;
  if (!variadic && positionals.length > specs.length) {
    throw new UsageError(`unexpected argument '${positionals[specs.length]}'`, command.name);
  }
  return { help: false, input: { flags: values, positionals } };
}
