/**
 * Files as a static file server reads them: where a path really leads (symbolic links
 * resolved), what it is (size, modification time, file or directory), and a byte range
 * of it as a stream read on demand. `node:fs` behaves the same on Node, Deno and Bun for
 * this, so one implementation serves all three runtimes, but for how a body is handed to
 * the server ({@linkcode fileBody}).
 *
 * @module
 */
import { openAsBlob } from "node:fs";
import { open, realpath, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { detectRuntime } from "./detect.ts";

/** What a path names, as a static file server needs to know it. */
export interface StaticEntry {
  /** The path with every symbolic link resolved. */
  realPath: string;
  /** Size in bytes. */
  size: number;
  /** Last modification, in milliseconds since the epoch. */
  mtimeMs: number;
  /** A regular file (false for a directory or anything else). */
  isFile: boolean;
  /** A directory. */
  isDirectory: boolean;
}

/** `path` made absolute against the working directory, without resolving links. */
export function absolutePath(path: string): string {
  return resolve(path);
}

/**
 * What `path` names after every symbolic link is resolved, or undefined when nothing is
 * there (or a link dangles, or a component is not a directory).
 *
 * @throws {Error} For failures other than absence (permission denied, say).
 */
export async function statEntry(path: string): Promise<StaticEntry | undefined> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    if (isAbsence(error)) return undefined;
    throw error;
  }
  const info = await stat(real).catch((error) => {
    if (isAbsence(error)) return undefined;
    throw error;
  });
  if (!info) return undefined;
  return {
    realPath: real,
    size: info.size,
    mtimeMs: info.mtimeMs,
    isFile: info.isFile(),
    isDirectory: info.isDirectory(),
  };
}

/** Whether an error says that a path leads nowhere. */
function isAbsence(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP" || code === "ENAMETOOLONG";
}

/** How much one read takes from a file: large enough for throughput, small enough to stream. */
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * Bytes `start` to `end` (inclusive) of a file as a stream. The file is opened on the
 * first read and closed at the end, on an error or when the reader cancels, so a
 * response that is never sent holds no descriptor; each read waits for the reader
 * (backpressure), so a large file is never held in memory.
 *
 * @param path The file (already checked to be a regular file).
 * @param start First byte.
 * @param end Last byte, inclusive.
 */
export function fileRangeStream(path: string, start: number, end: number): ReadableStream<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let position = start;
  const close = async (): Promise<void> => {
    const open = handle;
    handle = undefined;
    await open?.close().catch(() => {});
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        handle ??= await open(path, "r");
        const wanted = Math.min(READ_CHUNK_BYTES, end + 1 - position);
        const buffer = new Uint8Array(wanted);
        const { bytesRead } = await handle.read(buffer, 0, wanted, position);
        // A file that shrank since its size was read ends the body early: the client
        // sees a short body rather than a server that hangs.
        if (bytesRead === 0) throw new Error("the file shrank while it was being sent");
        position += bytesRead;
        controller.enqueue(bytesRead === wanted ? buffer : buffer.subarray(0, bytesRead));
        if (position > end) {
          await close();
          controller.close();
        }
      } catch (error) {
        await close();
        controller.error(error);
      }
    },
    cancel: close,
  }, { highWaterMark: 0 });
}

/**
 * Bun sends a file-backed Blob from the kernel with its `Content-Length`, but drops the
 * `Content-Length` of a stream body (it sends it chunked). Node and Deno keep it, and
 * Deno's `openAsBlob()` reads the whole file into memory: they get the stream.
 */
const FILE_BLOBS = detectRuntime().name === "bun";

/**
 * Bytes `start` to `end` (inclusive) of a file as a response body: up to 64 KiB read at
 * once; more is read as it is sent, never held whole in memory: a file-backed Blob on
 * Bun, a stream elsewhere ({@linkcode fileRangeStream}).
 */
export async function fileBody(
  path: string,
  start: number,
  end: number,
): Promise<Uint8Array | Blob | ReadableStream<Uint8Array>> {
  if (end + 1 - start <= READ_CHUNK_BYTES) return await readRange(path, start, end);
  if (FILE_BLOBS) return (await openAsBlob(path)).slice(start, end + 1);
  return fileRangeStream(path, start, end);
}

/**
 * Bytes `start` to `end` of a small file in one read: a body that is all there lets the
 * server send it in one write with its length, which for small files is most of the
 * cost. Fewer bytes come back when the file shrank since its size was read.
 */
async function readRange(path: string, start: number, end: number): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const buffer = new Uint8Array(end + 1 - start);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === buffer.length ? buffer : buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
