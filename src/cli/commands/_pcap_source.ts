/**
 * Shared by `pcap decode` and `pcap stats`: checks the capture path before decoding, so
 * a missing file is one clear line instead of an error in the middle of output.
 *
 * @module
 */
import { CommandError } from "../command.ts";
import { fileSize } from "../../runtime/files.ts";

/** The size of the capture file, or a CommandError naming it and what is wrong. */
export async function checkCaptureFile(path: string): Promise<number> {
  try {
    return await fileSize(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === "ENOENT"
      ? "no such file"
      : code === "EACCES"
      ? "permission denied"
      : code === "EISDIR"
      ? "is a directory"
      : (error as Error).message;
    throw new CommandError(`cannot read capture '${path}': ${why}`, { cause: error });
  }
}
