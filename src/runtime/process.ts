/**
 * The process around the program: arguments, standard streams, signals and exit.
 *
 * Node's `process` object (a global on Deno and Bun too, see _shared/global_process.ts)
 * behaves the same on Node, Deno and Bun for everything used here, so
 * this one file serves all three runtimes; only how the process ends differs: Node
 * leaves through its event loop (node/exit.ts), Deno and Bun call `process.exit`.
 *
 * @module
 */
import { process } from "./_shared/global_process.ts";
import { detectRuntime } from "./detect.ts";
import { nodeExit } from "./node/exit.ts";

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

/**
 * Why standard output cannot take more: its reader went away (`code` `"EPIPE"`, as when
 * `anynet … | head` has read its line) or the device refused the bytes (`"ENOSPC"` on a
 * full disk, …). Every later write fails with the same error without trying again.
 */
export class OutputError extends Error {
  /** The system's error code (`"EPIPE"`, `"ENOSPC"` …), or `"EIO"` when the runtime gave none. */
  readonly code: string;
  constructor(stream: "stdout" | "stderr", cause: unknown) {
    const code = (cause as { code?: unknown } | null)?.code;
    super(
      code === "EPIPE"
        ? `standard ${stream === "stdout" ? "output" : "error"} was closed by its reader`
        : `cannot write to standard ${stream === "stdout" ? "output" : "error"}: ${
          cause instanceof Error ? cause.message : String(cause)
        }`,
      { cause },
    );
    this.name = "OutputError";
    this.code = typeof code === "string" ? code : "EIO";
  }
}

/** A standard stream and what is known of it: the first failure, and the writes waiting for the OS. */
interface OutputState {
  readonly name: "stdout" | "stderr";
  failure?: OutputError;
  readonly waiting: Set<(error: OutputError) => void>;
  watched: boolean;
}

const stdoutState: OutputState = { name: "stdout", waiting: new Set(), watched: false };
const stderrState: OutputState = { name: "stderr", waiting: new Set(), watched: false };

function fail(state: OutputState, error: unknown): OutputError {
  if (state.failure) return state.failure;
  const failure = new OutputError(state.name, error);
  state.failure = failure;
  for (const reject of state.waiting) reject(failure);
  state.waiting.clear();
  return failure;
}

function writeTo(state: OutputState, text: string | Uint8Array): Promise<void> {
  // After a failure the stream is not touched again: Node and Bun would fail each write
  // once more, and Deno, after a write that threw, leaves the next one unanswered.
  if (state.failure) return Promise.reject(state.failure);
  const stream = process[state.name];
  if (!state.watched) {
    state.watched = true;
    // Without a listener, the 'error' event of a closed pipe (EPIPE) ends the process
    // with a stack trace on Node and Deno.
    stream.on("error", (error: unknown) => fail(state, error));
  }
  return new Promise((resolve, reject) => {
    state.waiting.add(reject);
    const settle = (error?: unknown) => {
      state.waiting.delete(reject);
      if (error) reject(fail(state, error));
      else resolve();
    };
    try {
      // Resolve when the chunk is handed to the OS; a writer that awaits each call gets
      // backpressure for free, so printing millions of lines stays in bounded memory.
      stream.write(text, (error) => settle(error ?? undefined));
    } catch (error) {
      // Deno throws a write error (ENOSPC) at once instead of passing it to the callback.
      settle(error);
    }
  });
}

/**
 * Writes to standard output; settles once the bytes are flushed.
 *
 * @throws {OutputError} When standard output cannot take them: its reader is gone
 * (`code` `"EPIPE"`) or the device refused them. Every later call fails the same way.
 */
export function writeStdout(text: string | Uint8Array): Promise<void> {
  return writeTo(stdoutState, text);
}

/**
 * Writes to standard error; settles once the bytes are flushed. Never fails: when
 * standard error cannot be written, there is nowhere left to report that, so the text
 * is dropped.
 */
export function writeStderr(text: string | Uint8Array): Promise<void> {
  return writeTo(stderrState, text).catch(() => undefined);
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
 * Exiting straight away could cut off output that is still queued on a pipe. On Node it
 * resolves and the process ends when its event loop is empty (at most a second later):
 * call it last.
 */
export async function exitAfterFlush(code: number): Promise<void> {
  await Promise.allSettled([writeStdout(""), writeStderr("")]);
  // On Node this returns, so that a top-level await of it settles (else Node ends with
  // code 13); the process ends through its event loop. Chosen here rather than through
  // the adapter (mod.ts): every command loads this module, and the adapters bring
  // node:net, node:tls and node:http, which take about as long to load as Node takes to
  // start, for commands that use none of them (`pcap stats`, `--version`).
  if (detectRuntime().name === "node") nodeExit(code);
  else process.exit(code);
}
