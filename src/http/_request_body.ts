/**
 * The limits `serve()` puts on a request body, whatever the runtime: its size, and the
 * time it may take to arrive.
 *
 * Neither runtime server offers both (Deno has neither, Bun's idle timer does not restart
 * on body bytes, Node's limits no size), so the handler reads the body through a stream
 * that counts its bytes and fails when they pass the limit or when the time is up.
 * Failing it cancels the runtime's own body, so nothing more is read.
 *
 * @module
 */
import { BodyTooLargeError } from "./errors.ts";
import { adapter } from "../runtime/mod.ts";

/** The request body did not arrive within `bodyTimeout`. */
export class BodyTimeoutError extends Error {
  /** The limit, in ms. */
  readonly ms: number;
  constructor(ms: number) {
    super(`The request body did not arrive within ${ms} ms ('bodyTimeout')`);
    this.name = "BodyTimeoutError";
    this.ms = ms;
  }
}

/**
 * Whether the request says a body follows (a length over 0, or a chunked body); `length`
 * is its Content-Length header, already read.
 */
export function declaresBody(length: string | null, headers: Headers): boolean {
  return (length !== null && length !== "0") || headers.has("transfer-encoding");
}

/** A request body seen through the limits; `stream` is what the handler reads. */
export class WatchedBody {
  /** Set once the whole body has been read. */
  finished = false;
  readonly stream: ReadableStream<Uint8Array>;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #timer: ReturnType<typeof setTimeout>;

  constructor(source: ReadableStream<Uint8Array>, maxBytes: number, timeoutMs: number) {
    const reader = source.getReader();
    this.#reader = reader;
    let size = 0;
    let control!: ReadableStreamDefaultController<Uint8Array>;
    // Read only as the handler reads (no read-ahead), so that what is left unread is known.
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        control = controller;
      },
      pull: async (controller) => {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          // The client went away, or the runtime gave up on the body.
          clearTimeout(this.#timer);
          throw error;
        }
        const { done, value } = chunk;
        if (done) {
          this.finished = true;
          clearTimeout(this.#timer);
          controller.close();
          return;
        }
        size += value.byteLength;
        if (size > maxBytes) this.#fail(controller, new BodyTooLargeError(maxBytes, "request"));
        else controller.enqueue(value);
      },
      cancel: (reason) => {
        clearTimeout(this.#timer);
        return reader.cancel(reason);
      },
    }, { highWaterMark: 0 });
    // The clock runs whether or not the handler reads: a body that trickles in must not
    // hold the connection.
    this.#timer = setTimeout(() => this.#fail(control, new BodyTimeoutError(timeoutMs)), timeoutMs);
    adapter.timers.unref(this.#timer);
  }

  /**
   * Called with the handler's answer: a body nobody has started reading by then never will
   * be (the connection closes after the answer), so the runtime's body is let go now
   * rather than when the timer fires.
   */
  settle(): void {
    if (!this.finished && !this.stream.locked) {
      clearTimeout(this.#timer);
      this.#reader.cancel().catch(() => {});
    }
  }

  #fail(controller: ReadableStreamDefaultController<Uint8Array>, error: Error): void {
    clearTimeout(this.#timer);
    try {
      controller.error(error);
    } catch {
      // Already closed or errored.
    }
    // Not awaited: some runtimes settle the cancel only when the connection ends.
    this.#reader.cancel(error).catch(() => {});
  }
}

/** Whether `error`, or an error it was caused by, is one that `isKind` recognises. */
export function causedBy(error: unknown, isKind: (value: unknown) => boolean): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isKind(e)) return true;
  }
  return false;
}

/** Tells a {@linkcode BodyTimeoutError} by its name, in any realm. */
export function isBodyTimeoutError(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as { name?: unknown }).name === "BodyTimeoutError";
}
