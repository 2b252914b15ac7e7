/**
 * Shared timers and abort signals for request timeouts.
 *
 * A client that sends thousands of requests a second would otherwise arm and clear one
 * timer and create one AbortController per request, which on a loopback request costs
 * more than all the client's other bookkeeping together (an AbortController is about
 * 0.5 µs on Bun, a setTimeout/clearTimeout pair about 2.7 µs on Deno). Deadlines are
 * rounded up to the next multiple of {@linkcode TIMER_GRANULARITY_MS}, and all requests
 * whose time runs out in the same slot share one timer and one AbortSignal: when it fires,
 * every one of them has timed out, so aborting them together is exactly right. A timeout
 * thus fires at its limit or up to that much later, never earlier.
 *
 * @module
 */

/** How coarse the shared timers are, in ms. */
export const TIMER_GRANULARITY_MS = 25;

/** A participant in a slot: told when the slot's time is up, before the shared abort. */
export interface SlotMember {
  onTimeout(): void;
}

/** One point in time that many requests run out at. */
export interface Slot {
  readonly at: number;
  readonly controller: AbortController;
  readonly members: Set<SlotMember>;
  readonly timer: ReturnType<typeof setTimeout>;
}

const slots = new Map<number, Slot>();

function fire(at: number): void {
  const slot = slots.get(at);
  slots.delete(at);
  if (!slot) return;
  for (const member of slot.members) member.onTimeout();
  slot.controller.abort();
}

/** Joins the slot `ms` from now (rounded up to the granularity). */
export function joinSlot(ms: number, member: SlotMember): Slot {
  const at = Math.ceil((Date.now() + ms) / TIMER_GRANULARITY_MS) * TIMER_GRANULARITY_MS;
  let slot = slots.get(at);
  if (!slot) {
    slot = {
      at,
      controller: new AbortController(),
      members: new Set(),
      timer: setTimeout(() => fire(at), Math.max(0, at - Date.now())),
    };
    slots.set(at, slot);
  }
  slot.members.add(member);
  return slot;
}

/** Leaves a slot; the last one out clears its timer, so an idle client keeps no timer alive. */
export function leaveSlot(slot: Slot, member: SlotMember): void {
  slot.members.delete(member);
  if (slot.members.size === 0 && slots.get(slot.at) === slot) {
    clearTimeout(slot.timer);
    slots.delete(slot.at);
  }
}
