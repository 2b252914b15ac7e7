/**
 * Items that runtime events produce (accepted sockets, received datagrams) and one
 * consumer takes: an item goes straight to a waiting `take()`, or waits in a queue.
 *
 * @module
 */

/** A single-consumer queue between event callbacks and `await take()`. */
export class Handoff<T> {
  readonly #items: T[] = [];
  readonly #limit: number;
  #waiter: ((item: T | null) => void) | undefined;
  #ended = false;

  /** @param limit How many items may wait; past it `put()` drops (UDP's full receive buffer). */
  constructor(limit: number = Infinity) {
    this.#limit = limit;
  }

  /** Hands `item` to a waiting `take()` or queues it; false when the queue is full and it was dropped. */
  put(item: T): boolean {
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter(item);
      return true;
    }
    if (this.#items.length >= this.#limit) return false;
    this.#items.push(item);
    return true;
  }

  /** The next item; `null` once `end()` was called and nothing is queued. */
  take(): Promise<T | null> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift()!);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => (this.#waiter = resolve));
  }

  /** No more items will come: a waiting `take()` gets `null`. */
  end(): void {
    this.#ended = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(null);
  }

  /** Removes and returns every queued item (to close what nobody will take). */
  drain(): T[] {
    return this.#items.splice(0);
  }
}
