/**
 * The state of a server-side TLS handshake, shared by the adapters that hand out a TLS
 * connection before its handshake is over (Node, Bun): over once it finished or was
 * aborted, whichever came first, and aborted at most once.
 *
 * @module
 */
import type { TlsHandshake } from "../types.ts";

/** A handshake in progress; the adapter calls `finish()` when its runtime says it is over. */
export class PendingTlsHandshake implements TlsHandshake {
  readonly done: Promise<void>;
  over = false;
  #finish!: () => void;
  readonly #fail: (reason: unknown) => void;

  /** @param fail Fails the connection's reads and writes with the reason, and closes it. */
  constructor(fail: (reason: unknown) => void) {
    this.#fail = fail;
    this.done = new Promise((resolve) => (this.#finish = resolve));
  }

  finish(): void {
    if (this.over) return;
    this.over = true;
    this.#finish();
  }

  abort(reason: unknown): void {
    if (this.over) return;
    this.#fail(reason);
    this.finish();
  }
}
