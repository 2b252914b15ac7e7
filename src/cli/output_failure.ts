/**
 * What becomes of a command whose standard output fails. Unix tools meet a reader that
 * went away (`anynet pcap decode big.pcap | head`) with SIGPIPE: they stop at once,
 * say nothing, and the shell reports 141. The runtimes ignore SIGPIPE and report a
 * failed write instead, so the CLI does the same by hand, in this one place for every
 * command: the first failed write stops the command (its signal is aborted, as on
 * Ctrl-C, and every later write fails too), and the run ends with 141 and no message.
 * Any other failure of standard output (a full disk) ends it the same way, with one
 * line naming the failure and exit code 1.
 *
 * @module
 */
import type { CommandIO } from "./command.ts";

/** The exit code once standard output's reader has gone: what a shell reports for a process killed by SIGPIPE (128 + 13). */
export const EXIT_OUTPUT_CLOSED = 141;

/** A command's I/O that notices when standard output fails. */
export interface WatchedOutput {
  /**
   * The I/O to hand to the command: `out` as given, `err` silent once `out` failed,
   * `signal` aborted also when `out` fails.
   */
  readonly io: CommandIO;
  /** The first error `out` failed with, or `undefined` while every write has worked. */
  failure(): { error: unknown } | undefined;
}

/** Whether `error` says that standard output's reader has gone (a broken pipe), rather than some other failure. */
export function isClosedOutput(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "EPIPE";
}

/**
 * Wraps `io` so that the first failed write to standard output is remembered and stops
 * the command: its signal is aborted (long producers, such as a decode of a large
 * capture, stop as on Ctrl-C instead of working on for nobody) and every later write
 * fails with the same error without reaching the stream.
 */
export function watchOutput(io: CommandIO): WatchedOutput {
  const stop = new AbortController();
  const onAbort = () => stop.abort(io.signal.reason);
  if (io.signal.aborted) onAbort();
  else io.signal.addEventListener("abort", onAbort, { once: true });
  let failure: { error: unknown } | undefined;
  return {
    io: {
      async out(text) {
        if (failure) throw failure.error;
        try {
          await io.out(text);
        } catch (error) {
          failure ??= { error };
          stop.abort(failure.error);
          throw failure.error;
        }
      },
      // After the failure, what the command says is about the failure's consequences
      // (a write that failed, a stop): a process killed by SIGPIPE would say nothing.
      err: (text) => (failure ? Promise.resolve() : io.err(text)),
      signal: stop.signal,
    },
    failure: () => failure,
  };
}
