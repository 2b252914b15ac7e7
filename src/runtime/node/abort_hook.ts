/**
 * Timeouts for Node's built-in fetch without an AbortSignal per request.
 *
 * Node's fetch (undici) pays for every signal it is given: it follows the signal with a
 * controller of its own, a WeakRef and a FinalizationRegistry entry, and keeps its abort
 * listener on the signal until the request is garbage-collected. On a loopback request
 * that is several percent of the request. Undici also accepts a `dispatcher` per request,
 * and hands the dispatcher's handler the means to abort that one request, in one of two
 * shapes:
 * - undici 6 and 7 (Node 22 and 24): `onConnect(abort, context)`, `abort(reason)` a function;
 * - undici 8 (Node 26): `onRequestStart(controller, context)`, whose `controller.abort(reason)`
 *   aborts the request.
 * Either abort does nothing once the request has ended or been aborted. A dispatcher that
 * passes every request on to the global one, after noting how to abort it, lets anynet
 * abort a request without a signal.
 *
 * The global dispatcher is the one fetch itself would use. Undici 6 and 7 keep it under
 * `Symbol.for("undici.globalDispatcher.1")`. Undici 8 keeps it under `…2` and puts under
 * `…1` a wrapper for callers of the older API that copies each request's options to force
 * HTTP/1.1: forwarding to that would cost every request the copy, and HTTPS requests their
 * HTTP/2.
 *
 * Undici hands over the abort only once the connection is up, so a timeout that fires
 * while connecting cannot abort yet: the caller's promise is rejected at once (see
 * Attempt), and the request is aborted the moment undici hands over its abort.
 *
 * The hook is used only once a dispatch has shown that the handler has `onRequestStart` or
 * `onConnect`; until then, and on any undici that is shaped otherwise, requests carry a
 * signal as before.
 *
 * @module
 */
import { globalProcess } from "../_shared/global_process.ts";
import type { FetchAbortHandle } from "../http_types.ts";

const process = globalProcess();

/** Aborts one request with `reason`; does nothing once the request has ended or been aborted. */
interface RequestAbort {
  abort(reason: Error): void;
}

/** The two handler methods through which undici hands over a request's abort. */
interface UndiciHandler {
  /** Undici 8. */
  onRequestStart?: (controller: RequestAbort, context: unknown) => void;
  /** Undici 6 and 7. */
  onConnect?: (abort: (reason: Error) => void, context: unknown) => void;
}

/** What undici's fetch needs of a `dispatcher`. */
interface Dispatcher {
  dispatch(options: unknown, handler: UndiciHandler): boolean;
}

const undiciMajor = Number(process.versions.undici?.split(".")[0]);
const GLOBAL_DISPATCHER = Symbol.for(`undici.globalDispatcher.${undiciMajor >= 8 ? 2 : 1}`);
let proven = false;

function globalDispatcher(): Dispatcher | undefined {
  const dispatcher = (globalThis as Record<symbol, Dispatcher | undefined>)[GLOBAL_DISPATCHER];
  return typeof dispatcher?.dispatch === "function" ? dispatcher : undefined;
}

/**
 * One request's dispatcher, and the handle that aborts the request. It keeps undici 8's
 * controller, or older undici's abort function, as they are handed over, so that neither
 * shape costs an object more per request.
 */
class HookedDispatcher implements Dispatcher, FetchAbortHandle {
  readonly #target: Dispatcher;
  #controller: RequestAbort | undefined;
  #abortFunction: ((reason: Error) => void) | undefined;
  /** Why the request was aborted, once it was (perhaps before undici handed over the means). */
  #reason: Error | undefined;
  #rejectPending: ((reason: unknown) => void) | undefined;

  constructor(target: Dispatcher) {
    this.#target = target;
    this.#controller = undefined;
    this.#abortFunction = undefined;
    this.#reason = undefined;
    this.#rejectPending = undefined;
  }

  get proven(): boolean {
    return proven;
  }

  attach(init: RequestInit): void {
    (init as RequestInit & { dispatcher?: Dispatcher }).dispatcher = this;
  }

  dispatch(options: unknown, handler: UndiciHandler): boolean {
    // Undici 7 also takes handlers of the newer shape, and prefers `onRequestStart` when a
    // handler has both: so does the hook.
    const onRequestStart = handler.onRequestStart;
    if (typeof onRequestStart === "function") {
      handler.onRequestStart = (controller, context) => {
        this.#controller = controller;
        this.#handedOver();
        return onRequestStart.call(handler, controller, context);
      };
      proven = true;
    } else {
      const onConnect = handler.onConnect;
      if (typeof onConnect === "function") {
        handler.onConnect = (abort, context) => {
          this.#abortFunction = abort;
          this.#handedOver();
          return onConnect.call(handler, abort, context);
        };
        proven = true;
      }
    }
    return this.#target.dispatch(options, handler);
  }

  /** Handed over after the request was aborted (it was still connecting): abort it now. */
  #handedOver(): void {
    if (this.#reason !== undefined) this.#abortRequest(this.#reason);
  }

  #abortRequest(reason: Error): void {
    if (this.#controller !== undefined) this.#controller.abort(reason);
    else this.#abortFunction?.(reason);
  }

  abort(reason: Error): void {
    this.#reason ??= reason;
    this.#abortRequest(reason);
    this.#rejectPending?.(reason);
  }

  guard(pending: Promise<Response>): Promise<Response> {
    if (this.#reason !== undefined) return Promise.reject(this.#reason);
    return new Promise((resolve, reject) => {
      this.#rejectPending = reject;
      pending.then(resolve, reject);
    });
  }
}

/**
 * A handle that aborts one request on Node without a signal; `undefined` before Node has
 * loaded undici, which sets up the global dispatcher (the first fetch does that, or any
 * Headers or Response before it).
 */
export function nodeAbortWithoutSignal(): FetchAbortHandle | undefined {
  const target = globalDispatcher();
  return target && new HookedDispatcher(target);
}
