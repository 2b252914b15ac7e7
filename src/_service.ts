/**
 * The life of a long-running server, the same for the TCP and UDP echo servers and the
 * proxy, so that starting, stopping and draining work alike in each:
 *
 * - a loop takes work in (a connection, a datagram) until its source ends or the server
 *   stops, and hands each piece to the server, which may start a handler for it;
 * - stopping stops taking work, lets the handlers finish for a grace period, then ends
 *   whatever is still open: a shutdown is never cut short by new work and never waits
 *   for good on a peer that does not finish; a handler that outlives even that (one that
 *   would never notice its connection ended) is given up after a last short wait, so a
 *   stop always ends;
 * - a caller's AbortSignal stops the server as `close()` does, and the handle's
 *   `close()` and `await using` stop it and wait for the end.
 *
 * @module
 */

/** How long handlers still get after `endRemaining()` unless the spec says otherwise, in ms. */
export const ABANDON_AFTER_MS = 2000;

/** What a {@linkcode Service} runs. */
export interface ServiceSpec<T> {
  /**
   * Takes the next piece of work. `null` ends the loop (the listener or socket was
   * closed); a rejection ends the service at once, `finished` rejecting with it. The
   * first call comes from the constructor.
   */
  accept(): Promise<T | null>;
  /**
   * Deals with one piece of work. A promise returned is its handler, which the drain
   * waits for (a rejection counts as finished); `undefined`: nothing left to wait for.
   */
  serve(item: T): Promise<void> | undefined;
  /**
   * Each handler runs to its end before the next piece of work is taken (datagrams of
   * one socket, answered in order); a rejection then ends the service with it. @default false
   */
  oneAtATime?: boolean;
  /** Gets rid of a piece of work that arrived as the server stopped. @default drops it */
  discard?(item: T): void;
  /**
   * Stops taking work (closes the listener or socket) and asks the handlers to finish;
   * called once, by the first `stop()`.
   */
  onStop(): void;
  /** Milliseconds the drain lets the handlers finish. @default no limit */
  gracePeriod?: number;
  /** Ends whatever is still open once the drain is over: every handler finished, or the grace period passed. */
  endRemaining?(): void;
  /**
   * Milliseconds the handlers still get after `endRemaining()`; those not finished by
   * then are given up (the service finishes without them). @default {@linkcode ABANDON_AFTER_MS}
   */
  abandonAfter?: number;
  /** Told how many handlers were given up after `endRemaining()`, before `onFinished()`. */
  onAbandoned?(count: number): void;
  /** Releases what the server holds (timers, the listener), last. */
  onFinished?(): void;
  /** Stops the service when aborted, as `stop()` does. */
  signal?: AbortSignal | undefined;
}

/** The part of a server's handle that the service makes: `finished`, `close()` and `await using`. */
export interface ServiceHandle<R> extends AsyncDisposable {
  /** Settles once the server has stopped and every handler is finished. */
  readonly finished: Promise<R>;
  /** Stops gracefully. @returns The `finished` promise. */
  close(): Promise<R>;
}

/**
 * A running server's loop, handlers and drain; see the module documentation. Takes work
 * from the moment it is made.
 */
export class Service<T> {
  /**
   * Settles once the service has stopped, or its source ended, and every handler is
   * finished; rejects when `accept()` rejected.
   */
  readonly finished: Promise<void>;
  readonly #spec: ServiceSpec<T>;
  readonly #stop = new AbortController();
  readonly #handlers = new Set<Promise<void>>();

  constructor(spec: ServiceSpec<T>) {
    this.#spec = spec;
    const stopRequested = new Promise<void>((resolve) =>
      this.#stop.signal.addEventListener("abort", () => resolve(), { once: true })
    );
    this.finished = this.#run(stopRequested);
    const { signal } = spec;
    if (signal) {
      if (signal.aborted) this.stop();
      else signal.addEventListener("abort", this.stop, { once: true });
    }
  }

  /** Whether `stop()` was called (or the signal aborted). */
  get stopping(): boolean {
    return this.#stop.signal.aborted;
  }

  /** Aborted when the service stops: for the server's own waits and background work. */
  get stopSignal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Stops taking work and drains; safe to call again. A property, so that it can be handed on unbound. */
  readonly stop = (): void => {
    if (this.stopping) return;
    this.#stop.abort();
    this.#spec.onStop();
  };

  /** The handle's `finished`, `close()` and `[Symbol.asyncDispose]()`, for a server that settles with `finished`. */
  handle<R>(finished: Promise<R>): ServiceHandle<R> {
    const stop = this.stop;
    return {
      finished,
      close() {
        stop();
        return finished;
      },
      async [Symbol.asyncDispose]() {
        stop();
        await finished;
      },
    };
  }

  async #run(stopRequested: Promise<void>): Promise<void> {
    const spec = this.#spec;
    try {
      await this.#takeWork();
      const allDone = (async () => {
        while (this.#handlers.size > 0) await Promise.allSettled([...this.#handlers]);
      })();
      // The source ended by itself (a server that serves a number of clients): the
      // handlers run on to their end, or until a stop starts the drain.
      if (!this.stopping) await Promise.race([allDone, stopRequested]);
      if (spec.gracePeriod !== undefined) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, spec.gracePeriod)));
        await Promise.race([allDone, grace]);
        clearTimeout(timer);
      } else {
        await allDone;
      }
      if (spec.endRemaining) {
        spec.endRemaining();
        // Ended connections end their handlers at once; one still running after this wait
        // is stuck on something that will never come, and a stop must not wait for it.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const giveUp = new Promise<"late">((
          resolve,
        ) => (timer = setTimeout(resolve, spec.abandonAfter ?? ABANDON_AFTER_MS, "late")));
        const outcome = await Promise.race([allDone, giveUp]);
        clearTimeout(timer);
        if (outcome === "late") spec.onAbandoned?.(this.#handlers.size);
      } else {
        await allDone;
      }
      spec.onFinished?.();
    } finally {
      spec.signal?.removeEventListener("abort", this.stop);
    }
  }

  async #takeWork(): Promise<void> {
    const spec = this.#spec;
    while (!this.stopping) {
      const item = await spec.accept();
      if (item === null) return;
      if (this.stopping) {
        spec.discard?.(item);
        return;
      }
      const handler = spec.serve(item);
      if (handler === undefined) continue;
      if (spec.oneAtATime) {
        await handler;
        continue;
      }
      this.#handlers.add(handler);
      const forget = () => this.#handlers.delete(handler);
      handler.then(forget, forget);
    }
  }
}

/**
 * Wraps a user's event callback so that it can never take a server down: what it throws
 * is dropped (a logging mistake must not end the connections it logs).
 */
export function safeEventCallback<E>(onEvent: ((event: E) => void) | undefined): (event: E) => void {
  if (!onEvent) return () => {};
  return (event) => {
    try {
      onEvent(event);
    } catch {
      // dropped: see above
    }
  };
}
