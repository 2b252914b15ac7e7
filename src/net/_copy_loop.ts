/**
 * The read→write cycle that moves bytes between connections: behind `pump()` (and so the
 * proxy) and behind the portable echo (`Connection.echoBack()` where the runtime has no
 * native echo), which is a copy from a connection to itself.
 *
 * Each chunk is written before the next is read, so a slow writer slows the reading
 * (backpressure) and memory stays bounded. Where the runtime reads into a caller's
 * buffer (Deno: `prefersReadInto`), one buffer per loop is reused: a write settles only
 * once the runtime is done with the bytes, so the next read may overwrite them. Elsewhere
 * (Node, Bun) the runtime's own chunks are passed on as they are, without a copy.
 *
 * @module
 */
import type { Connection } from "./connection.ts";
import { MIN_READ_BUFFER, nextReadBuffer } from "../runtime/_shared/read_buffer.ts";

/** What a {@linkcode CopyLoop} reports as it goes (progress, idle checks). */
export interface CopyProgress {
  /** A chunk has arrived and is about to be written. */
  onRead?: () => void;
  /** A chunk of `bytes` bytes has been written. */
  onWritten?: (bytes: number) => void;
}

/**
 * Copies `from` → `to` until `from` ends (or `stop()`); starts at once. It neither
 * half-closes nor closes `to`: what the end of the stream means is the caller's choice.
 */
export class CopyLoop {
  /** Settles once `from` has ended and the last chunk was written, or once `stop()` took effect; rejects with the first failure. */
  readonly done: Promise<void>;
  /** Bytes written to `to` so far. */
  copied = 0;
  readonly #from: Connection;
  #stopping = false;
  #waitingForRead = false;

  constructor(from: Connection, to: Connection, progress: CopyProgress = {}) {
    this.#from = from;
    this.done = this.#run(to, progress);
  }

  /**
   * Stops reading; `done` settles once what was read has been written. A read already
   * waiting cannot be taken back, so `from` is closed then (everything read so far was
   * written). A property, so that it can be handed on unbound.
   */
  readonly stop = (): void => {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#waitingForRead) this.#from.close();
  };

  async #run(to: Connection, { onRead, onWritten }: CopyProgress): Promise<void> {
    const from = this.#from;
    let buffer: Uint8Array | undefined = from.prefersReadInto ? new Uint8Array(MIN_READ_BUFFER) : undefined;
    while (!this.#stopping) {
      this.#waitingForRead = true;
      let chunk: Uint8Array | null;
      if (buffer) {
        const n = await from.readInto(buffer);
        chunk = n === null ? null : buffer.subarray(0, n);
      } else {
        chunk = await from.read();
      }
      this.#waitingForRead = false;
      if (chunk === null) return;
      onRead?.();
      await to.write(chunk);
      this.copied += chunk.byteLength;
      onWritten?.(chunk.byteLength);
      // Only now: the write above still used the old buffer.
      if (buffer) buffer = nextReadBuffer(buffer, chunk.byteLength);
    }
  }
}
