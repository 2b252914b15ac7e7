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
  /** Readers waiting for data, first come first served (usually none or one). */
  #waiters: { resolve: (chunk: Uint8Array | null) => void; reject: (error: unknown) => void }[] = [];
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
    const waiter = this.#waiters.shift();
    if (waiter) {
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
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(null);
  }

  /** The socket failed: readers get what was received, then the error. */
  fail(error: unknown): void {
    if (this.#done) return;
    this.#error = error;
    this.#done = true;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  /** Forgets queued chunks: used by close(), after which nothing more is read. */
  discard(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#queuedBytes = 0;
    this.#error = undefined;
    this.end();
  }

  /** Puts back the unread rest of a chunk, to be read first. */
  unshift(rest: Uint8Array): void {
    if (this.#head > 0) this.#chunks[--this.#head] = rest;
    else this.#chunks.unshift(rest);
    this.#queuedBytes += rest.byteLength;
  }

  /**
   * Hands every queued chunk to a caller that takes over reading from the socket's
   * events (a native echo), with whether the stream has ended or failed; resumes the
   * socket if the queue had paused it. The queue stays empty afterwards.
   */
  takeAll(): { chunks: Uint8Array[]; ended: boolean; error: unknown } {
    const chunks = this.#chunks.slice(this.#head);
    this.#chunks = [];
    this.#head = 0;
    this.#queuedBytes = 0;
    if (this.#paused) {
      this.#paused = false;
      if (!this.#done) this.#resume();
    }
    return { chunks, ended: this.#done, error: this.#error };
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
    if (this.#paused) {
      this.#paused = false;
      this.#resume();
    }
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
    });
  }
}

const EMPTY = new Uint8Array(0);

/** Copies the next chunk (or as much as fits) into `buffer`; the rest stays queued. */
export async function readIntoFrom(queue: ChunkQueue, buffer: Uint8Array): Promise<number | null> {
  const chunk = await queue.read();
  if (chunk === null) return null;
  if (chunk.byteLength <= buffer.byteLength) {
    buffer.set(chunk);
    return chunk.byteLength;
  }
  buffer.set(chunk.subarray(0, buffer.byteLength));
  queue.unshift(chunk.subarray(buffer.byteLength));
  return buffer.byteLength;
}
