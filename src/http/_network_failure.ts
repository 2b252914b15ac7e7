import type { NetworkErrorReason } from "./errors.ts";
import { tersify, tlsFailure, type TlsFailureKind } from "../_error_kind.ts";

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

/** Where the request went: the URL's host and port, for the words below. */
interface Target {
  /** The host name or address as the URL has it. */
  host: string;
  /** `host:port`, with the scheme's default port when the URL names none. */
  hostPort: string;
}

function targetOf(url: string): Target {
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
    return { host: parsed.hostname, hostPort: `${parsed.hostname}:${port}` };
  } catch {
    return { host: url, hostPort: url };
  }
}

// What the caller can do about a TLS failure, in the HTTP client's terms.
const TLS_ADVICE: Partial<Record<TlsFailureKind, string>> = {
  "not-tls": "is it plain HTTP?",
  untrusted: "give the CA that issued it with the 'ca' option (--ca in the CLI)",
};

// Each runtime words the same failure differently (Bun's refused connection is "Unable to
// connect. Is the computer able to access the url?"): Node's undici puts an errno-style
// `code` on the cause ("fetch failed" says nothing), Bun puts the code on the error itself,
// and Deno only has hyper/rustls text in the cause's message. So codes and messages decide
// which failure it was, and each failure is then said in one wording on every runtime; the
// runtime's own error stays the NetworkError's `cause`.
const rules: {
  reason: NetworkErrorReason;
  codes: RegExp;
  text: RegExp;
  say: (target: Target, evidence: string) => string;
}[] = [
  {
    reason: "tls",
    codes: /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|TLS|HANDSHAKE|EPROTO/i,
    // Deno (rustls) reports plain HTTP on a TLS port as a "corrupt message".
    text: /certificate|tls|ssl|handshake|corrupt message|InvalidContentType/i,
    say: (target, evidence) => {
      const failure = tlsFailure(evidence);
      const advice = failure && TLS_ADVICE[failure.kind];
      return `TLS failed with ${target.hostPort}: ${failure?.says ?? "the TLS handshake failed"}` +
        (advice ? `; ${advice}` : "");
    },
  },
  {
    reason: "dns",
    codes: /ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL|DNS/i,
    text: /dns error|failed to lookup|getaddrinfo|name or service not known|name resolution/i,
    say: (target) => `DNS lookup failed: cannot resolve host '${target.host}'`,
  },
  {
    reason: "refused",
    codes: /ECONNREFUSED|ConnectionRefused/i,
    text: /connection refused|ECONNREFUSED/i,
    say: (target) => `connection refused by ${target.hostPort} (is the server running?)`,
  },
  {
    // Not valid HTTP: Bun says this of a bad status line or header (but calls an answer that
    // is no HTTP at all a reset), Node's undici gives an HPE_ parser code, Deno hyper's text.
    reason: "other",
    codes: /^HPE_/,
    text:
      /does not match the HTTP|invalid HTTP|invalid content-length|Malformed_HTTP|InvalidContentLength|InvalidHTTPResponse/i,
    say: (target) => `${target.hostPort} did not answer with valid HTTP`,
  },
  {
    reason: "reset",
    codes: /ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED|ConnectionClosed|ERR_STREAM_PREMATURE_CLOSE/i,
    text:
      /reset|closed before message completed|other side closed|socket hang up|connection closed|unexpected eof|incomplete message|premature close|aborted/i,
    say: (target) => `${target.hostPort} closed or reset the connection before it answered`,
  },
];

function innermost(messages: string[]): string {
  // The outermost message is often the bare "fetch failed"; the innermost says why.
  const useful = messages.filter((m) => !/^fetch failed$/i.test(m));
  return tersify((useful.length > 0 ? useful[useful.length - 1] : messages[0] ?? "unknown error").split("\n")[0]);
}

/**
 * Names the real reason behind a fetch failure (DNS, refused, reset, TLS) of a request to
 * `url`, from whatever the runtime put in the error and its causes, in one wording on
 * every runtime. Once the headers are in (`phase` "body"), any failure is the body
 * breaking off, whatever broke it: Node and Bun call a server that closes mid-body a
 * reset, Deno a body error, and the caller should see one reason. Only a failure of no
 * known kind keeps the runtime's own words.
 */
export function classifyNetworkError(error: unknown, phase: "send" | "body", url: string): Classified {
  if (phase === "body") {
    return {
      reason: "body",
      detail: "the response body broke off: the connection closed, or the body was not valid HTTP, before its end",
    };
  }
  const { codes, messages } = chain(error);
  const evidence = `${messages.join(" | ")} ${codes.join(" ")}`;
  for (const rule of rules) {
    if (codes.some((c) => rule.codes.test(c)) || rule.text.test(evidence)) {
      return { reason: rule.reason, detail: rule.say(targetOf(url), evidence) };
    }
  }
  return { reason: "other", detail: `network error: ${innermost(messages)}` };
}
