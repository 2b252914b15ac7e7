/**
 * A tool cannot work on this system (no `/proc/net` for netstat, say). The CLI prints
 * the message and exits with code 1.
 */
export class NotSupportedError extends Error {
  /** Stable code for programs: always `"ENOTSUP"`. */
  readonly code: "ENOTSUP" = "ENOTSUP";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NotSupportedError";
  }
}
