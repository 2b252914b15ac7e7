/**
 * Waiting for one turn of the event loop, for loops that could otherwise keep it from
 * running timers, I/O and signal handlers for as long as they last (a stream of
 * datagrams, a large capture file read synchronously).
 *
 * @module
 */

/**
 * Resolves after the event loop has had a turn (timers, I/O, signal handlers).
 * setImmediate where there is one (Node, Deno, Bun): setTimeout(0) waits at least 1 ms on Node.
 */
export function nextTurn(): Promise<void> {
  return new Promise((
    resolve,
  ) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));
}
