/**
 * Whether a file can be written, found out before a long run rather than at its end.
 * `node:fs` behaves the same on Node, Deno and Bun for this.
 *
 * @module
 */
import { open, unlink } from "node:fs/promises";

/**
 * Opens `path` for writing and closes it again, changing nothing: a file that was not
 * there is created and removed, one that was is opened for appending and left as it
 * was.
 *
 * @throws {Error} The runtime's error when the file cannot be written (`ENOENT` for a
 * missing folder, `EACCES`, `EISDIR`, Deno's `NotCapable` …).
 */
export async function probeWritableFile(path: string): Promise<void> {
  try {
    const created = await open(path, "wx");
    await created.close();
    await unlink(path);
    return;
  } catch (error) {
    if ((error as { code?: string } | null)?.code !== "EEXIST") throw error;
  }
  const existing = await open(path, "a");
  await existing.close();
}
