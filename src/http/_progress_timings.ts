/**
 * `response.timings`: when the phases of the request that gave a response ended. The
 * clock starts when the request is handed to the transport or to fetch; the end of each
 * phase is a `performance.now()` reading, kept as it is and turned into milliseconds
 * after the start only when the caller reads `timings`.
 *
 * What each runtime lets us see differs: anynet's own transport on Node marks the DNS
 * lookup, the TCP connection and the TLS handshake of a new connection (a pooled one that
 * is reused has none of them); fetch (Deno, Bun, Node with `transport: "fetch"`) shows
 * only when the response's head arrived. A phase nobody could see is `undefined`.
 *
 * To change what a phase means or how it is reported, edit it here.
 *
 * @module
 */
import type { TransportTimings } from "../runtime/mod.ts";

/**
 * When each phase of a request ended. `start` is a wall-clock time (ms since the Unix
 * epoch, like `Date.now()`, with a fraction); every other field is milliseconds after
 * `start`, `undefined` where the runtime does not expose the phase or it did not happen.
 */
export interface RequestTimings {
  /** When the request was handed to the transport (ms since the epoch). */
  readonly start: number;
  /** The host name was resolved (Node's transport, a new connection to a host name; not for an IP address). */
  readonly dns: number | undefined;
  /** The TCP connection was up (Node's transport, a new connection). */
  readonly connect: number | undefined;
  /** The TLS handshake was done (Node's transport, a new https connection). */
  readonly tls: number | undefined;
  /** The response's status line and headers had arrived. */
  readonly firstByte: number | undefined;
  /** The response was over: its body read to the end (or dropped, or broken off); undefined until then. */
  readonly end: number | undefined;
}

/** The clock of one request (one hop of an attempt): raw `performance.now()` marks. */
export class HopClock {
  readonly #startedAt: number;
  #phases: TransportTimings | undefined;
  #firstByte: number | undefined;
  #end: number | undefined;

  constructor() {
    this.#startedAt = performance.now();
    this.#phases = undefined;
    this.#firstByte = undefined;
    this.#end = undefined;
  }

  /** The response's head is in; `phases` are what the transport saw of its connection, when it can tell. */
  headIn(phases: TransportTimings | undefined): void {
    this.#phases = phases;
    this.#firstByte = phases?.firstByte ?? performance.now();
  }

  /** The response is over (the first call counts). */
  end(): void {
    this.#end ??= performance.now();
  }

  /** The marks as the caller reads them. */
  timings(): RequestTimings {
    const since = (mark: number | undefined) => mark === undefined ? undefined : mark - this.#startedAt;
    const phases = this.#phases;
    return {
      start: performance.timeOrigin + this.#startedAt,
      dns: since(phases?.dns),
      connect: since(phases?.connect),
      tls: since(phases?.tls),
      firstByte: since(this.#firstByte),
      end: since(this.#end),
    };
  }
}
