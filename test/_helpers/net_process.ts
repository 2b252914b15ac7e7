/**
 * Long-running CLI processes for network tests: start `anynet echo-server --port 0` on
 * any runtime, wait for its `listening on HOST:PORT` line, stop it with a signal.
 *
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { devBin, nodeWarning, onPath, root, testNode, testRuntime } from "./env.ts";

/** A runtime the CLI can run on. */
export type CliRuntime = "node" | "deno" | "bun";

/** The command and leading arguments that start the CLI on `runtime` (any of the three, not only the one under test). */
export function cliCommandFor(runtime: CliRuntime): [string, string[]] {
  switch (runtime) {
    case "node":
      return [testNode, [join(root, "dist", "cli.js")]];
    case "deno":
      return [devBin("deno"), ["run", "-A", "--no-lock", join(root, "src", "cli.ts")]];
    case "bun":
      return [devBin("bun"), [join(root, "src", "cli.ts")]];
  }
}

/** A running CLI process. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything printed on standard output so far. */
  stdout(): string;
  /** Everything printed on standard error so far. */
  stderr(): string;
  /** Resolves to the exit code (or the signal's name) once the process ends. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`). */
  stop(signal?: "SIGINT" | "SIGTERM", timeoutMs?: number): Promise<{ code: number | null; signal: string | null }>;
}

/** Options of {@linkcode startCli}. */
export interface StartCliOptions {
  /** Which runtime runs the CLI. @default the runtime under test */
  runtime?: CliRuntime;
  /**
   * A command that runs the CLI for us and then becomes it (`prlimit --nofile=128:128 --`
   * execs, so the child's pid is still the CLI's). @default none
   */
  wrapper?: string[];
  /** Flags for Deno's `run` (`--unstable-net`); ignored on the other runtimes. @default none */
  denoFlags?: string[];
}

/** Starts the CLI and returns at once. */
export function startCli(args: string[], options: StartCliOptions = {}): CliProcess {
  const runtime = options.runtime ?? testRuntime;
  const [runtimeCommand, prefix] = cliCommandFor(runtime);
  // The script comes last in the prefix: Deno's own flags go before it.
  if (runtime === "deno" && options.denoFlags) prefix.splice(-1, 0, ...options.denoFlags);
  const [command, ...leading] = [...(options.wrapper ?? []), runtimeCommand, ...prefix];
  const child = spawn(command, [...leading, ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "", err = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (err += s));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal }));
    child.on("error", () => resolve({ code: null, signal: "spawn error" }));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal = "SIGTERM", timeoutMs = 15000) {
      // process.kill rather than child.kill: Deno's child_process reports a child that
      // was sent a signal with child.kill() as killed by it, even when it exited 0.
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(child.pid, signal);
      }
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      const warning = nodeWarning(err);
      if (warning) throw new Error(`anynet ${args.join(" ")} printed a runtime warning: ${warning}\nstderr: ${err}`);
      return result;
    },
  };
}

/**
 * Waits until the process prints `listening on HOST:PORT` (or `listening on
 * http://HOST:PORT`); returns the port. Rejects if it exits or takes too long.
 */
export async function waitForListening(proc: CliProcess, timeoutMs = 30000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  proc.exited.then(() => (ended = true));
  for (;;) {
    const match = /listening on (?:[a-z]+:\/\/)?(?:\[[^\]]+\]|[^\s:/]+):(\d+)/.exec(proc.stdout());
    if (match) return Number(match[1]);
    if (ended || Date.now() > deadline) {
      if (!ended) proc.child.kill("SIGKILL");
      throw new Error(
        `the server did not print 'listening on' (${
          ended ? "it exited" : "timeout"
        })\nstdout: ${proc.stdout()}\nstderr: ${proc.stderr()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Starts `anynet echo-server --port 0 …` and waits until it listens. */
export async function startEchoServer(
  args: string[] = [],
  options: StartCliOptions = {},
): Promise<{ proc: CliProcess; port: number }> {
  const proc = startCli(["echo-server", "--port", "0", ...args], options);
  const port = await waitForListening(proc);
  return { proc, port };
}

/** Whether an outside command exists (`openssl`, `python3`): on PATH, without running it. */
export function hasCommand(name: string): boolean {
  return onPath(name);
}

/** Whether the CLI can run on `runtime` here (Node needs the built dist/cli.js). */
export function canRun(runtime: CliRuntime): boolean {
  const [command, prefix] = cliCommandFor(runtime);
  return spawnSync(command, [...prefix, "--version"], { stdio: "ignore", timeout: 30000 }).status === 0;
}
