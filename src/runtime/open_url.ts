/**
 * Opens a URL in the system's browser through the desktop's opener (`xdg-open` on Linux
 * and the BSDs, `open` on macOS, `start` on Windows), without waiting for the browser.
 * `node:child_process` behaves the same on Node, Deno (with `--allow-run`) and Bun.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { platform } from "./process.ts";

/** The opener command for this system. */
function opener(url: string): [string, string[]] {
  if (platform.os === "darwin") return ["open", [url]];
  // `start` is a shell builtin; its first quoted argument is a window title.
  if (platform.os === "win32") return ["cmd", ["/c", "start", '""', url]];
  return ["xdg-open", [url]];
}

/**
 * Asks the system to open `url`.
 * @returns Undefined when the opener started, else why it could not.
 */
export function openUrl(url: string): Promise<string | undefined> {
  const [command, args] = opener(url);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command, args, { stdio: "ignore", detached: true });
    } catch (error) {
      resolve(`${command}: ${(error as Error).message}`);
      return;
    }
    child.once("error", (error: NodeJS.ErrnoException) => {
      resolve(error.code === "ENOENT" ? `${command} is not installed` : `${command}: ${error.message}`);
    });
    child.once("spawn", () => {
      child.unref();
      resolve(undefined);
    });
  });
}
