/**
 * Files on Deno, through its own API: `node:fs` would do the same, but loading it starts
 * Node's compatibility layer and takes about 50 ms in all (see runtime/files.ts for what
 * each call promises). Deno's errors carry the same `code`s as Node's (`ENOENT`,
 * `EISDIR`, `EEXIST` …).
 *
 * @module
 */
import type { FileReader, FileSystem, FileWriter } from "../files.ts";
import { deno } from "./deno_api.ts";

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/** Deno's files. */
export const denoFiles: FileSystem = {
  readTextFile: (path) => deno().readTextFile(path),
  writeTextFile: (path, text) => deno().writeTextFile(path, text),
  async stat(path) {
    const { isDirectory, size } = await deno().stat(path);
    return { isDirectory, size };
  },
  async openReader(path): Promise<FileReader> {
    const file = await deno().open(path, { read: true });
    let regular: boolean;
    try {
      regular = (await file.stat()).isFile;
    } catch (error) {
      file.close();
      throw error;
    }
    return {
      read: async (into, offset, length) => (await file.read(into.subarray(offset, offset + length))) ?? 0,
      regular,
      readSync: (into, offset, length) => file.readSync(into.subarray(offset, offset + length)) ?? 0,
      close: () => Promise.resolve(file.close()),
    };
  },
  async openWriter(path): Promise<FileWriter> {
    const file = await deno().open(path, { write: true, create: true, truncate: true });
    return {
      async write(bytes) {
        for (let written = 0; written < bytes.length;) written += await file.write(bytes.subarray(written));
      },
      close: () => Promise.resolve(file.close()),
    };
  },
  async removeFile(path) {
    try {
      await deno().remove(path);
    } catch (error) {
      if (codeOf(error) !== "ENOENT") throw error;
    }
  },
  async probeWritableFile(path) {
    try {
      (await deno().open(path, { write: true, createNew: true })).close();
      await deno().remove(path);
      return;
    } catch (error) {
      if (codeOf(error) !== "EEXIST") throw error;
    }
    (await deno().open(path, { append: true })).close();
  },
};
