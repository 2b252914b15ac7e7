import { readFile } from "node:fs/promises";

/**
 * Reads a text file (a PEM certificate, say) for the CLI; `node:fs/promises` works the
 * same on Node, Deno and Bun.
 */
export function readTextFile(path: string): Promise<string> {
  return readFile(path, "utf8");
}
