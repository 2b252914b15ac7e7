/**
 * Standard input as a stream of byte chunks, delivered as they arrive (a capture piped
 * from `tcpdump -w -` is decoded live). `process.stdin` is the same stream on Node,
 * Deno and Bun; on Deno it needs no permission, unlike opening `/dev/stdin`.
 *
 * @module
 */
import { globalProcess } from "./_shared/global_process.ts";

/** Chunks queued before reading from the pipe pauses, so a slow consumer bounds memory. */
const HIGH_WATER = 16;

/**
 * Reads standard input to its end, chunk by chunk.
 *
 * @param signal Ends the iteration early (no error) when aborted, even while waiting for
 *   input that may never come.
 * @returns The chunks, each a fresh array.
 * @throws {Error} When standard input cannot be read.
 */
export async function* readStdin(signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const stream = globalProcess().stdin;
  const queue: Uint8Array[] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const onData = (chunk: Uint8Array | string) => {
    queue.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : new Uint8Array(chunk));
    if (queue.length >= HIGH_WATER) stream.pause();
    wake?.();
  };
  const onEnd = () => {
    done = true;
    wake?.();
  };
  const onError = (error: unknown) => {
    failure = error;
    done = true;
    wake?.();
  };
  stream.on("data", onData);
  stream.on("end", onEnd);
  stream.on("error", onError);
  signal?.addEventListener("abort", onEnd);
  try {
    for (;;) {
      if (signal?.aborted) return;
      const chunk = queue.shift();
      if (chunk) {
        if (queue.length === 0 && stream.isPaused()) stream.resume();
        yield chunk;
        continue;
      }
      if (failure !== undefined) throw failure;
      if (done) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    stream.off("data", onData);
    stream.off("end", onEnd);
    stream.off("error", onError);
    signal?.removeEventListener("abort", onEnd);
    // Left open, a pipe that never ends would keep the process alive after an interrupt.
    stream.pause();
    stream.destroy();
  }
}
