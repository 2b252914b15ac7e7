/**
 * Small helpers the project scripts share: run a command, read JSON, paths from the root.
 * The scripts run under Deno (`deno run -A scripts/….ts`), which `npm install` provides.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root. */
export const root: string = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A path under the project root. */
export function fromRoot(...parts: string[]): string {
  return join(root, ...parts);
}

/** A binary from node_modules/.bin. */
export function bin(name: string): string {
  return fromRoot("node_modules", ".bin", name);
}

/** Reads and parses a JSON file under the root. */
export function readJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(fromRoot(path), "utf8")) as T;
}

/** Runs a command with inherited output; exits the script with a message if it fails. */
export function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`${what} failed (${[command, ...args].join(" ")}: exit ${result.status ?? result.signal})`);
    Deno.exit(1);
  }
}
