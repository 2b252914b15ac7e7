/**
 * The process around the program: arguments, standard streams, signals and exit.
 *
 * `node:process` behaves the same on Node, Deno and Bun for everything used here, so
 * this one file serves all three runtimes.
 *
 * @module
 */
import process from "node:process";

/** The command-line arguments after the program name (and script path). */
export function commandArgs(): string[] {
  return process.argv.slice(2);
}

/** The operating system (`"linux"`, `"darwin"`, `"win32"` …) and CPU architecture. */
export const platform: { os: string; arch: string } = { os: process.platform, arch: process.arch };

/** Reads an environment variable; `undefined` when unset or not readable. */
export function env(name: string): string | undefined {
  try {
    return process.env[name];
  } catch {
    // Deno without --allow-env throws here; an unreadable variable counts as unset.
    return undefined;
  }
}

/** Whether standard output (`"stdout"`) or standard error (`"stderr"`) is a terminal. */
export function isTerminal(stream: "stdout" | "stderr"): boolean {
  return Boolean(process[stream].isTTY);
}

function writeTo(stream: NodeJS.WriteStream, text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    // Resolve when the chunk is handed to the OS; a writer that awaits each call gets
    // backpressure for free, so printing millions of lines stays in bounded memory.
    stream.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** Writes to standard output; settles once the bytes are flushed. */
export function writeStdout(text: string | Uint8Array): Promise<void> {
  return writeTo(process.stdout, text);
}

/** Writes to standard error; settles once the bytes are flushed. */
export function writeStderr(text: string | Uint8Array): Promise<void> {
  return writeTo(process.stderr, text);
}

/**
 * Calls `handler` on the first SIGINT or SIGTERM. A second signal exits at once with
 * code 130, so a stuck shutdown can always be interrupted.
 *
 * @returns A function that removes the handlers.
 */
export function onTerminationSignal(handler: (signal: "SIGINT" | "SIGTERM") => void): () => void {
  let seen = false;
  const listener = (signal: "SIGINT" | "SIGTERM") => {
    if (seen) process.exit(130);
    seen = true;
    handler(signal);
  };
  process.on("SIGINT", listener);
  process.on("SIGTERM", listener);
  return () => {
    process.off("SIGINT", listener);
    process.off("SIGTERM", listener);
  };
}

/**
 * Ends the process with `code` once standard output and standard error are flushed.
 * Exiting straight away could cut off output that is still queued on a pipe.
 */
export async function exitAfterFlush(code: number): Promise<never> {
  await Promise.allSettled([writeStdout(""), writeStderr("")]);
  process.exit(code);
}
