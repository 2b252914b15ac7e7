/**
 * The PEM files the commands take by flag (`--cert`, `--key`, `--ca`): read through the
 * runtime's file access, with one-line errors that name the flag and the file.
 *
 * @module
 */
import { CommandError } from "../command.ts";
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
