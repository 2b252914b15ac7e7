/**
 * Turns a push-based socket (Node's `data` events, Bun's `data` handler) into the
 * pull-based `read()` of {@linkcode StreamSocket}: chunks wait here until read, and the
 * socket is paused once too much is waiting, so a peer that sends to a reader that
 * does not read feels TCP backpressure instead of growing this process's memory.
 *
 * @module
 */

/** Pause the socket once this many bytes wait unread. */
const HIGH_WATER_MARK = 256 * 1024;

/** A queue of received chunks with one pending reader at a time. */
export class ChunkQueue {
  #chunks: Uint8Array[] = [];
  #head = 0;
  #queuedBytes = 0;
  #done = false;
  #error: unknown = undefined;
  #waiter: { resolve: (chunk: Uint8Array | null) => void; reject: (error: unknown) => void } | undefined;
  #paused = false;
  readonly #pause: () => void;
  readonly #resume: () => void;

  constructor(pause: () => void, resume: () => void) {
    this.#pause = pause;
    this.#resume = resume;
  }

  /** A chunk arrived from the peer. */
  push(chunk: Uint8Array): void {
    if (this.#done) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.resolve(chunk);
      return;
    }
    this.#chunks.push(chunk);
    this.#queuedBytes += chunk.byteLength;
    if (!this.#paused && this.#queuedBytes >= HIGH_WATER_MARK) {
      this.#paused = true;
      this.#pause();
    }
  }

  /** The peer closed its side (or the socket closed): readers get the rest, then `null`. */
  end(): void {
    if (this.#done) return;
    this.#done = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve(null);
  }

  /** The socket failed: readers get what was received, then the error. */
  fail(error: unknown): void {
    if (this.#done) return;
    this.#error = error;
    this.#done = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }

  /** Forgets queued chunks: used by close(), after which nothing more is read. */
  discard(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#queuedBytes = 0;
    this.#error = undefined;
    this.end();
  }

  /** The next chunk, `null` at the end, or the failure. */
  read(): Promise<Uint8Array | null> {
    if (this.#head < this.#chunks.length) {
      const chunk = this.#chunks[this.#head]!;
      this.#chunks[this.#head++] = EMPTY;
      if (this.#head === this.#chunks.length) {
        this.#chunks = [];
        this.#head = 0;
      }
      this.#queuedBytes -= chunk.byteLength;
      if (this.#paused && this.#queuedBytes < HIGH_WATER_MARK / 2 && !this.#done) {
        this.#paused = false;
        this.#resume();
      }
      return Promise.resolve(chunk);
    }
    if (this.#done) {
      return this.#error === undefined ? Promise.resolve(null) : Promise.reject(this.#error);
    }
    if (this.#waiter) return Promise.reject(new Error("read() called again before the previous read settled"));
    if (this.#paused) {
      this.#paused = false;
      this.#resume();
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }
}

const EMPTY = new Uint8Array(0);
