/**
 * `--data` of `anynet post/put/patch`: the JSON body given inline, read from a file
 * (`@FILE`) or from standard input (`@-`, the same on every runtime through
 * src/runtime/stdin.ts). The text is checked as JSON before anything is sent, and every
 * mistake names where the text came from.
 *
 * @module
 */
import { CommandError, UsageError } from "../command.ts";
import { fileErrorReason, readTextFile } from "../../runtime/files.ts";
import { readStdin } from "../../runtime/stdin.ts";

/** Reads standard input to its end as UTF-8 text. */
async function stdinText(signal: AbortSignal): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of readStdin(signal)) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** Where `--data` took its text from, for messages. */
function origin(value: string): string {
  if (value === "@-") return "--data @- (standard input)";
  return value.startsWith("@") ? `--data file '${value.slice(1)}'` : "--data";
}

/** The text that `--data VALUE` stands for: VALUE, the file after `@`, or standard input for `@-`. */
async function dataText(command: string, value: string, signal: AbortSignal): Promise<string> {
  if (!value.startsWith("@")) return value;
  const path = value.slice(1);
  if (path === "") throw new UsageError("--data @FILE needs a file name after '@' (or @- for standard input)", command);
  if (path === "-") {
    try {
      return await stdinText(signal);
    } catch (error) {
      throw new CommandError(`cannot read ${origin(value)}: ${(error as Error).message}`, { cause: error });
    }
  }
  try {
    return await readTextFile(path);
  } catch (error) {
    throw new CommandError(`cannot read ${origin(value)}: ${fileErrorReason(error)}`, { cause: error });
  }
}

/** One line of at most `max` characters, for quoting the start of a bad value. */
function preview(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max) + "…" : flat;
}

/**
 * The JSON value `--data VALUE` gives. Bad JSON typed on the command line is a usage
 * mistake (exit 2); bad JSON in a file or on standard input is the input's (exit 1).
 */
export async function readDataFlag(command: string, value: string, signal: AbortSignal): Promise<unknown> {
  const text = await dataText(command, value, signal);
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = `${origin(value)} must be JSON: ${(error as Error).message}: got '${preview(text, 80)}'`;
    if (value.startsWith("@")) throw new CommandError(message);
    throw new UsageError(message, command);
  }
}
