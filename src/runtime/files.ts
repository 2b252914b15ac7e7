/**
 * Files: whole text files (certificates, keys, stats output), files read straight into
 * the caller's memory (captures), files written in order, and whether an output can be
 * written at all. Node and Bun go through `node:fs` (_shared/node_files.ts), Deno
 * through its own API (deno/files.ts), which starts faster there.
 *
 * @module
 */
import { nodeFiles } from "./_shared/node_files.ts";
import { denoFiles } from "./deno/files.ts";
import { detectRuntime } from "./detect.ts";

/** One runtime's file calls, behind the functions below. */
export interface FileSystem {
  readTextFile(path: string): Promise<string>;
  writeTextFile(path: string, text: string): Promise<void>;
  stat(path: string): Promise<{ isDirectory: boolean; size: number }>;
  openReader(path: string): Promise<FileReader>;
  openWriter(path: string): Promise<FileWriter>;
  removeFile(path: string): Promise<void>;
  probeWritableFile(path: string): Promise<void>;
}

const files: FileSystem = detectRuntime().name === "deno" ? denoFiles : nodeFiles;

/** Reads a whole file as UTF-8 text (PEM certificates and keys, say). */
export function readTextFile(path: string): Promise<string> {
  return files.readTextFile(path);
}

/** What went wrong with a file, in a few words for a one-line message ("no such file"). */
export function fileErrorReason(error: unknown): string {
  switch ((error as { code?: string } | null)?.code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    default:
      return (error as Error).message;
  }
}

/** Writes `text` to a file as UTF-8, replacing what was there. */
export function writeTextFile(path: string, text: string): Promise<void> {
  return files.writeTextFile(path, text);
}

/**
 * The size of a file in bytes.
 * @param path The file.
 * @returns Its size.
 * @throws {Error} When the file does not exist or cannot be examined.
 * @example
 * ```ts
 * import { fileSize } from "./files.ts";
 * console.assert((await fileSize("deno.json")) > 0);
 * ```
 */
export async function fileSize(path: string): Promise<number> {
  const info = await files.stat(path);
  // stat() succeeds on a directory; reading it fails later, mid-output. Say it now.
  if (info.isDirectory) throw Object.assign(new Error(`'${path}' is a directory`), { code: "EISDIR" });
  return info.size;
}

/** A file open for reading into caller-provided memory. */
export interface FileReader {
  /**
   * Reads the next bytes of the file into `into[offset, offset + length)`.
   * @returns How many bytes were read; 0 at the end of the file.
   */
  read(into: Uint8Array, offset: number, length: number): Promise<number>;
  /**
   * Whether the file is a regular file, whose reads never wait for a writer (unlike a
   * pipe or a terminal): only then may {@linkcode FileReader.readSync} be used.
   */
  readonly regular: boolean;
  /**
   * Reads like {@linkcode FileReader.read}, blocking: for a regular file a read from the
   * page cache takes less time than handing it to a thread and back.
   */
  readSync(into: Uint8Array, offset: number, length: number): number;
  /** Closes the file. */
  close(): Promise<void>;
}

/**
 * Opens a file for sequential reads straight into the caller's memory (such as a
 * WebAssembly input buffer), saving the copy that reading into buffers of its own
 * would need.
 *
 * @param path The file.
 * @returns The reader.
 * @throws {Error} When the file cannot be opened.
 * @example
 * ```ts
 * import { openFileReader } from "./files.ts";
 * const reader = await openFileReader("deno.json");
 * const buffer = new Uint8Array(16);
 * console.assert((await reader.read(buffer, 0, 16)) > 0);
 * await reader.close();
 * ```
 */
export function openFileReader(path: string): Promise<FileReader> {
  return files.openReader(path);
}

/** A file open for writing from its start, written in order. */
export interface FileWriter {
  /** Appends `bytes` to the file. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the file. */
  close(): Promise<void>;
}

/**
 * Creates (or empties) a file for sequential writes, such as a capture written as it is
 * filtered.
 *
 * @param path The file.
 * @returns The writer.
 * @throws {Error} When the file cannot be created.
 */
export function openFileWriter(path: string): Promise<FileWriter> {
  return files.openWriter(path);
}

/**
 * Removes a file, if it is there: what a command wrote before it failed.
 *
 * @param path The file.
 */
export function removeFile(path: string): Promise<void> {
  return files.removeFile(path);
}

/**
 * Whether a file can be written, found out before a long run rather than at its end:
 * opens `path` for writing and closes it again, changing nothing (a file that was not
 * there is created and removed, one that was is opened for appending and left as it was).
 *
 * @throws {Error} The runtime's error when the file cannot be written (`ENOENT` for a
 * missing folder, `EACCES`, `EISDIR`, Deno's `NotCapable` …).
 */
export function probeWritableFile(path: string): Promise<void> {
  return files.probeWritableFile(path);
}
