/**
 * Files as streams of chunks. `node:fs` behaves the same on Node, Deno and Bun for
 * this, so one implementation serves all three runtimes.
 *
 * @module
 */
import { open, stat } from "node:fs/promises";

/** Options for {@linkcode readFileChunks}. */
export interface ReadFileChunksOptions {
  /** Bytes read per call. @default {1048576} */
  chunkSize?: number;
}

/**
 * Reads a file from start to end in chunks. The same buffer is refilled for every
 * chunk, so memory stays constant however large the file: a consumer must copy or use
 * each chunk before asking for the next.
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
  try {
    const buffer = new Uint8Array(size);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, size, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
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
  return (await stat(path)).size;
}
