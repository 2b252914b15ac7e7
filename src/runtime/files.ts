/**
 * Files: whole text files (certificates, keys, stats output) and files as streams of
 * chunks (captures). `node:fs` behaves the same on Node, Deno and Bun for this, so one
 * implementation serves all three runtimes.
 *
 * @module
 */
import { open, readFile, stat, writeFile } from "node:fs/promises";

/** Reads a whole file as UTF-8 text (PEM certificates and keys, say). */
export function readTextFile(path: string): Promise<string> {
  return readFile(path, "utf8");
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
  return writeFile(path, text, "utf8");
}

/** Options for {@linkcode readFileChunks}. */
export interface ReadFileChunksOptions {
  /** Bytes read per call. @default {1048576} */
  chunkSize?: number;
}

/**
 * Reads a file from start to end in chunks. Two buffers are refilled in turn (the next
 * read runs while the consumer works on the current chunk), so memory stays constant
 * however large the file: a consumer must copy or use each chunk before asking for the
 * next.
 *
 * @param path The file.
 * @param options The chunk size.
 * @returns The chunks in order.
 * @throws {Error} When the file cannot be opened or read (the runtime's error).
 * @example Count a file's bytes
 * ```ts
 * import { readFileChunks } from "./files.ts";
 * let n = 0;
 * for await (const chunk of readFileChunks("deno.json")) n += chunk.length;
 * console.assert(n > 0);
 * ```
 */
export async function* readFileChunks(path: string, options: ReadFileChunksOptions = {}): AsyncGenerator<Uint8Array> {
  const size = options.chunkSize ?? 1048576;
  const handle = await open(path, "r");
  const buffers = [new Uint8Array(size), new Uint8Array(size)];
  let which = 0;
  let pending = handle.read(buffers[0], 0, size, null);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) return;
      const current = buffers[which];
      which ^= 1;
      pending = handle.read(buffers[which], 0, size, null);
      yield current.subarray(0, bytesRead);
    }
  } finally {
    // A consumer that stops early leaves a read in flight: let it finish before closing.
    await pending.catch(() => undefined);
    await handle.close();
  }
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
  const info = await stat(path);
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
  /** Closes the file. */
  close(): Promise<void>;
}

/**
 * Opens a file for sequential reads straight into the caller's memory (such as a
 * WebAssembly input buffer), saving the copy that chunks of {@linkcode readFileChunks}
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
  const handle = await open(path, "r");
  return {
    async read(into: Uint8Array, offset: number, length: number): Promise<number> {
      return (await handle.read(into, offset, length, null)).bytesRead;
    },
    close: () => handle.close(),
  };
}
