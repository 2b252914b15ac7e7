/**
 * The PEM files the commands take by flag (`--cert`, `--key`, `--ca`): read through the
 * runtime's file access, with one-line errors that name the flag and the file.
 *
 * @module
 */
import { CommandError, type FlagSpec, type FlagValue, UsageError } from "../command.ts";
import { fileErrorReason, readTextFile } from "../../runtime/files.ts";

/** Reads a PEM file named by a flag; a one-line CommandError when it cannot. */
export async function readPemFlag(flag: string, path: string): Promise<string> {
  let text: string;
  try {
    text = await readTextFile(path);
  } catch (error) {
    throw new CommandError(`cannot read --${flag} ${path}: ${fileErrorReason(error)}`);
  }
  if (!text.includes("-----BEGIN ")) throw new CommandError(`--${flag} ${path} is not a PEM file (no -----BEGIN line)`);
  return text;
}

/** `--ca FILE` of a command that connects with `--tls`. */
export const CA_FLAG: FlagSpec = {
  name: "ca",
  type: "string",
  description: "Extra PEM CA certificate file to trust (with --tls)",
  valueName: "FILE",
  multiple: true,
};

/** The PEM texts of the `--ca` files (none without the flag); a usage error when given without `--tls`. */
export function readCaFlag(flags: Readonly<Record<string, FlagValue | undefined>>, command: string): Promise<string[]> {
  const files = (flags.ca as string[] | undefined) ?? [];
  if (files.length > 0 && flags.tls !== true) throw new UsageError("--ca only applies with --tls", command);
  return Promise.all(files.map((file) => readPemFlag("ca", file)));
}
