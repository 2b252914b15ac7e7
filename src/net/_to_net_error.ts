/**
 * The socket layer's side of {@linkcode classifyError}: each kind of failure is one
 * {@linkcode NetError} class, and its message starts with what failed.
 *
 * @module
 */
import { classifyError, type ErrorKind, type TlsFailureKind } from "../_error_kind.ts";
import {
  AddressInUseError,
  AddressNotAvailableError,
  ConnectionRefusedError,
  ConnectionResetError,
  HostNotFoundError,
  HostUnreachableError,
  NetError,
  PermissionDeniedError,
  SocketClosedError,
  TimedOutError,
  TlsError,
  UnsupportedError,
} from "./errors.ts";

type ErrorClass = new (message: string, options?: { cause?: unknown }) => NetError;

// An answer that is not HTTP cannot happen below HTTP; it stays a plain NetError like any unknown failure.
const CLASS_OF: Record<Exclude<ErrorKind, "not-http" | "unknown">, ErrorClass> = {
  "refused": ConnectionRefusedError,
  "reset": ConnectionResetError,
  "timed-out": TimedOutError,
  "address-in-use": AddressInUseError,
  "address-not-available": AddressNotAvailableError,
  "permission-denied": PermissionDeniedError,
  "host-not-found": HostNotFoundError,
  "host-unreachable": HostUnreachableError,
  "tls": TlsError,
  "closed": SocketClosedError,
  "unsupported": UnsupportedError,
};

// What the caller can do about a TLS failure, in the socket layer's terms.
const TLS_ADVICE: Partial<Record<TlsFailureKind, string>> = {
  untrusted: "give the CA that issued it with 'caCerts' (--ca in the CLI)",
};

/**
 * Turns any runtime's error into a {@linkcode NetError}: `action` names what failed
 * (`"connect to 127.0.0.1:1"`) and starts the message. A `NetError` passes unchanged.
 */
export function toNetError(error: unknown, action: string): NetError {
  if (error instanceof NetError) return error;
  const { kind, code, detail: words, tls } = classifyError(error);
  // The runtime's words, then its code where they do not say it already.
  const withCode = code && !words.includes(code) ? `${words}, ${code}` : words;
  const detail = withCode === words ? words : `${words} (${code})`;
  if (kind === "not-http" || kind === "unknown") {
    return new NetError("EUNKNOWN", `Cannot ${action}: ${detail}`, { cause: error });
  }
  const advice = tls && TLS_ADVICE[tls.kind];
  const said = tls ? `${tls.says} (${withCode})` + (advice ? `; ${advice}` : "") : detail;
  return new CLASS_OF[kind](`Cannot ${action}: ${said}`, { cause: error });
}

/** The kind of failure a {@linkcode NetError} is (`"refused"`, `"timed-out"` …), for output that scripts read. */
export function netErrorKind(error: NetError): ErrorKind {
  for (const [kind, errorClass] of Object.entries(CLASS_OF)) {
    if (error instanceof errorClass) return kind as ErrorKind;
  }
  return "unknown";
}
