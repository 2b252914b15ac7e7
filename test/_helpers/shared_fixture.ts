/**
 * Fixtures that are slow to make and the same for every leg (a packed tarball, a project
 * that installed anynet from a git URL), made once per test run and shared by the legs.
 *
 * scripts/test.ts gives every test process the same folder in ANYNET_TEST_FIXTURES and
 * removes it when the run ends. A test file run by hand gets a folder of its own, removed
 * when the process exits. Two legs may ask for the same fixture at once: the first makes
 * it under a lock (a directory, which only one process can create), the other waits.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

let own: string | undefined;

function fixturesRoot(): string {
  if (process.env.ANYNET_TEST_FIXTURES) return process.env.ANYNET_TEST_FIXTURES;
  if (own === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "anynet-fixtures-"));
    own = dir;
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return own;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * The folder of the fixture `name`, made by `make(folder)` the first time any leg of this
 * run asks for it.
 *
 * @throws {Error} What `make` threw, for the leg that made it and for every leg after.
 */
export function sharedFixture(name: string, make: (folder: string) => void, waitMs = 600_000): string {
  const base = fixturesRoot();
  const folder = join(base, name);
  const ready = join(base, `${name}.ready`);
  const failed = join(base, `${name}.failed`);
  const lock = join(base, `${name}.lock`);
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (existsSync(ready)) return folder;
    if (existsSync(failed)) throw new Error(`fixture '${name}' could not be made:\n${readFileSync(failed, "utf8")}`);
    try {
      mkdirSync(lock);
    } catch {
      // Another leg is making it.
      if (Date.now() > deadline) throw new Error(`fixture '${name}': gave up waiting for ${lock}`);
      Atomics.wait(sleeper, 0, 0, 200);
      continue;
    }
    try {
      rmSync(folder, { recursive: true, force: true });
      mkdirSync(folder, { recursive: true });
      make(folder);
      writeFileSync(ready, "");
      return folder;
    } catch (error) {
      writeFileSync(failed, error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** What a command run by {@linkcode sharedRun} printed, and how it ended. */
export interface SharedRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` once per test run (for the first leg that asks, in `cwd`) and gives every
 * leg what it printed: for commands whose outcome does not depend on the leg (npm pack,
 * deno publish --dry-run), which then run once instead of once per leg.
 */
export function sharedRun(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): SharedRun {
  const folder = sharedFixture(`run-${name}`, (into) => {
    const run = spawnSync(command, args, { ...options, encoding: "utf8", maxBuffer: 64 << 20 });
    if (run.error) throw run.error;
    const result: SharedRun = { status: run.status, stdout: run.stdout, stderr: run.stderr };
    writeFileSync(join(into, "run.json"), JSON.stringify(result));
  });
  return JSON.parse(readFileSync(join(folder, "run.json"), "utf8"));
}
