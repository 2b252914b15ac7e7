/**
 * Timeouts for Node's built-in fetch without an AbortSignal per request.
 *
 * Node's fetch (undici) pays for every signal it is given: it follows the signal with a
 * controller of its own, a WeakRef and a FinalizationRegistry entry, and keeps its abort
 * listener on the signal until the request is garbage-collected. On a loopback request
 * that is several percent of the request. Undici also accepts a `dispatcher` per request,
 * and hands each request's own abort function to the dispatcher's handler (`onConnect`).
 * A dispatcher that passes every request on to the global one, after noting that abort
 * function, lets anynet abort a request without a signal.
 *
 * Undici calls `onConnect` only once the connection is up, so a timeout that fires while
 * connecting cannot abort yet: the caller's promise is rejected at once (see Attempt), and
 * the request is aborted the moment undici hands over its abort function.
 *
 * The hook is used only once a dispatch has shown that the handler has `onConnect` (the
 * shape of Node 18 to 22's undici); until then, and on any undici that is shaped
 * otherwise, requests carry a signal as before.
 *
 * @module
 */
import { detectRuntime } from "../detect.ts";

/** Aborts one request with `reason`. */
export type AbortRequest = (reason: Error) => void;

interface UndiciHandler {
  onConnect?: (abort: AbortRequest, context?: unknown) => void;
}

/** What undici's fetch needs of a `dispatcher`. */
export interface Dispatcher {
  dispatch(options: unknown, handler: UndiciHandler): boolean;
}

const GLOBAL_DISPATCHER = Symbol.for("undici.globalDispatcher.1");
/** Whether this is Node, the one runtime the hook is for. */
export const onNode: boolean = detectRuntime().name === "node";
let seenOnConnect = false;

function globalDispatcher(): Dispatcher | undefined {
  const dispatcher = (globalThis as Record<symbol, Dispatcher | undefined>)[GLOBAL_DISPATCHER];
  return typeof dispatcher?.dispatch === "function" ? dispatcher : undefined;
}

class HookedDispatcher implements Dispatcher {
  readonly #target: Dispatcher;
  readonly #owner: AbortableOwner;

  constructor(target: Dispatcher, owner: AbortableOwner) {
    this.#target = target;
    this.#owner = owner;
  }

  dispatch(options: unknown, handler: UndiciHandler): boolean {
    const onConnect = handler.onConnect;
    if (typeof onConnect === "function") {
      const owner = this.#owner;
      handler.onConnect = function (this: UndiciHandler, abort: AbortRequest, context?: unknown) {
        owner.onAbortable(abort);
        return onConnect.call(this, abort, context);
      };
      seenOnConnect = true;
    }
    return this.#target.dispatch(options, handler);
  }
}

/** What is told a request's abort function. */
export interface AbortableOwner {
  onAbortable(abort: AbortRequest): void;
}

/**
 * A dispatcher for one request on Node that hands the request's abort function to
 * `owner`; `undefined` elsewhere, or before Node's fetch has set up its global
 * dispatcher (its first request does that).
 */
export function abortHookDispatcher(owner: AbortableOwner): Dispatcher | undefined {
  if (!onNode) return undefined;
  const target = globalDispatcher();
  return target && new HookedDispatcher(target, owner);
}

/** Whether requests through {@linkcode abortHookDispatcher} are known to be abortable. */
export function abortHookProven(): boolean {
  return seenOnConnect;
}
