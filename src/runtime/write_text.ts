/**
 * Writes a small text file (a JSON report) on any runtime: `node:fs/promises` works the
 * same on Node, Deno and Bun.
 *
 * @module
 */
import { writeFile } from "node:fs/promises";

/** Writes `text` as UTF-8 to `path`, replacing the file. Rejects with the runtime's error (`code` ENOENT, EACCES …). */
export function writeTextFile(path: string, text: string): Promise<void> {
  return writeFile(path, text, "utf8");
}
