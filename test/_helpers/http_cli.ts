/**
 * Starts `anynet serve-api` as a child process on the runtime under test and waits for
 * its `listening on` line.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { cliCommand } from "./cli.ts";
import { root } from "./env.ts";

/** A running `anynet serve-api`. */
export interface ServeApiProcess {
  url: string;
  child: ChildProcess;
  /** Sends SIGTERM and resolves to the exit code and what it printed on stderr. */
  stop(): Promise<{ code: number | null; stderr: string }>;
}

/** Options of {@linkcode startServeApi}. */
export interface StartServeApiOptions {
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** A command that runs the CLI, such as `["prlimit", "--nofile=64:64", "--"]`. */
  wrapper?: string[];
  /** The server command to run instead of serve-api (`serve-static`), with its own arguments in `args`. */
  command?: string;
}

/** Runs `anynet serve-api --port 0 …args` and resolves once it listens. */
export function startServeApi(args: string[] = [], options: StartServeApiOptions = {}): Promise<ServeApiProcess> {
  const [command, prefix] = cliCommand();
  const [program, ...programArgs] = [
    ...(options.wrapper ?? []),
    command,
    ...prefix,
    options.command ?? "serve-api",
    "--port",
    "0",
    ...args,
  ];
  const child = spawn(program, programArgs, {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "", stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${options.command ?? "serve-api"} did not start within 20 s: ${stdout} ${stderr}`));
    }, 20_000);
    child.stdout!.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
      const match = /^listening on (http:\/\/\S+)$/m.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1],
        child,
        stop: async () => {
          // process.kill rather than child.kill: Deno's child_process reports a child sent a
          // signal with child.kill() as killed by it, even when it exited 0.
          if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
            process.kill(child.pid, "SIGTERM");
          }
          const code = await exited;
          return { code, stderr };
        },
      });
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${options.command ?? "serve-api"} exited with ${code} before listening: ${stderr}`));
    });
  });
}
