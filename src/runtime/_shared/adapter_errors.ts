/**
 * The errors the adapters make themselves, for what a runtime reports without an error
 * of its own (a closed socket used, a peer gone during a handshake). Each carries the
 * code that src/_error_kind.ts reads, so that they are classified like the runtimes'
 * own errors on every runtime.
 *
 * @module
 */

/** A read or write on a stream socket that was closed. */
export function closedError(cause?: unknown): Error {
  return Object.assign(
    new Error("the connection is closed"),
    cause === undefined ? { code: "ERR_SOCKET_CLOSED" } : { code: "ERR_SOCKET_CLOSED", cause },
  );
}

/** The peer left while the TLS handshake was still going on. */
export function handshakeAbandonedError(): Error {
  return Object.assign(new Error("the peer closed the connection during the TLS handshake"), { code: "ECONNRESET" });
}

/** A TLS handshake that failed without saying why. */
export function handshakeFailedError(): Error {
  return Object.assign(new Error("TLS handshake failed"), { code: "ERR_TLS_HANDSHAKE" });
}

/** A send on a UDP socket that was closed. */
export function datagramSocketClosedError(): Error {
  return Object.assign(new Error("the socket is closed"), { code: "ERR_SOCKET_DGRAM_NOT_RUNNING" });
}
