/**
 * Files: whole text files (certificates, keys, stats output), files read straight into
 * the caller's memory (captures), files written in order, and whether an output can be
 * written at all. `node:fs` behaves the same on Node, Deno and Bun
 * for this, so one implementation serves all three runtimes.
 *
 * @module
 */
import { process } from "./_shared/global_process.ts";

// `node:fs` as Node's own module object, not through an import: Node builds an import's
// ES module facade by reading every export, and `fs.promises` then loads
// `node:fs/promises`, which brings readline, the REPL's history and a dozen stream
// modules with it (`node:fs` itself is loaded with Node; Deno and Bun have
// getBuiltinModule too).
const { close, fstat, open, read, readFile, readSync, rm, stat, unlink, write, writeFile } = process
  .getBuiltinModule("node:fs");

/**
 * Node's callback form of a file call, as a promise (see above for why not
 * `node:fs/promises`): `start` gets the callback to hand to the call, which settles the
 * promise with the call's first result (none for calls that give none).
 */
function settle<T = void>(start: (callback: (error: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value as T))));
}

/** Reads a whole file as UTF-8 text (PEM certificates and keys, say). */
export function readTextFile(path: string): Promise<string> {
  return settle<string>((done) => readFile(path, "utf8", done));
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
  return settle((done) => writeFile(path, text, "utf8", done));
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
  const info = await settle<{ isDirectory(): boolean; size: number }>((done) => stat(path, done));
  // stat() succeeds on a directory; reading it fails later, mid-output. Say it now.
  if (info.isDirectory()) throw Object.assign(new Error(`'${path}' is a directory`), { code: "EISDIR" });
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
export async function openFileReader(path: string): Promise<FileReader> {
  const fd = await settle<number>((done) => open(path, "r", done));
  let regular: boolean;
  try {
    regular = (await settle<{ isFile(): boolean }>((done) => fstat(fd, done))).isFile();
  } catch (error) {
    await closeFd(fd);
    throw error;
  }
  return {
    read: (into: Uint8Array, offset: number, length: number): Promise<number> =>
      settle<number>((done) => read(fd, into, offset, length, null, done)),
    regular,
    readSync: (into: Uint8Array, offset: number, length: number): number => readSync(fd, into, offset, length, null),
    close: () => closeFd(fd),
  };
}

function closeFd(fd: number): Promise<void> {
  return settle((done) => close(fd, done));
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
export async function openFileWriter(path: string): Promise<FileWriter> {
  const fd = await settle<number>((done) => open(path, "w", done));
  return {
    async write(bytes: Uint8Array): Promise<void> {
      let written = 0;
      while (written < bytes.length) {
        written += await settle<number>((done) => write(fd, bytes, written, bytes.length - written, null, done));
      }
    },
    close: () => closeFd(fd),
  };
}

/**
 * Removes a file, if it is there: what a command wrote before it failed.
 *
 * @param path The file.
 */
export async function removeFile(path: string): Promise<void> {
  await settle((done) => rm(path, { force: true }, done));
}

/**
 * Whether a file can be written, found out before a long run rather than at its end:
 * opens `path` for writing and closes it again, changing nothing (a file that was not
 * there is created and removed, one that was is opened for appending and left as it was).
 *
 * @throws {Error} The runtime's error when the file cannot be written (`ENOENT` for a
 * missing folder, `EACCES`, `EISDIR`, Deno's `NotCapable` …).
 */
export async function probeWritableFile(path: string): Promise<void> {
  try {
    await closeFd(await settle<number>((done) => open(path, "wx", done)));
    await settle((done) => unlink(path, done));
    return;
  } catch (error) {
    if ((error as { code?: string } | null)?.code !== "EEXIST") throw error;
  }
  await closeFd(await settle<number>((done) => open(path, "a", done)));
}
