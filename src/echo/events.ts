import type { NetAddr } from "../net/mod.ts";

/** What happened on an echo server, for logging (see `ServeEchoOptions.onEvent`). */
export type EchoEvent =
  /** A client connected. */
  | { type: "open"; remoteAddr: NetAddr }
  /** A client finished; `bytes` were echoed. */
  | { type: "close"; remoteAddr: NetAddr; bytes: number }
  /** A connection failed (reset, TLS failure …); `bytes` were echoed before. */
  | { type: "error"; remoteAddr: NetAddr; bytes: number; error: unknown }
  /** A connection was closed for making no progress within the idle timeout. */
  | { type: "idle"; remoteAddr: NetAddr }
  /** A connection was closed at once, as the server was full. */
  | { type: "refuse"; remoteAddr: NetAddr; reason: string }
  /** A UDP datagram was echoed. */
  | { type: "datagram"; remoteAddr: NetAddr; bytes: number }
  /**
   * Something was dropped unserved: a connection the peer reset before it could be served
   * (no address: `remoteAddr` is undefined), or a datagram that claims to come from the
   * server itself (echoing it would loop). `reason` says which, in words.
   */
  | { type: "drop"; what: "connection" | "datagram"; remoteAddr: NetAddr | undefined; reason: string };
