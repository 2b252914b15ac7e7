/**
 * Runs the `anynet` CLI as a user would, on the runtime under test:
 * `node dist/cli.js`, `deno run -A src/cli.ts` or `bun src/cli.ts`.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { nodeWarning, root, testRuntime } from "./env.ts";

/** What a finished CLI run gave. */
export interface CliResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** The command and leading arguments that start the CLI on the runtime under test. */
export function cliCommand(): [string, string[]] {
  switch (testRuntime) {
    case "node":
      return [process.execPath, [join(root, "dist", "cli.js")]];
    case "deno":
      return [process.execPath, ["run", "-A", "--no-lock", join(root, "src", "cli.ts")]];
    case "bun":
      return [process.execPath, [join(root, "src", "cli.ts")]];
  }
}

/** Options for {@linkcode runCli}. */
export interface RunCliOptions {
  /** Text for standard input (closed at once when absent). */
  input?: string;
  /** Kill the process after this long. @default 30000 */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** Runs the CLI to completion and collects its output. Rejects if it outlives the timeout. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const [command, prefix] = cliCommand();
  return runCommand(command, [...prefix, ...args], options, `anynet ${args.join(" ")}`);
}

/**
 * Runs any program to completion in the project root and collects its output (for
 * the CLI started some other way than {@linkcode runCli}). Rejects if it outlives the
 * timeout; `label` names it in that message.
 */
export function runCommand(
  command: string,
  args: string[],
  options: RunCliOptions = {},
  label = `${command} ${args.join(" ")}`,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timeoutMs = options.timeoutMs ?? 30000;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${label} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const warning = nodeWarning(stderr);
      if (warning) reject(new Error(`${label} printed a runtime warning: ${warning}\nstderr: ${stderr}`));
      else resolve({ code, signal, stdout, stderr });
    });
    // A program may exit without reading its input (mkfifo, a pipeline that closed it):
    // writing to it then fails with EPIPE, which is not the test's failure.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
  });
}

/**
 * Runs the CLI's `main()` in this process, with standard output and error collected:
 * for cases whose subject is what the CLI says about its arguments (usage mistakes, bad
 * values), where starting a runtime for each would only repeat the start-up that
 * {@linkcode runCli} cases check. Nothing here is isolated from this process: use it
 * only for runs that do not read the environment, standard input or the network, and
 * that end by themselves. Callers run the first case of a list through {@linkcode runCli}, so
 * that the process's own exit code and output are still checked once.
 */
export async function runMain(args: string[]): Promise<CliResult> {
  const { commands, main } = await import("anynet/cli");
  let stdout = "", stderr = "";
  const code = await main(args, {
    out: (text) => {
      stdout += typeof text === "string" ? text : new TextDecoder().decode(text);
      return Promise.resolve();
    },
    err: (text) => {
      stderr += text;
      return Promise.resolve();
    },
    // A run that wrongly gets past its arguments and starts serving is stopped, not left to hang the file.
    signal: AbortSignal.timeout(10_000),
  }, commands);
  return { code, signal: null, stdout, stderr };
}
