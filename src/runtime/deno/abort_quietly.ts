/**
 * Aborting a signal that Deno's native server listens to, when the resource it stands
 * for may already be gone.
 *
 * Deno's HTTP server listens to the abort signal it is given and, on abort, cancels its
 * native server by resource id. When the native side has closed that resource already
 * (the client reset the connection, or it ended) and JavaScript has not yet heard of it
 * (that news comes with a later turn of the event loop), the cancel throws `BadResource`
 * inside the abort event; an error thrown by an event listener is reported as uncaught,
 * which ends a Deno process. serve.ts cuts connections from timers, so a timer that
 * fires in that window took the whole server down (seen once in a test run: the idle
 * sweep's cut of a connection the native side had just closed ended `pcap view`).
 *
 * @module
 */
import { deno } from "./deno_api.ts";

/**
 * Aborts `controller`. A `BadResource` error that one of its listeners throws (what it
 * was to cancel is already gone, which is what aborting wanted) is kept from ending the
 * process; any other error a listener throws is reported as before.
 */
export function abortQuietly(controller: AbortController): void {
  // Listener errors are reported synchronously, while abort() runs, as an "error" event
  // on the global scope: a handler that cancels it keeps the process alive.
  const keepAlive = (event: Event) => {
    if ((event as ErrorEvent).error instanceof deno().errors.BadResource) event.preventDefault();
  };
  globalThis.addEventListener("error", keepAlive);
  try {
    controller.abort();
  } finally {
    globalThis.removeEventListener("error", keepAlive);
  }
}
