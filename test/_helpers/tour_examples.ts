/**
 * Runs the programs in examples/ as their first lines say, on the runtime under test:
 * `node FILE`, `bun FILE`, or `deno run` with exactly the permissions the file names.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { root, testRuntime } from "./env.ts";

/** The example files' directory. */
export const examplesDir: string = join(root, "examples");

/** The commands a file's header gives, by runtime: the words before the file's path. */
export function headerCommands(file: string): Record<"node" | "bun" | "deno", string[] | undefined> {
  const text = readFileSync(join(examplesDir, file), "utf8");
  const header = text.slice(0, text.search(/^import /m));
  const find = (runtime: string) => {
    const line = header.split("\n").find((l) =>
      new RegExp(`^//\\s+${runtime} .*examples/${file.replace(".", "\\.")}\\b`).test(l)
    );
    if (!line) return undefined;
    const words = line.replace(/^\/\/\s+/, "").split(/\s+/);
    return words.slice(0, words.indexOf(`examples/${file}`));
  };
  return { node: find("node"), bun: find("bun"), deno: find("deno") };
}

/** The command and arguments that run `file` on the runtime under test, from its header. */
export function exampleCommand(file: string, args: string[] = []): [string, string[]] {
  const words = headerCommands(file)[testRuntime];
  if (!words) throw new Error(`examples/${file} gives no ${testRuntime} command in its first lines`);
  // The header's first word is the runtime; run the one under test (process.execPath) with the rest.
  return [process.execPath, [...words.slice(1), join("examples", file), ...args]];
}

/** What a finished example gave. */
export interface ExampleResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let stdout = "", stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  return { stdout: () => stdout, stderr: () => stderr };
}

function spawnExample(file: string, args: string[]): ChildProcess {
  const [command, argv] = exampleCommand(file, args);
  // NO_COLOR: Deno colours its permission errors otherwise.
  return spawn(command, argv, { cwd: root, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs an example to its end (killed after `timeoutMs`, which rejects). */
export function runExample(file: string, args: string[] = [], timeoutMs = 30000): Promise<ExampleResult> {
  const child = spawnExample(file, args);
  const out = collect(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `examples/${file} ${args.join(" ")} did not finish within ${timeoutMs} ms\n${out.stdout()}${out.stderr()}`,
        ),
      );
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: out.stdout(), stderr: out.stderr() });
    });
  });
}

/** A server example that is running. */
export interface RunningExample {
  /** The port from its `listening on HOST:PORT` line. */
  port: number;
  /** Its output so far. */
  stdout(): string;
  stderr(): string;
  /** Sends SIGTERM and resolves to the exit code and the whole output once it has exited. */
  stop(): Promise<ExampleResult>;
}

/** Starts a server example and resolves once it prints `listening on HOST:PORT`. */
export function startServerExample(file: string, args: string[] = [], timeoutMs = 20000): Promise<RunningExample> {
  const child = spawnExample(file, args);
  const out = collect(child);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`examples/${file}: ${why}\nstdout: ${out.stdout()}\nstderr: ${out.stderr()}`));
    };
    const timer = setTimeout(() => fail(`no 'listening on' line within ${timeoutMs} ms`), timeoutMs);
    child.on("error", (error) => fail(error.message));
    let listening = false;
    void exited.then((code) => listening || fail(`exited with code ${code} before listening`));
    child.stdout!.on("data", () => {
      const match = /listening on (\S+):(\d+)$/m.exec(out.stdout());
      if (!match || listening) return;
      listening = true;
      clearTimeout(timer);
      resolve({
        port: Number(match[2]),
        stdout: out.stdout,
        stderr: out.stderr,
        async stop() {
          // process.kill, not child.kill: Deno's child_process reports a child it sent a
          // signal with child.kill() as killed by it, even when the child exited 0.
          if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
            process.kill(child.pid, "SIGTERM");
          }
          const killer = setTimeout(() => child.kill("SIGKILL"), 10000);
          const code = await exited;
          clearTimeout(killer);
          return { code, stdout: out.stdout(), stderr: out.stderr() };
        },
      });
    });
  });
}
