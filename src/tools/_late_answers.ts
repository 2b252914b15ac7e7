/**
 * How the load generators find answers that are late: one sweep over the connections a
 * few times a second closes those whose answer has taken longer than the time limit,
 * which costs far less than a timer per request or message.
 *
 * @module
 */
import type { Connection } from "../net/mod.ts";

/** One connection of a load generator, as the sweep sees it. */
export interface LoadSlot {
  /** The connection, while open. */
  conn: Connection | undefined;
  /** When the request or message in flight went (`performance.now()`), or 0 when none is. */
  sentAt: number;
  /** Set by the sweep when it closed the connection for a late answer. */
  timedOut: boolean;
}

/** A slot with no connection yet. */
export function emptySlot(): LoadSlot {
  return { conn: undefined, sentAt: 0, timedOut: false };
}

/**
 * Sweeps `slots` (as they are at each sweep) about four times per `timeout` (every 5 to
 * 250 ms) and closes the connection of any whose answer is more than `timeout` ms late,
 * marking it `timedOut`. Returns the function that stops the sweeps.
 */
export function sweepLateAnswers(slots: readonly LoadSlot[], timeout: number): () => void {
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const slot of slots) {
      if (slot.conn && slot.sentAt > 0 && now - slot.sentAt > timeout) {
        slot.timedOut = true;
        slot.conn.close();
      }
    }
  }, Math.max(5, Math.min(timeout / 4, 250)));
  return () => clearInterval(sweeper);
}
