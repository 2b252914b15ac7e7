/**
 * Shared by `pcap decode` and `pcap stats`: checks the capture path before decoding, so
 * a missing file is one clear line instead of an error in the middle of output.
 *
 * @module
 */
import { CommandError } from "../command.ts";
import { fileErrorReason, fileSize } from "../../runtime/files.ts";

/** The size of the capture file, or a CommandError naming it and what is wrong. */
export async function checkCaptureFile(path: string): Promise<number> {
  try {
    return await fileSize(path);
  } catch (error) {
    throw new CommandError(`cannot read capture '${path}': ${fileErrorReason(error)}`, { cause: error });
  }
}
