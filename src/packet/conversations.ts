/**
 * Connections of a capture, one row each as Zeek's conn.log writes them, with the
 * Community ID: the library side of `anynet pcap conv`. The tracking itself is in
 * _conn_tracker.ts; this file streams the capture through it with bounded memory.
 *
 * @module
 */
import { checkIntegerRange, checkOptionsObject } from "../_argument_checks.ts";
import { type Conn, type ConnRecord, ConnTracker } from "./_conn_tracker.ts";
import { DEFAULT_MAX_CONNECTIONS, MAX_CONNECTIONS } from "./_conn_limits.ts";
import { checkEngine, type Engine } from "./_engine.ts";
import { ipv4Text, ipv6Text } from "./_format.ts";
import { checkSource } from "./_drive.ts";
import { type CaptureSource, openCapture } from "./open_capture.ts";
import { filterOption, type PacketFilter } from "./packet_filter.ts";

export type { ConnRecord } from "./_conn_tracker.ts";

/** Options for {@linkcode conversations}. */
export interface ConversationsOptions {
  /** The decoder implementation. @default {"wasm"} */
  engine?: Engine;
  /** Stops early when aborted; the connections open then are still reported. */
  signal?: AbortSignal;
  /**
   * The most connections tracked at once, from 1 to 8388608. When a new connection
   * arrives at the bound, one of the least recently active is ended and reported
   * (`summary.evicted` counts those that had not ended by then); a later packet of it
   * starts a new row. Each connection takes about 460 bytes. @default {262144}
   */
  maxConnections?: number;
  /** The Community ID seed, from 0 to 65535. @default {0} */
  communityIdSeed?: number;
  /**
   * Only the packets that match this display filter count (as `openCapture`'s `filter`):
   * a connection is built from its matching packets alone, so `tcp.port == 443` keeps
   * whole connections while `tcp.flags.syn == 1` leaves only their SYNs.
   */
  filter?: string | PacketFilter;
}

/** What a finished run of {@linkcode conversations} counted beside its rows. */
export interface ConversationsSummary {
  /** Connections reported. */
  connections: number;
  /** Connections ended early because the table was full. */
  evicted: number;
  /** IP packets that belong to no connection: later fragments, a transport header cut short. */
  unattributed: number;
}

/** The connections of a capture (async iterable) and, once iterated, its summary. */
export interface Conversations extends AsyncIterable<ConnRecord> {
  /** Filled in when the iteration is over. */
  readonly summary: ConversationsSummary;
}

function addressText(b: Uint8Array, o: number, alen: number): string {
  return alen === 4 ? ipv4Text(b, o) : ipv6Text(b, o);
}

/**
 * The connections of a capture as Zeek's conn.log rows: start, duration, protocol,
 * originator and responder, packets and bytes each way, `conn_state`, `history` and
 * the Community ID. A row is yielded when its connection ends (a timeout, reuse of its
 * five-tuple, or the table's bound); those still open at the end of the capture follow
 * in order of start.
 *
 * @param source The capture bytes, a stream of chunks, or a file path.
 * @param options Engine, table bound, Community ID seed, abort signal.
 * @returns The rows, and a summary once they are all read.
 * @throws {TypeError} On a source, options or engine of the wrong kind.
 * @throws {RangeError} On a `maxConnections` or seed out of range.
 * @throws {FilterError} On a filter that cannot be read.
 * @throws {CaptureError} (during iteration) When the capture is damaged at the file level,
 *   after the rows of every packet before it.
 * @example
 * ```ts
 * import { conversations } from "anynet/packet";
 * for await (const conn of conversations("capture.pcap")) {
 *   console.log(conn["id.orig_h"], conn["id.resp_h"], conn.conn_state, conn.community_id);
 * }
 * ```
 */
export function conversations(source: CaptureSource, options: ConversationsOptions = {}): Conversations {
  const action = "list conversations";
  checkSource(source);
  checkOptionsObject(action, options, ["engine", "signal", "maxConnections", "communityIdSeed", "filter"]);
  const engine = checkEngine(options.engine, action);
  const maxConnections = checkIntegerRange(
    action,
    "maxConnections",
    options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    1,
    MAX_CONNECTIONS,
  );
  const communityIdSeed = checkIntegerRange(action, "communityIdSeed", options.communityIdSeed ?? 0, 0, 65535);
  // Compiled here, so a mistake is thrown by this call rather than by the first iteration.
  const filter = filterOption(options.filter);
  const summary: ConversationsSummary = { connections: 0, evicted: 0, unattributed: 0 };
  return {
    summary,
    async *[Symbol.asyncIterator](): AsyncGenerator<ConnRecord> {
      const ended: Conn[] = [];
      const tracker = new ConnTracker({ maxConnections, communityIdSeed, onEnd: (c) => ended.push(c) });
      const flush = function* (): Generator<ConnRecord> {
        for (const c of ended) {
          summary.connections++;
          yield tracker.record(c, addressText);
        }
        ended.length = 0;
      };
      let failure: unknown;
      try {
        for await (const batch of openCapture(source, { engine, signal: options.signal, filter })) {
          tracker.addRows(batch._table, batch._bytes, batch.length);
          yield* flush();
        }
      } catch (error) {
        failure = error;
      }
      // On a damaged file too, the connections seen up to the damage come before the error.
      tracker.finish();
      summary.evicted = tracker.evicted;
      summary.unattributed = tracker.unattributed;
      yield* flush();
      if (failure !== undefined) throw failure;
    },
  };
}
