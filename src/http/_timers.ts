/**
 * Shared timers for request timeouts.
 *
 * A client that sends thousands of requests a second would otherwise arm and clear one
 * timer per request, which costs more than a loopback request's own bookkeeping on some
 * runtimes (about 2.7 µs per setTimeout/clearTimeout pair on Deno). Deadlines are rounded
 * up to the next multiple of {@linkcode TIMER_GRANULARITY_MS}, and every deadline in the
 * same slot shares one timer. A timeout therefore fires at its limit or up to that much
 * later, never earlier.
 *
 * @module
 */

/** How coarse the shared timers are, in ms. */
export const TIMER_GRANULARITY_MS = 25;

interface Slot {
  timer: ReturnType<typeof setTimeout>;
  callbacks: Set<() => void>;
}

const slots = new Map<number, Slot>();

function fire(at: number): void {
  const slot = slots.get(at);
  slots.delete(at);
  if (!slot) return;
  for (const callback of slot.callbacks) callback();
}

/** Runs `callback` once, `ms` from now (rounded up to the granularity); returns a canceller. */
export function schedule(ms: number, callback: () => void): () => void {
  const at = Math.ceil((Date.now() + ms) / TIMER_GRANULARITY_MS) * TIMER_GRANULARITY_MS;
  let slot = slots.get(at);
  if (!slot) {
    slot = { timer: setTimeout(() => fire(at), Math.max(0, at - Date.now())), callbacks: new Set() };
    slots.set(at, slot);
  }
  const { callbacks } = slot;
  callbacks.add(callback);
  return () => {
    callbacks.delete(callback);
    // The last one out clears the timer, so an idle client keeps no timer (or process) alive.
    if (callbacks.size === 0 && slots.get(at)?.callbacks === callbacks) {
      clearTimeout(slots.get(at)!.timer);
      slots.delete(at);
    }
  };
}
