import type { CommandSpec, FlagSpec } from "./command.ts";
import { VERSION } from "../version.ts";

function pad(rows: [string, string][], indent = "  "): string {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`.trimEnd()).join("\n");
}

function flagLeft(flag: FlagSpec): string {
  const names = (flag.short ? `-${flag.short}, ` : "    ") + `--${flag.name}`;
  return flag.type === "boolean" ? names : `${names} ${flag.valueName ?? flag.name.toUpperCase()}`;
}

function flagRight(flag: FlagSpec): string {
  let text = flag.description;
  if (flag.choices) text += ` (${flag.choices.join(" | ")})`;
  if (flag.multiple) text += " (repeatable)";
  if (flag.default !== undefined && flag.type !== "boolean") text += ` [default: ${flag.default}]`;
  return text;
}

/** The one-line synopsis of a command: `anynet echo [options] MESSAGE`. */
export function synopsis(command: CommandSpec): string {
  const args = (command.positionals ?? []).map((p) => {
    const name = p.variadic ? `${p.name}...` : p.name;
    return p.optional || p.variadic ? `[${name}]` : name;
  });
  return ["anynet", command.name, "[options]", ...args].join(" ");
}

/** The full `--help` text of one command. */
export function commandHelp(command: CommandSpec): string {
  const parts = [`Usage: ${synopsis(command)}`, "", command.summary];
  if (command.description) parts.push("", command.description);
  if (command.positionals?.length) {
    parts.push("", "Arguments:", pad(command.positionals.map((p) => [p.name, p.description])));
  }
  const flags: [string, string][] = (command.flags ?? []).map((f) => [flagLeft(f), flagRight(f)]);
  flags.push(["-h, --help", "Show this help"]);
  parts.push("", "Options:", pad(flags));
  if (command.examples?.length) {
    parts.push("", "Examples:", command.examples.map((e) => `  anynet ${e}`).join("\n"));
  }
  return parts.join("\n") + "\n";
}

/** The top-level `anynet --help` text, listing every command. */
export function programHelp(commands: readonly { name: string; summary: string }[]): string {
  return [
    `anynet ${VERSION}: one network toolkit for Node.js, Deno and Bun`,
    "",
    "Usage: anynet <command> [options]",
    "",
    "Commands:",
    pad(commands.map((c) => [c.name, c.summary])),
    "",
    "Options:",
    pad([["-h, --help", "Show this help"], ["-V, --version", "Show the version"]]),
    "",
    "Exit codes:",
    pad([
      ["0", "Success"],
      ["1", "Failure (one line on standard error)"],
      ["2", "Usage error"],
      ["141", "Standard output closed by its reader (anynet … | head): stopped at once, quietly, as after SIGPIPE"],
    ]),
    "",
    "Run 'anynet <command> --help' for the options of a command.",
    "",
  ].join("\n");
}
