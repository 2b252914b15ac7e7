/**
 * Files a command writes when it ends (`proxy --stats-json`): checked when it starts,
 * so that a run does not end by losing what it was for.
 *
 * @module
 */
import { fileErrorReason, probeWritableFile } from "../../runtime/files.ts";
import { permissions } from "../../runtime/permissions.ts";
import { CommandError } from "../command.ts";

/**
 * Fails at once, naming the flag and the path, when the file that `--FLAG PATH` names
 * could not be written: the runtime does not allow it (with the flag to add), or the
 * file system refuses (no such folder, permission denied, a directory).
 */
export async function checkOutputFile(flag: string, path: string): Promise<void> {
  const missing = permissions.missingWrite(path);
  if (missing) {
    throw new CommandError(
      `cannot write --${flag} ${path}: ${missing.runtime} is not allowed to write it; ` +
        `add ${missing.flag} to the ${missing.runtime.toLowerCase()} command line`,
    );
  }
  try {
    await probeWritableFile(path);
  } catch (error) {
    throw new CommandError(`cannot write --${flag} ${path}: ${writeErrorReason(error)}`, { cause: error });
  }
}

function writeErrorReason(error: unknown): string {
  // ENOENT when creating a file means its folder is missing.
  return (error as { code?: string } | null)?.code === "ENOENT" ? "no such folder" : fileErrorReason(error);
}
