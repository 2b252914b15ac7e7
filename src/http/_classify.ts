import type { NetworkErrorReason } from "./errors.ts";

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

// What a TLS failure means, for the failures that OpenSSL's and rustls's own words do not
// say plainly ("wrong version number", "CaUsedAsEndEntity").
const tlsCauses: { test: RegExp; says: string; advice?: string }[] = [
  {
    test: /WRONG_VERSION_NUMBER|wrong version number|InvalidContentType|corrupt message|speak TLS|unknown protocol/i,
    says: "the server does not speak TLS on this port",
    advice: "is it plain HTTP?",
  },
  {
    test: /ALTNAME|NotValidForName|not valid for name|does not match certificate|hostname mismatch/i,
    says: "the certificate is not valid for this host name",
  },
  { test: /EXPIRED|Expired|NotValidYet|NOT_YET_VALID/i, says: "the certificate has expired or is not valid yet" },
  {
    test:
      /SELF_SIGNED|self[- ]signed|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|local issuer|UnknownIssuer|CaUsedAsEndEntity|unknown ca|verify failed/i,
    says: "the certificate is not trusted",
    advice: "give the CA that issued it with the 'ca' option (--ca in the CLI)",
  },
];

// Deno repeats the URL and hyper's layers in front of the reason ("error sending request
// for url (…): client error (Connect): …"), and the NetworkError names the URL already;
// Node gives OpenSSL's whole error line ("…:error:0A00010B:SSL routines:ssl3_get_record:
// wrong version number:../deps/…"), of which only the reason reads as words; Bun adds
// ' fetching "URL". For more information, pass `verbose: true` …' to its codes.
function shorten(message: string): string {
  const openssl = /:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(message);
  if (openssl) return openssl[1];
  return message.replace(/^error sending request for url \([^)]*\): /, "").replace(/^client error \(\w+\): /, "")
    .replace(/ fetching ".*$/, "");
}

function innermost(messages: string[]): string {
  // The outermost message is often the bare "fetch failed"; the innermost says why.
  const useful = messages.filter((m) => !/^fetch failed$/i.test(m));
  return shorten((useful.length > 0 ? useful[useful.length - 1] : messages[0] ?? "unknown error").split("\n")[0]);
}

/**
 * Names the real reason behind a fetch failure (DNS, refused, reset, TLS) from whatever
 * the runtime put in the error and its causes.
 */
export function classifyNetworkError(error: unknown, fallback: NetworkErrorReason = "other"): Classified {
  const { codes, messages } = chain(error);
  const text = messages.join(" | ");
  for (const rule of rules) {
    if (codes.some((c) => rule.codes.test(c)) || rule.text.test(text)) {
      const code = codes.find((c) => rule.codes.test(c));
      const why = innermost(messages);
      const withCode = code && !why.includes(code) ? `${why}, ${code}` : why;
      const cause = rule.reason === "tls"
        ? tlsCauses.find((c) => c.test.test(`${text} ${codes.join(" ")}`))
        : undefined;
      if (cause) {
        return {
          reason: rule.reason,
          detail: `${rule.label}: ${cause.says} (${withCode})` + (cause.advice ? `; ${cause.advice}` : ""),
        };
      }
      return { reason: rule.reason, detail: `${rule.label}: ${withCode === why ? why : `${why} (${code})`}` };
    }
  }
  const label = fallback === "body" ? "the response body broke off" : "network error";
  return { reason: fallback, detail: `${label}: ${innermost(messages)}` };
}
