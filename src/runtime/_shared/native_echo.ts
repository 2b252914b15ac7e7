/**
 * The bookkeeping of a native echo (`StreamSocket.echo`) that the push-based adapters
 * (Node, Bun) share: the `done` promise settles once, and `stop()` pauses reading.
 *
 * @module
 */
import type { EchoSession } from "../types.ts";

/** One running echo of a socket's bytes back to its peer. */
export class NativeEcho implements EchoSession {
  readonly done: Promise<void>;
  readonly onProgress: (echoedBytes: number) => void;
  /** `stop()` was called: reading stays paused. */
  stopped = false;
  /** `done` has settled: the socket's events go nowhere any more. */
  finished = false;
  #resolve!: () => void;
  #reject!: (error: unknown) => void;
  readonly #pause: () => void;

  constructor(onProgress: (echoedBytes: number) => void, pause: () => void) {
    this.onProgress = onProgress;
    this.#pause = pause;
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Stops reading and settles `done`: the caller's `closeWrite()` sends what is still buffered. */
  readonly stop = (): void => {
    if (this.stopped || this.finished) return;
    this.stopped = true;
    this.#pause();
    this.finish();
  };

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.#resolve();
  }

  fail(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.#reject(error);
  }
}
