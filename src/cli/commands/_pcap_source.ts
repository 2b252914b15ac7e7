/**
 * Shared by the `pcap` commands: where the capture comes from. A path is checked before
 * decoding, so a missing file is one clear line instead of an error in the middle of
 * output; `-` is standard input, read as it arrives (a live `tcpdump -w -`).
 *
 * @module
 */
import { CommandError, type FlagSpec, type PositionalSpec } from "../command.ts";
import { fileErrorReason, fileSize } from "../../runtime/files.ts";
import { readStdin } from "../../runtime/stdin.ts";
import type { CaptureSource } from "../../packet/open_capture.ts";
import { CaptureError } from "../../packet/capture_error.ts";

/** The FILE argument of every `pcap` command. */
export const CAPTURE_FILE: PositionalSpec = {
  name: "FILE",
  description: "The pcap or pcapng file (gzip-compressed too); - reads standard input",
};

/** `--engine` of every `pcap` command: which decoder implementation runs. */
export const ENGINE_FLAG: FlagSpec = {
  name: "engine",
  type: "string",
  choices: ["wasm", "ts"],
  default: "wasm",
  description: "Decoder implementation",
};

/** The FILE argument that stands for standard input. */
export const STDIN = "-";

/** The size of the capture file, or a CommandError naming it and what is wrong. */
export async function checkCaptureFile(path: string): Promise<number> {
  try {
    return await fileSize(path);
  } catch (error) {
    throw new CommandError(`cannot read capture '${path}': ${fileErrorReason(error)}`, { cause: error });
  }
}

/**
 * The capture that FILE names: the path (checked) or, for `-`, standard input until it
 * ends or `signal` aborts. `size` is the file's size (0 for standard input).
 */
export async function captureSource(
  path: string,
  signal: AbortSignal,
): Promise<{ source: CaptureSource; size: number }> {
  if (path === STDIN) return { source: readStdin(signal), size: 0 };
  return { source: path, size: await checkCaptureFile(path) };
}

/** How a capture is named in messages: quoted, or "standard input". */
export function captureName(path: string): string {
  return path === STDIN ? "standard input" : `'${path}'`;
}

/** What comes before the message of a capture damaged at the file level: its path, or "standard input". */
export function captureLabel(path: string): string {
  return path === STDIN ? "standard input" : path;
}

/**
 * The one-line error for a capture that failed while being read: damage at the file
 * level with its offset, or what else went wrong (a damaged gzip stream, a read error).
 */
export function captureFailure(path: string, error: unknown): CommandError {
  if (error instanceof CaptureError) {
    return new CommandError(`${captureLabel(path)}: ${error.message}`, { cause: error });
  }
  return new CommandError(`cannot read capture ${captureName(path)}: ${(error as Error).message}`, { cause: error });
}
