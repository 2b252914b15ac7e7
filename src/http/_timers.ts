/**
 * Shared timers and abort signals for request timeouts.
 *
 * A client that sends thousands of requests a second would otherwise arm and clear one
 * timer and create one AbortController per request, which on a loopback request costs
 * more than all the client's other bookkeeping together (an AbortController is about
 * 0.5 µs on Bun and 3.7 µs on Node, a setTimeout/clearTimeout pair about 2.7 µs on Deno).
 * Deadlines are rounded up to the next multiple of {@linkcode TIMER_GRANULARITY_MS}, and
 * all requests whose time runs out in the same slot share one timer and one AbortSignal:
 * when it fires, every one of them has timed out, so aborting them together is exactly
 * right. A timeout thus fires at its limit or up to that much later, never earlier.
 *
 * Joining a slot is a Map lookup (or nothing, when the previous request joined the same
 * slot), and leaving it is nothing at all: the slot's timer is unreferenced, so it never
 * keeps a process alive, and when it fires it marks the slot `fired` and aborts its
 * signal. Requests that finished before then are not listening any more; an attempt that
 * sees an error after its slot fired knows the error is its timeout.
 *
 * @module
 */

import { MAX_DELAY_MS } from "../_delay.ts";
import { adapter } from "../runtime/mod.ts";

/** How coarse the shared timers are, in ms. */
export const TIMER_GRANULARITY_MS = 25;

/** An attempt with its own controller, told when its slot's time is up. */
export interface SlotMember {
  onTimeout(): void;
}

/** One point in time that many requests run out at. */
export interface Slot {
  readonly at: number;
  readonly controller: AbortController;
  /** True once the time is up. */
  fired: boolean;
  /** Attempts that must be told (those with their own controller); usually none. */
  members: Set<SlotMember> | undefined;
}

const slots = new Map<number, Slot>();
// Most requests of a burst end in the same slot as the one before.
let recent: Slot | undefined;

/** Sets the slot's timer; a slot further away than one timer can wait is reached in steps. */
function arm(slot: Slot): void {
  // The slot timer must not keep the process alive: a client that has finished its work
  // exits at once, whatever limits its last requests had.
  adapter.timers.unref(setTimeout(() => fire(slot), Math.min(MAX_DELAY_MS, Math.max(0, slot.at - Date.now()))));
}

function fire(slot: Slot): void {
  if (slot.at > Date.now()) return arm(slot);
  slot.fired = true;
  slots.delete(slot.at);
  if (recent === slot) recent = undefined;
  if (slot.members) { for (const member of slot.members) member.onTimeout(); }
  slot.controller.abort();
}

/** The slot `ms` from now (rounded up to the granularity). */
export function joinSlot(ms: number): Slot {
  const at = Math.ceil((Date.now() + ms) / TIMER_GRANULARITY_MS) * TIMER_GRANULARITY_MS;
  if (recent !== undefined && recent.at === at) return recent;
  let slot = slots.get(at);
  if (slot === undefined) {
    const created: Slot = { at, controller: new AbortController(), fired: false, members: undefined };
    arm(created);
    slots.set(at, created);
    slot = created;
  }
  recent = slot;
  return slot;
}

/** Asks to be told when `slot` fires. */
export function watchSlot(slot: Slot, member: SlotMember): void {
  (slot.members ??= new Set()).add(member);
}

/** Stops being told. */
export function unwatchSlot(slot: Slot, member: SlotMember): void {
  slot.members?.delete(member);
}
