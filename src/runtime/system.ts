/**
 * Read-only access to the operating system's own files (`/proc` on Linux), for tools
 * such as netstat. `node:fs/promises` behaves the same on Node, Deno and Bun here.
 *
 * @module
 */
import { readdir, readFile, readlink } from "node:fs/promises";

function isMissing(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  // ENOENT: gone (a process exited while we looked); EACCES/EPERM: another user's.
  // Deno reports some of these by error name rather than code.
  const name = (error as { name?: string }).name;
  return code === "ENOENT" || code === "EACCES" || code === "EPERM" || code === "ESRCH" ||
    name === "NotFound" || name === "PermissionDenied";
}

/** Reads a text file; `undefined` when it does not exist or may not be read. */
export async function readSystemFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Lists a directory's entry names; `[]` when it does not exist or may not be read. */
export async function listSystemDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if (isMissing(error) || (error as { code?: string }).code === "ENOTDIR") return [];
    throw error;
  }
}

/** Reads a symbolic link's target; `undefined` when it cannot be read. */
export async function readSystemLink(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch (error) {
    if (isMissing(error) || (error as { code?: string }).code === "EINVAL") return undefined;
    throw error;
  }
}
