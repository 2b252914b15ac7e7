import type { NetworkErrorReason } from "./errors.ts";
import { sayTlsFailure, tersify, type TlsFailureKind } from "../_tls_failure.ts";

/** What a runtime's fetch failure was, in words a user can act on. */
export interface Classified {
  reason: NetworkErrorReason;
  detail: string;
}

function chain(error: unknown): { codes: string[]; messages: string[] } {
  const codes: string[] = [];
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (typeof current === "object") {
      const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
      if (typeof code === "string") codes.push(code);
      if (typeof message === "string" && message) messages.push(message);
      current = cause;
    } else {
      messages.push(String(current));
      break;
    }
  }
  return { codes, messages };
}

// Each runtime words the same failure differently: Node's undici puts an errno-style `code`
// on the cause ("fetch failed" says nothing), Bun puts the code on the error itself, and
// Deno only has hyper/rustls text in the cause's message. So look at codes and messages.
const rules: { reason: NetworkErrorReason; label: string; codes: RegExp; text: RegExp }[] = [
  {
    reason: "tls",
    label: "TLS failed",
    codes: /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|TLS|HANDSHAKE|EPROTO/i,
    // Deno (rustls) reports plain HTTP on a TLS port as a "corrupt message".
    text: /certificate|tls|ssl|handshake|corrupt message|InvalidContentType/i,
  },
  {
    reason: "dns",
    label: "DNS lookup failed",
    codes: /ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL|DNS/i,
    text: /dns error|failed to lookup|getaddrinfo|name or service not known|name resolution/i,
  },
  {
    reason: "refused",
    label: "connection refused",
    codes: /ECONNREFUSED|ConnectionRefused/i,
    text: /connection refused|ECONNREFUSED/i,
  },
  {
    reason: "reset",
    label: "connection reset or closed by the server",
    codes: /ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED|ConnectionClosed|ERR_STREAM_PREMATURE_CLOSE/i,
    text:
      /reset|closed before message completed|other side closed|socket hang up|connection closed|unexpected eof|incomplete message|premature close|aborted/i,
  },
];

// What the caller can do about a TLS failure, in the HTTP client's terms.
const TLS_ADVICE: Partial<Record<TlsFailureKind, string>> = {
  "not-tls": "is it plain HTTP?",
  untrusted: "give the CA that issued it with the 'ca' option (--ca in the CLI)",
};

function innermost(messages: string[]): string {
  // The outermost message is often the bare "fetch failed"; the innermost says why.
  const useful = messages.filter((m) => !/^fetch failed$/i.test(m));
  return tersify((useful.length > 0 ? useful[useful.length - 1] : messages[0] ?? "unknown error").split("\n")[0]);
}

/**
 * Names the real reason behind a fetch failure (DNS, refused, reset, TLS) from whatever
 * the runtime put in the error and its causes. Once the headers are in (`phase` "body"),
 * any failure is the body breaking off, whatever broke it: Node and Bun call a server
 * that closes mid-body a reset, Deno a body error, and the caller should see one reason.
 */
export function classifyNetworkError(error: unknown, phase: "send" | "body" = "send"): Classified {
  const { codes, messages } = chain(error);
  const text = messages.join(" | ");
  const why = innermost(messages);
  let detail: string | undefined;
  let reason: NetworkErrorReason = phase === "body" ? "body" : "other";
  for (const rule of rules) {
    if (codes.some((c) => rule.codes.test(c)) || rule.text.test(text)) {
      const code = codes.find((c) => rule.codes.test(c));
      const withCode = code && !why.includes(code) ? `${why}, ${code}` : why;
      const tls = rule.reason === "tls" ? sayTlsFailure(`${text} ${codes.join(" ")}`, withCode, TLS_ADVICE) : undefined;
      detail = `${rule.label}: ${tls ?? (withCode === why ? why : `${why} (${code})`)}`;
      if (phase === "send") reason = rule.reason;
      break;
    }
  }
  if (phase === "body") return { reason, detail: `the response body broke off: ${detail ?? why}` };
  return { reason, detail: detail ?? `network error: ${why}` };
}
