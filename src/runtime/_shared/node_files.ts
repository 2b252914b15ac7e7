/**
 * Files on Node and Bun, through `node:fs` (see runtime/files.ts for what each call
 * promises).
 *
 * @module
 */
import type { FileReader, FileSystem, FileWriter } from "../files.ts";
import { globalProcess } from "./global_process.ts";

let loaded: typeof import("node:fs") | undefined;
/**
 * `node:fs` as Node's own module object, not through an import: Node builds an import's
 * ES module facade by reading every export, and `fs.promises` then loads
 * `node:fs/promises`, which brings readline, the REPL's history and a dozen stream
 * modules with it (`node:fs` itself is loaded with Node; Bun has getBuiltinModule too).
 */
export function nodeFs(): typeof import("node:fs") {
  return loaded ??= globalProcess().getBuiltinModule("node:fs");
}

/**
 * Node's callback form of a file call, as a promise (see above for why not
 * `node:fs/promises`): `start` gets the callback to hand to the call, which settles the
 * promise with the call's first result (none for calls that give none).
 */
function settle<T = void>(start: (callback: (error: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value as T))));
}

function closeFd(fd: number): Promise<void> {
  return settle((done) => nodeFs().close(fd, done));
}

/** `node:fs`, for Node and Bun. */
export const nodeFiles: FileSystem = {
  readTextFile: (path) => settle<string>((done) => nodeFs().readFile(path, "utf8", done)),
  writeTextFile: (path, text) => settle((done) => nodeFs().writeFile(path, text, "utf8", done)),
  async stat(path) {
    const info = await settle<{ isDirectory(): boolean; size: number }>((done) => nodeFs().stat(path, done));
    return { isDirectory: info.isDirectory(), size: info.size };
  },
  async openReader(path): Promise<FileReader> {
    const { fstat, read, readSync } = nodeFs();
    const fd = await settle<number>((done) => nodeFs().open(path, "r", done));
    let regular: boolean;
    try {
      regular = (await settle<{ isFile(): boolean }>((done) => fstat(fd, done))).isFile();
    } catch (error) {
      await closeFd(fd);
      throw error;
    }
    return {
      read: (into, offset, length) => settle<number>((done) => read(fd, into, offset, length, null, done)),
      regular,
      readSync: (into, offset, length) => readSync(fd, into, offset, length, null),
      close: () => closeFd(fd),
    };
  },
  async openWriter(path): Promise<FileWriter> {
    const fd = await settle<number>((done) => nodeFs().open(path, "w", done));
    return {
      async write(bytes) {
        let written = 0;
        while (written < bytes.length) {
          written += await settle<number>((done) =>
            nodeFs().write(fd, bytes, written, bytes.length - written, null, done)
          );
        }
      },
      close: () => closeFd(fd),
    };
  },
  removeFile: (path) => settle((done) => nodeFs().rm(path, { force: true }, done)),
  async probeWritableFile(path) {
    try {
      await closeFd(await settle<number>((done) => nodeFs().open(path, "wx", done)));
      await settle((done) => nodeFs().unlink(path, done));
      return;
    } catch (error) {
      if ((error as { code?: string } | null)?.code !== "EEXIST") throw error;
    }
    await closeFd(await settle<number>((done) => nodeFs().open(path, "a", done)));
  },
};
