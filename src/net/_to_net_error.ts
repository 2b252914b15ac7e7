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
import { sayTlsFailure, tersify, type TlsFailureKind } from "../_error_kind.ts";

type ErrorClass = new (message: string, options?: { cause?: unknown }) => NetError;

// Node and Bun set `code` to the errno name; Deno throws classes named after the
// failure (`Deno.errors.ConnectionRefused`), usually with a `code` as well; TLS
// failures come as OpenSSL/Node codes on Node and Bun and as InvalidData on Deno.
const byCode: Record<string, ErrorClass> = {
  ECONNREFUSED: ConnectionRefusedError,
  ECONNRESET: ConnectionResetError,
  EPIPE: ConnectionResetError,
  ECONNABORTED: ConnectionResetError,
  ETIMEDOUT: TimedOutError,
  EADDRINUSE: AddressInUseError,
  EADDRNOTAVAIL: AddressNotAvailableError,
  EACCES: PermissionDeniedError,
  EPERM: PermissionDeniedError,
  ENOTFOUND: HostNotFoundError,
  EAI_AGAIN: HostNotFoundError,
  EAI_NONAME: HostNotFoundError,
  EAI_FAIL: HostNotFoundError,
  EHOSTUNREACH: HostUnreachableError,
  ENETUNREACH: HostUnreachableError,
  EPROTO: TlsError,
  ERR_SOCKET_CLOSED: SocketClosedError,
  ERR_STREAM_DESTROYED: SocketClosedError,
  ERR_SOCKET_DGRAM_NOT_RUNNING: SocketClosedError,
  ERR_NOT_SUPPORTED: UnsupportedError,
};

const byName: Record<string, ErrorClass> = {
  ConnectionRefused: ConnectionRefusedError,
  ConnectionReset: ConnectionResetError,
  ConnectionAborted: ConnectionResetError,
  BrokenPipe: ConnectionResetError,
  TimedOut: TimedOutError,
  AddrInUse: AddressInUseError,
  AddrNotAvailable: AddressNotAvailableError,
  PermissionDenied: PermissionDeniedError,
  NotCapable: PermissionDeniedError,
  BadResource: SocketClosedError,
  InvalidData: TlsError,
};

const TLS_CODE = /CERT|SSL|TLS|UNABLE_TO|SELF_SIGNED|HOSTNAME|ALTNAME|DECRYPT|HANDSHAKE/;
const TLS_MESSAGE =
  /certificate|handshake|\btls\b|\bssl\b|peer sent no certificates|wrong version number|corrupt message|unexpected handshake message/i;
// What the caller can do about a TLS failure, in the socket layer's terms.
const TLS_ADVICE: Partial<Record<TlsFailureKind, string>> = {
  untrusted: "give the CA that issued it with 'caCerts' (--ca in the CLI)",
};
const DNS_MESSAGE = /failed to lookup address|name or service not known|getaddrinfo|no address associated/i;

/**
 * Turns any runtime's error into a {@linkcode NetError}: `action` names what failed
 * (`"connect to 127.0.0.1:1"`) and starts the message. A `NetError` passes unchanged,
 * and so does an abort (the caller's own signal reason).
 */
export function toNetError(error: unknown, action: string): NetError {
  if (error instanceof NetError) return error;
  const { code, name, message } = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : String(error);
  const codeText = typeof code === "string" ? code : "";
  const nameText = typeof name === "string" ? name : "";
  let kind: ErrorClass | undefined = byCode[codeText] ?? (TLS_CODE.test(codeText) ? TlsError : undefined);
  kind ??= byName[nameText];
  if (!kind && TLS_MESSAGE.test(text)) kind = TlsError;
  if (!kind && DNS_MESSAGE.test(text)) kind = HostNotFoundError;
  if (!kind && /connection reset|broken pipe/i.test(text)) kind = ConnectionResetError;
  if (!kind && /connection refused/i.test(text)) kind = ConnectionRefusedError;
  if (!kind && /requires net access|permission/i.test(text)) kind = PermissionDeniedError;
  const short = tersify(text);
  const withCode = codeText && !short.includes(codeText) ? `${short}, ${codeText}` : short;
  const detail = withCode === short ? short : `${short} (${codeText})`;
  if (!kind) return new NetError("EUNKNOWN", `Cannot ${action}: ${detail}`, { cause: error });
  const tls = kind === TlsError ? sayTlsFailure(`${text} ${codeText}`, withCode, TLS_ADVICE) : undefined;
  return new kind(`Cannot ${action}: ${tls ?? detail}`, { cause: error });
}
