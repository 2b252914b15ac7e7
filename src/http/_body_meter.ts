/**
 * Counting a response body as it is read, chunk by chunk, and keeping the event loop
 * turning while it is.
 *
 * fetch decodes `Content-Encoding` (gzip, deflate, br …) before the body reaches the
 * caller, so what is counted is the decoded bytes: a few kilobytes of gzip may decode to
 * gigabytes, and only a count after decoding protects memory. The runtimes hand decoded
 * bytes over in small chunks (measured with a gzip bomb: Deno 4 KiB, Node 16 KiB, Bun
 * 256 KiB), so stopping at the first chunk past the limit keeps memory at the limit plus
 * one chunk.
 *
 * Deno completes read after read of a decoded body at once (its decoder always has output
 * ready) without returning to the event loop: timers waited a second and more between
 * turns, and its own `text()`/`arrayBuffer()` starve them until the whole body is decoded
 * (10 MB of gzip that decode to 10 GB grew it past 2 GB in 40 s, with a 10 s timeout that
 * never fired). So a reader
 * gives the event loop a turn every {@linkcode TURN_MS} and then checks whether the
 * attempt's time ran out or the caller aborted, whatever the runtime.
 *
 * @module
 */
import type { Attempt } from "./_attempt.ts";
import type { ProgressReporter } from "./_progress.ts";
import { BodyTooLargeError } from "./errors.ts";

/** How long a body read may run without letting timers and other callbacks run, in ms. */
export const TURN_MS = 25;

/**
 * Whether a body with this `Content-Encoding` was sent with a content coding. Such a body
 * is read chunk by chunk even without a limit (see the module comment), and its
 * `Content-Length` counts encoded bytes, which says nothing about the decoded size.
 */
export function isEncoded(coding: string | null): boolean {
  return coding !== null && coding.trim() !== "" && !/^\s*identity\s*$/i.test(coding);
}

/** Resolves on a later turn of the event loop, after due timers have run. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Counts one attempt's body against its limit and paces the reads. */
export class BodyMeter {
  readonly #attempt: Attempt;
  readonly #limit: number | undefined;
  #size: number;
  #turnAt: number;
  /** `onDownloadProgress`, told of each chunk once it is counted. */
  readonly #download: ProgressReporter | undefined;

  constructor(attempt: Attempt, limit: number | undefined) {
    this.#attempt = attempt;
    this.#limit = limit;
    this.#download = attempt.transfer?.download;
    this.#size = 0;
    this.#turnAt = Date.now() + TURN_MS;
  }

  /** Counts a chunk; a chunk that takes the body past the limit is a BodyTooLargeError. */
  count(chunk: Uint8Array): void {
    this.#size += chunk.byteLength;
    const limit = this.#limit;
    if (limit !== undefined && this.#size > limit) {
      throw new BodyTooLargeError(limit, "response", { method: this.#attempt.method, url: this.#attempt.url });
    }
    this.#download?.add(chunk.byteLength);
  }

  /** The body has been read to its end: the last progress event, and the end of the clock. */
  finished(): void {
    this.#attempt.transfer?.complete();
  }

  /** Whether the reads have run for {@linkcode TURN_MS} since the event loop last had a turn. */
  due(): boolean {
    return Date.now() >= this.#turnAt;
  }

  /**
   * Gives the event loop a turn, then throws what ended the attempt meanwhile (its
   * TimeoutError, the caller's abort reason).
   */
  async turn(): Promise<void> {
    await nextTurn();
    this.#turnAt = Date.now() + TURN_MS;
    const attempt = this.#attempt;
    if (attempt.stopped) throw attempt.mapError(undefined, "body");
  }
}
