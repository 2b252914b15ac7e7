/**
 * Reads a small text file (a PEM certificate or key) on any runtime: `node:fs/promises`
 * works the same on Node, Deno and Bun.
 *
 * @module
 */
import { readFile } from "node:fs/promises";

/** Reads a UTF-8 text file whole. Rejects with the runtime's error (`code` ENOENT, EACCES …). */
export function readTextFile(path: string): Promise<string> {
  return readFile(path, "utf8");
}
