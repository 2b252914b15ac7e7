/**
 * What a command needs of the process it runs in: its arguments, environment, standard
 * output and error, termination signals and exit. One implementation per kind of
 * runtime: Node and Bun through the `process` global (here), Deno through its own
 * namespace (deno/process_host.ts), because on Deno the first touch of `process` starts
 * Node's compatibility layer, about 28 ms of every command's start (measured with a
 * one-line program, pinned to one core).
 *
 * @module
 */
import { detectRuntime } from "../detect.ts";
import { nodeExit } from "../node/exit.ts";
import { globalProcess as proc } from "./global_process.ts";
import { nodeFs as fs } from "./node_files.ts";

/** Standard output or standard error. */
export type OutputStream = "stdout" | "stderr";

/** The process primitives of one runtime. */
export interface ProcessHost {
  /** The command-line arguments after the program name (and script path). */
  args(): string[];
  /** The operating system and CPU, in Node's spelling (`"linux"`, `"win32"`; `"x64"`, `"arm64"`). */
  os(): string;
  arch(): string;
  /** An environment variable; throws when the runtime does not allow reading it. */
  env(name: string): string | undefined;
  isTerminal(stream: OutputStream): boolean;
  /**
   * Writes `bytes` and waits while the device is full.
   * @returns The bytes written, maybe fewer than given.
   * @throws The system's error; `code` `"EAGAIN"` when the descriptor does not wait
   *   (another program set it non-blocking): {@linkcode ProcessHost.write} then takes over.
   */
  writeSync(stream: OutputStream, bytes: Uint8Array): number;
  /** Writes through the runtime's own stream, resolving once the bytes are handed to the system. */
  write(stream: OutputStream, bytes: Uint8Array): Promise<void>;
  /** Calls `listener` on each SIGINT and SIGTERM. @returns A function that stops it. */
  onTerminationSignal(listener: (signal: "SIGINT" | "SIGTERM") => void): () => void;
  /** Ends the process with `code` at once. */
  exit(code: number): void;
  /**
   * Ends the process with `code` once the command is done: on Node through its event
   * loop (see node/exit.ts, it returns), elsewhere at once.
   */
  finish(code: number): void;
}

const FD = { stdout: 1, stderr: 2 } as const;

/**
 * Whether a descriptor is a terminal, on Linux without `node:tty` (which loads Node's
 * socket and stream modules: 5 ms of a command's start on Node, 12 ms on Bun): the name
 * /proc gives the descriptor. Elsewhere, or without /proc, `node:tty` decides.
 */
function isTerminalFd(fd: number): boolean {
  if (proc().platform === "linux") {
    try {
      const name = fs().readlinkSync(`/proc/self/fd/${fd}`);
      return /^\/dev\/(pts\/|tty|console$)/.test(name);
    } catch {
      // No /proc (a sandbox): ask the terminal module.
    }
  }
  return proc().getBuiltinModule("node:tty").isatty(fd);
}

/** Whether a stream's 'error' listener is set (see write). */
const watched = new Set<OutputStream>();

/** Node and Bun: the `process` global and `node:fs`. */
export const processGlobalHost: ProcessHost = {
  args: () => proc().argv.slice(2),
  os: () => proc().platform,
  arch: () => proc().arch,
  env: (name) => proc().env[name],
  isTerminal: (stream) => isTerminalFd(FD[stream]),
  // Node writes a pipe or file on standard output synchronously on Linux anyway; writing
  // the descriptor directly skips building process.stdout, whose stream modules cost
  // about 7 ms of a command's start on Node and 13 ms on Bun.
  writeSync: (stream, bytes) => fs().writeSync(FD[stream], bytes),
  write(stream, bytes) {
    const s = proc()[stream];
    if (!watched.has(stream)) {
      watched.add(stream);
      // Without a listener, the 'error' event of a closed pipe (EPIPE) ends the process
      // with a stack trace; the write's callback reports the error to the caller.
      s.on("error", () => {});
    }
    return new Promise((resolve, reject) => {
      s.write(bytes, (error) => (error ? reject(error) : resolve()));
    });
  },
  onTerminationSignal(listener) {
    proc().on("SIGINT", listener);
    proc().on("SIGTERM", listener);
    return () => {
      proc().off("SIGINT", listener);
      proc().off("SIGTERM", listener);
    };
  },
  exit: (code) => proc().exit(code),
  finish(code) {
    if (detectRuntime().name === "node") nodeExit(code);
    else proc().exit(code);
  },
};
