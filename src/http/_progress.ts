/**
 * Progress events of `request()` (`onDownloadProgress`, `onUploadProgress`) and the
 * bookkeeping of one request on the wire: a {@linkcode Transfer} per hop holds its clock
 * (`response.timings`, see _progress_timings.ts) and a reporter per direction.
 *
 * The rules, the same for both directions: every event says how many bytes went so far,
 * and the total and percentage when the length is known; the last event says 100%, with
 * the total then known; nothing is throttled; no callback runs once the request is over
 * (a reporter is closed when the response ends, fails or is dropped); and a callback that
 * throws ends the request with an error that names it, never retried.
 *
 * Download progress counts the body as the caller reads it, after decoding (what
 * `maxBodyBytes` counts): a body nobody reads reports nothing. Upload progress counts
 * the bytes handed to the connection (Node's transport: written to the socket) or taken
 * by fetch (Deno, Bun, Node's fetch), which the runtimes pull no faster than the socket
 * takes them: the count runs ahead of the server by what the kernel buffers.
 *
 * To change what an event carries or when one is sent, edit it here; how a body is sent
 * counted: _progress_upload.ts.
 *
 * @module
 */
import type { Attempt } from "./_attempt.ts";
import { HopClock } from "./_progress_timings.ts";

/** One progress event. */
export interface Progress {
  /** Bytes sent or received so far (a response body counted after decoding). */
  readonly transferred: number;
  /** The whole size in bytes, when known (`Content-Length`, a body of known size); at the last event, always. */
  readonly total: number | undefined;
  /** `transferred` as a percentage (0 to 100) of `total`, when that is known; 100 at the last event. */
  readonly percent: number | undefined;
}

/** A function told of a transfer's progress. */
export type ProgressCallback = (progress: Progress) => void;

/** The option that names a callback, in the error its throw becomes. */
type CallbackName = "onDownloadProgress" | "onUploadProgress";

/**
 * The error a request fails with when a progress callback throws: it names the callback
 * and the request, and keeps what was thrown as its `cause`.
 */
function callbackFailure(name: CallbackName, attempt: Attempt, thrown: unknown): Error {
  const words = thrown instanceof Error ? thrown.message : String(thrown);
  const error = new Error(`${attempt.method} ${attempt.url} failed: the '${name}' callback threw: ${words}`, {
    cause: thrown,
  });
  error.name = "ProgressCallbackError";
  return error;
}

/** Tells one callback of one direction's progress, until closed. */
export class ProgressReporter {
  readonly #callback: ProgressCallback;
  readonly #name: CallbackName;
  readonly #attempt: Attempt;
  #transferred: number;
  #total: number | undefined;
  #closed: boolean;
  /** The last event said 100% of a known total. */
  #whole: boolean;

  constructor(callback: ProgressCallback, name: CallbackName, attempt: Attempt) {
    this.#callback = callback;
    this.#name = name;
    this.#attempt = attempt;
    this.#transferred = 0;
    this.#total = undefined;
    this.#closed = false;
    this.#whole = false;
  }

  /** Sets the whole size, when it becomes known. */
  expect(total: number | undefined): void {
    this.#total = total;
  }

  /** Counts `bytes` more and tells the callback. */
  add(bytes: number): void {
    if (this.#closed || bytes === 0) return;
    this.#transferred += bytes;
    const total = this.#total;
    // A server that sends more than it announced: the total was wrong, not the count.
    if (total !== undefined && this.#transferred > total) this.#total = undefined;
    this.#emit();
  }

  /** The transfer is complete: the last event (100%, unless the one before said so), then no more. */
  finish(): void {
    if (this.#closed) return;
    if (!this.#whole) {
      this.#total = this.#transferred;
      this.#emit();
    }
    this.#closed = true;
  }

  /** No more events, whatever happens. */
  close(): void {
    this.#closed = true;
  }

  #emit(): void {
    const transferred = this.#transferred;
    const total = this.#total;
    const percent = total === undefined ? undefined : total === 0 ? 100 : Math.min(100, (transferred / total) * 100);
    this.#whole = percent === 100;
    try {
      this.#callback({ transferred, total, percent });
    } catch (thrown) {
      this.#closed = true;
      const error = callbackFailure(this.#name, this.#attempt, thrown);
      // Ends the attempt with this error, whichever read or write called us.
      this.#attempt.abortWith(error);
      throw error;
    }
  }
}

/** The callbacks of one request, as `request()` checked them. */
export interface ProgressCallbacks {
  download: ProgressCallback | undefined;
  upload: ProgressCallback | undefined;
}

/** One hop of an attempt on the wire: its clock, and its progress in each direction. */
export class Transfer {
  readonly clock: HopClock;
  /** Download progress, when the caller asked for it. */
  readonly download: ProgressReporter | undefined;
  /** Upload progress, when the caller asked for it (and the request has a body). */
  readonly upload: ProgressReporter | undefined;
  #over: boolean;

  constructor(attempt: Attempt, callbacks: ProgressCallbacks | undefined, hasBody: boolean) {
    this.clock = new HopClock();
    this.#over = false;
    this.download = callbacks?.download === undefined
      ? undefined
      : new ProgressReporter(callbacks.download, "onDownloadProgress", attempt);
    this.upload = callbacks?.upload === undefined || !hasBody
      ? undefined
      : new ProgressReporter(callbacks.upload, "onUploadProgress", attempt);
  }

  /** The response's body was read to its end: the last download event, and the clock's end. */
  complete(): void {
    this.download?.finish();
    this.over();
  }

  /** The request is over, however it ended: no more events. */
  over(): void {
    if (this.#over) return;
    this.#over = true;
    this.clock.end();
    this.download?.close();
    this.upload?.close();
  }
}
