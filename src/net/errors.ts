/**
 * Typed network errors. Every runtime's failure is mapped to one of these, with the
 * same class and `code` for the same failure on Node, Deno and Bun, and the runtime's
 * own error kept as `cause`.
 *
 * @module
 */

/** The stable codes of {@linkcode NetError}. */
export type NetErrorCode =
  | "ECONNREFUSED"
  | "ECONNRESET"
  | "ETIMEDOUT"
  | "EADDRINUSE"
  | "EADDRNOTAVAIL"
  | "EACCES"
  | "ENOTFOUND"
  | "EHOSTUNREACH"
  | "ETLS"
  | "ECLOSED"
  | "EUNSUPPORTED"
  | "EUNKNOWN";

/** Options shared by the error constructors. */
export interface NetErrorOptions {
  /** The runtime's original error. */
  cause?: unknown;
}

/**
 * A network failure with a stable `code`. Catch this to catch them all, or one of the
 * subclasses for one kind.
 *
 * @example Tell a refused connection from the rest
 * ```ts
 * import { connect, NetError } from "anynet/net";
 * try {
 *   await connect({ hostname: "127.0.0.1", port: 1 });
 * } catch (error) {
 *   if (error instanceof NetError && error.code === "ECONNREFUSED") console.log("nobody listens");
 * }
 * ```
 */
export class NetError extends Error {
  /** What went wrong, the same on every runtime. */
  readonly code: NetErrorCode;
  constructor(code: NetErrorCode, message: string, options?: NetErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "NetError";
    this.code = code;
  }
}

/** Nobody listens at the address (`ECONNREFUSED`). */
export class ConnectionRefusedError extends NetError {
  constructor(message: string, options?: NetErrorOptions) {
    super("ECONNREFUSED", message, options);
    this.name = "ConnectionRefusedError";
  }
}

/** The peer reset or aborted the connection, or it broke (`ECONNRESET`). */
export class ConnectionResetError extends NetError {
  constructor(message: string, options?: NetErrorOptions) {
    super("ECONNRESET", message, options);
    this.name = "ConnectionResetError";
  }
}

/** An operation outlived its time limit (`ETIMEDOUT`). */
export class TimedOutError extends NetError {
  constructor(message: string, options?: NetErrorOptions) {
    super("ETIMEDOUT", message, options);
    this.name = "TimedOutError";
  }
}

/** Something else already listens at the address (`EADDRINUSE`). */
export class AddressInUseError extends NetError {
  constructor(message: string, options?: NetErrorOptions) {
    super("EADDRINUSE", message, options);
    this.name = "AddressInUseError";
  }
}

/** The address is not one of this machine's (`EADDRNOTAVAIL`). */
export class AddressNotAvailableError extends NetError {
  constructor(message: string, options?: NetErrorOptions) {
    super("EADDRNOTAVAIL", message, options);
    this.name = "AddressNotAvailableError";
  }
}

/** The operating system or the runtime's sandbox refused (`EACCES`): a low port, a missing `--allow-net`. */
export class PermissionDeniedError extends NetError {
  constructor(message: string, options?: NetErrorOptions) {
    super("EACCES", message, options);
    this.name = "PermissionDeniedError";
  }
}

/** The name does not resolve (`ENOTFOUND`). */
export class HostNotFoundError extends NetError {
  constructor(message: string, options?: NetErrorOptions) {
    super("ENOTFOUND", message, options);
    this.name = "HostNotFoundError";
  }
}

/** No route to the host or its network (`EHOSTUNREACH`). */
export class HostUnreachableError extends NetError {
  constructor(message: string, options?: NetErrorOptions) {
    super("EHOSTUNREACH", message, options);
    this.name = "HostUnreachableError";
  }
}

/** The TLS handshake failed: an untrusted certificate, a wrong hostname, not TLS at all (`ETLS`). */
export class TlsError extends NetError {
  constructor(message: string, options?: NetErrorOptions) {
    super("ETLS", message, options);
    this.name = "TlsError";
  }
}

/** The socket was already closed (`ECLOSED`). */
export class SocketClosedError extends NetError {
  constructor(message: string, options?: NetErrorOptions) {
    super("ECLOSED", message, options);
    this.name = "SocketClosedError";
  }
}

/** The runtime cannot do what was asked, such as `reusePort` on Node before 22.12 (`EUNSUPPORTED`). */
export class UnsupportedError extends NetError {
  constructor(message: string, options?: NetErrorOptions) {
    super("EUNSUPPORTED", message, options);
    this.name = "UnsupportedError";
  }
}
