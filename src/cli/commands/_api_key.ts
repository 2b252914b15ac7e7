/**
 * Where the CLI takes an API key from. A key typed as `--api-key KEY` is visible to every
 * user of the machine in the process list (`/proc/PID/cmdline`), so the same key can also
 * come from a file or from the `ANYNET_API_KEY` environment variable, which other users
 * cannot read.
 *
 * @module
 */
import { env } from "../../runtime/process.ts";
import { fileErrorReason, readTextFile } from "../../runtime/files.ts";
import { CommandError, type CommandInput, type FlagSpec, UsageError } from "../command.ts";

/** The environment variable read when neither `--api-key` nor `--api-key-file` is given. */
export const API_KEY_ENV = "ANYNET_API_KEY";

/**
 * The `--api-key` and `--api-key-file` flags, worded for what the command does with the
 * key (`"Send X-API-Key: KEY"`, `"Require this API key"`).
 */
export function apiKeyFlags(use: string): FlagSpec[] {
  return [
    {
      name: "api-key",
      type: "string",
      description: `${use} (visible to other users in the process list: prefer --api-key-file or ${API_KEY_ENV})`,
      valueName: "KEY",
    },
    {
      name: "api-key-file",
      type: "string",
      description: `Read the API key from FILE (first line); without either flag, ${API_KEY_ENV} is used when set`,
      valueName: "FILE",
    },
  ];
}

/**
 * The API key from `--api-key`, `--api-key-file` or `ANYNET_API_KEY`, in that order;
 * `undefined` when none is given. Giving both flags, an empty key, or a file that cannot
 * be read is an error naming the flag and the value.
 */
export async function resolveApiKey(flags: CommandInput["flags"], command: string): Promise<string | undefined> {
  const inline = flags["api-key"] as string | undefined;
  const file = flags["api-key-file"] as string | undefined;
  if (inline !== undefined && file !== undefined) {
    throw new UsageError("give --api-key or --api-key-file, not both", command);
  }
  if (inline !== undefined) {
    if (inline === "") throw new UsageError("--api-key must not be empty", command);
    return inline;
  }
  if (file !== undefined) {
    let text: string;
    try {
      text = await readTextFile(file);
    } catch (error) {
      throw new CommandError(`cannot read --api-key-file '${file}': ${fileErrorReason(error)}`, { exitCode: 2 });
    }
    // The first line only, so a trailing newline (as editors and `echo` write) is not part of the key.
    const key = text.split(/\r?\n/, 1)[0];
    if (key === "") throw new CommandError(`--api-key-file '${file}' holds no key on its first line`, { exitCode: 2 });
    return key;
  }
  const fromEnv = env(API_KEY_ENV);
  if (fromEnv === undefined) return undefined;
  if (fromEnv === "") throw new UsageError(`${API_KEY_ENV} is set but empty`, command);
  return fromEnv;
}
