/**
 * The process around the program: arguments, standard streams, signals and exit, the
 * same on Node, Deno and Bun. Each runtime's primitives come from its host
 * (_shared/process_host.ts for Node and Bun, deno/process_host.ts for Deno); what is
 * built on them (writes that fail once and for good, the second signal that exits, the
 * exit after output is flushed) is here, once.
 *
 * @module
 */
import { type OutputStream, processGlobalHost, type ProcessHost } from "./_shared/process_host.ts";
import { denoHost } from "./deno/process_host.ts";
import { detectRuntime } from "./detect.ts";

const host: ProcessHost = detectRuntime().name === "deno" ? denoHost : processGlobalHost;

/** The command-line arguments after the program name (and script path). */
export function commandArgs(): string[] {
  return host.args();
}

/** The operating system (`"linux"`, `"darwin"`, `"win32"` …) and CPU architecture, in Node's spelling. */
export const platform: { os: string; arch: string } = { os: host.os(), arch: host.arch() };

/** Reads an environment variable; `undefined` when unset or not readable. */
export function env(name: string): string | undefined {
  try {
    return host.env(name);
  } catch {
    // Deno without --allow-env throws here; an unreadable variable counts as unset.
    return undefined;
  }
}

/** Whether standard output (`"stdout"`) or standard error (`"stderr"`) is a terminal. */
export function isTerminal(stream: OutputStream): boolean {
  return host.isTerminal(stream);
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

/** A standard stream and what is known of it: the first failure, and how it is written. */
interface OutputState {
  readonly name: OutputStream;
  failure?: OutputError;
  /**
   * Set once a synchronous write could not wait (a non-blocking descriptor): from then on
   * every write goes through the runtime's stream, in order after the last one.
   */
  streamed?: Promise<void>;
}

const stdoutState: OutputState = { name: "stdout" };
const stderrState: OutputState = { name: "stderr" };
const encoder = new TextEncoder();

function fail(state: OutputState, error: unknown): OutputError {
  if (state.failure) return state.failure;
  state.failure = new OutputError(state.name, error);
  return state.failure;
}

function writeTo(state: OutputState, text: string | Uint8Array): Promise<void> {
  // After a failure the stream is not touched again: Node and Bun would fail each write
  // once more, and Deno, after a write that threw, leaves the next one unanswered.
  if (state.failure) return Promise.reject(state.failure);
  let bytes = typeof text === "string" ? encoder.encode(text) : text;
  if (!state.streamed) {
    // Written at once, waiting while a pipe is full: a writer that awaits each call gets
    // backpressure for free, so printing millions of lines stays in bounded memory.
    let done = 0;
    try {
      while (done < bytes.length) done += host.writeSync(state.name, bytes.subarray(done));
      return Promise.resolve();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code !== "EAGAIN" && code !== "EWOULDBLOCK") return Promise.reject(fail(state, error));
      bytes = bytes.subarray(done);
      state.streamed = Promise.resolve();
    }
  }
  const written = state.streamed.then(() => {
    if (state.failure) throw state.failure;
    return host.write(state.name, bytes);
  }).catch((error) => {
    throw fail(state, error);
  });
  state.streamed = written.catch(() => undefined);
  return written;
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
  return host.onTerminationSignal((signal) => {
    if (seen) host.exit(130);
    seen = true;
    handler(signal);
  });
}

/**
 * Ends the process with `code` once standard output and standard error are flushed.
 * Exiting straight away could cut off output that is still queued on a pipe. On Node it
 * resolves and the process ends when its event loop is empty (at most a second later):
 * call it last.
 */
export async function exitAfterFlush(code: number): Promise<void> {
  // Only writes that went through a runtime stream can still be queued.
  await Promise.allSettled([stdoutState.streamed, stderrState.streamed]);
  host.finish(code);
}
