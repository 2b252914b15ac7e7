/**
 * What kind of failure a runtime's error is: the one place that reads Node's, Deno's and
 * Bun's errors, for the socket layer (`net/_to_net_error.ts`, which picks the error class)
 * and the HTTP client (`http/_network_failure.ts`, which picks the `reason`).
 *
 * The runtimes report the same failure in different shapes. Node and Bun set `code` to
 * the errno name (`ECONNREFUSED`) or an OpenSSL/Node code (`ERR_SSL_WRONG_VERSION_NUMBER`);
 * Deno throws classes named after the failure (`Deno.errors.ConnectionRefused`), usually
 * with a `code` too, and says TLS failures only in rustls' words (`InvalidData`). Fetch
 * wraps it all once more: Node's undici throws a bare "fetch failed" whose `cause` has the
 * code, Bun puts the code on the error itself, and Deno's cause has only hyper's text. So
 * the whole `cause` chain is read, and the evidence is weighed in one order: an exact
 * code first, then Deno's class name, then the words.
 *
 * OpenSSL (Node, Bun) and rustls (Deno) also name the same TLS failure differently, and
 * often in words that do not say what to do: "wrong version number" and "corrupt message
 * of type InvalidContentType" both mean that the peer does not speak TLS on that port, and
 * "CaUsedAsEndEntity" means a self-signed certificate nobody said to trust; `tls` says it
 * plainly.
 *
 * @module
 */

/** What kind of failure a runtime's error is, the same on every runtime. */
export type ErrorKind =
  | "refused"
  | "reset"
  | "timed-out"
  | "address-in-use"
  | "address-not-available"
  | "permission-denied"
  | "host-not-found"
  | "host-unreachable"
  | "tls"
  | "closed"
  | "unsupported"
  | "not-http"
  | "unknown";

/** What a TLS failure was, as far as the runtime's words tell. */
export type TlsFailureKind = "not-tls" | "host-name" | "expired" | "untrusted";

/** A runtime's error, classified. */
export interface ClassifiedError {
  /** What kind of failure it is. */
  kind: ErrorKind;
  /** The runtime's own code on the error that showed the kind (`"ECONNREFUSED"`), or `""`. */
  code: string;
  /** The runtime's own words from that error, without what repeats or obscures them (see {@linkcode tersify}). */
  detail: string;
  /** For a TLS failure whose words tell which one it was: that, in plain words. */
  tls?: { kind: TlsFailureKind; says: string };
}

const BY_CODE: Record<string, ErrorKind> = {
  ECONNREFUSED: "refused",
  ConnectionRefused: "refused",
  ECONNRESET: "reset",
  EPIPE: "reset",
  ECONNABORTED: "reset",
  // undici's socket errors and Bun's: the connection ended before the answer did.
  UND_ERR_SOCKET: "reset",
  UND_ERR_CLOSED: "reset",
  ConnectionClosed: "reset",
  ERR_STREAM_PREMATURE_CLOSE: "reset",
  ETIMEDOUT: "timed-out",
  EADDRINUSE: "address-in-use",
  EADDRNOTAVAIL: "address-not-available",
  EACCES: "permission-denied",
  EPERM: "permission-denied",
  ENOTFOUND: "host-not-found",
  EAI_AGAIN: "host-not-found",
  EAI_NONAME: "host-not-found",
  EAI_FAIL: "host-not-found",
  EHOSTUNREACH: "host-unreachable",
  ENETUNREACH: "host-unreachable",
  // Bun's code for a TLS handshake with a peer that does not speak TLS.
  EPROTO: "tls",
  ERR_SOCKET_CLOSED: "closed",
  ERR_STREAM_DESTROYED: "closed",
  ERR_SOCKET_DGRAM_NOT_RUNNING: "closed",
  ERR_NOT_SUPPORTED: "unsupported",
};

// Codes named by family rather than one by one: OpenSSL's and Node's TLS codes, undici's
// HTTP parser codes (HPE_INVALID_CONSTANT …), and any code that says DNS.
const CODE_FAMILIES: { kind: ErrorKind; test: RegExp }[] = [
  { kind: "tls", test: /CERT|SSL|TLS|UNABLE_TO|SELF_SIGNED|HOSTNAME|ALTNAME|DECRYPT|HANDSHAKE/i },
  { kind: "not-http", test: /^HPE_/ },
  { kind: "host-not-found", test: /DNS/i },
];

// Deno's error classes (`Deno.errors.*`), for its sockets.
const BY_NAME: Record<string, ErrorKind> = {
  ConnectionRefused: "refused",
  ConnectionReset: "reset",
  ConnectionAborted: "reset",
  BrokenPipe: "reset",
  TimedOut: "timed-out",
  AddrInUse: "address-in-use",
  AddrNotAvailable: "address-not-available",
  PermissionDenied: "permission-denied",
  NotCapable: "permission-denied",
  BadResource: "closed",
  InvalidData: "tls",
};

// The words, for errors without a telling code or name (Deno's fetch: hyper's and rustls'
// text only). In this order: a TLS failure's text may also say "closed".
const BY_WORDS: { kind: ErrorKind; test: RegExp }[] = [
  {
    kind: "tls",
    // rustls reports plain text on a TLS port as a "corrupt message" (InvalidContentType);
    // Deno a key it cannot read as "failed to parse private key".
    test:
      /certificate|private key|handshake|tls|ssl|wrong version number|corrupt message|InvalidContentType|unexpected handshake message/i,
  },
  {
    kind: "host-not-found",
    test: /dns error|failed to lookup|getaddrinfo|name or service not known|no address associated|name resolution/i,
  },
  { kind: "refused", test: /connection refused|ECONNREFUSED/i },
  {
    // Not valid HTTP: Bun says this of a bad status line or header (but calls an answer that
    // is no HTTP at all a reset), Node's undici in its parser's words, Deno in hyper's.
    kind: "not-http",
    test:
      /does not match the HTTP|invalid HTTP|invalid content-length|Malformed_HTTP|InvalidContentLength|InvalidHTTPResponse/i,
  },
  {
    kind: "reset",
    test:
      /reset|broken pipe|closed before message completed|other side closed|socket hang up|connection closed|unexpected eof|incomplete message|premature close|aborted/i,
  },
  { kind: "permission-denied", test: /requires net access|permission/i },
];

const TLS_FAILURES: { kind: TlsFailureKind; test: RegExp; says: string }[] = [
  {
    kind: "not-tls",
    test:
      /WRONG_VERSION_NUMBER|wrong version number|InvalidContentType|corrupt message|speak TLS|unknown protocol|UNEXPECTED_MESSAGE|unexpected (handshake )?message/i,
    says: "the peer does not speak TLS on this port",
  },
  {
    kind: "host-name",
    test: /ALTNAME|NotValidForName|not valid for name|does not match certificate|hostname mismatch/i,
    says: "the certificate is not valid for this host name",
  },
  {
    kind: "expired",
    test: /EXPIRED|Expired|NotValidYet|NOT_YET_VALID/i,
    says: "the certificate has expired or is not valid yet",
  },
  {
    kind: "untrusted",
    test:
      /SELF_SIGNED|self[- ]signed|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|local issuer|UnknownIssuer|CaUsedAsEndEntity|unknown ca|verify failed/i,
    says: "the certificate is not trusted",
  },
];

/** One error of a `cause` chain, as far as it tells anything. */
interface Link {
  code: string;
  name: string;
  /** Its message; for the outermost error, its string form when it has no message. */
  words: string | undefined;
}

function links(error: unknown): Link[] {
  const found: Link[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (typeof current !== "object") {
      found.push({ code: "", name: "", words: String(current) });
      break;
    }
    const { code, name, message, cause } = current as {
      code?: unknown;
      name?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    found.push({
      code: typeof code === "string" ? code : "",
      name: typeof name === "string" ? name : "",
      words: typeof message === "string" ? message : depth === 0 ? String(current) : undefined,
    });
    current = cause;
  }
  return found;
}

function decide(chain: Link[]): { kind: ErrorKind; by: Link } | undefined {
  for (const link of chain) {
    const kind = BY_CODE[link.code] ?? CODE_FAMILIES.find((f) => link.code && f.test.test(link.code))?.kind;
    if (kind) return { kind, by: link };
  }
  for (const link of chain) {
    const kind = BY_NAME[link.name];
    if (kind) return { kind, by: link };
  }
  for (const rule of BY_WORDS) {
    const by = chain.find((link) => link.words !== undefined && rule.test.test(link.words));
    if (by) return { kind: rule.kind, by };
  }
  return undefined;
}

// With no kind found, the innermost error says most: the outermost is often fetch's bare "fetch failed".
function mostTelling(chain: Link[]): Link {
  const useful = chain.filter((link) => link.words && !/^fetch failed$/i.test(link.words));
  return useful.length > 0 ? useful[useful.length - 1] : chain[0] ?? { code: "", name: "", words: "unknown error" };
}

/**
 * What kind of failure `error` (anything a runtime threw or rejected with, and its `cause`
 * chain) is, the runtime's code and words for it, and for a TLS failure what went wrong in
 * plain words.
 */
export function classifyError(error: unknown): ClassifiedError {
  const chain = links(error);
  const found = decide(chain);
  const by = found?.by ?? mostTelling(chain);
  const kind = found?.kind ?? "unknown";
  const classified: ClassifiedError = { kind, code: by.code, detail: tersify(by.words ?? "") };
  if (kind === "tls") {
    const evidence = `${chain.flatMap((link) => link.words ? [link.words] : []).join(" | ")} ${
      chain.flatMap((link) => link.code ? [link.code] : []).join(" ")
    }`;
    const tls = TLS_FAILURES.find((failure) => failure.test.test(evidence));
    if (tls) classified.tls = { kind: tls.kind, says: tls.says };
  }
  return classified;
}

/**
 * The runtime's message without what repeats or obscures it: an OpenSSL error line
 * becomes its reason ("wrong version number"); Deno's "error sending request for url (…):
 * client error (Connect): " (or "… from ADDR for URL (ADDR): …") and Bun's ' fetching "URL".
 * For more information, pass `verbose: true` …' are dropped (the caller's own message names
 * the address already).
 */
function tersify(message: string): string {
  // OpenSSL's "…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:…" and
  // BoringSSL's (Bun) "error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER".
  const openssl = /(?:^|:)error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+)(?::|$)/.exec(message);
  if (openssl) {
    const reason = openssl[1];
    return /^[A-Z0-9_]+$/.test(reason) ? reason.toLowerCase().replaceAll("_", " ") : reason;
  }
  return message.replace(/^error sending request\b.*?\): /, "").replace(/^client error \(\w+\): /, "")
    .replace(/ fetching ".*$/, "").replace(/\.? For more information, pass `verbose: true`.*$/, "");
}

/**
 * The Deno flag that grants what `error` (or an error in its `cause` chain) was refused
 * for: `"--allow-net"` for Deno's `Requires net access to "…", run again with the
 * --allow-net flag` (a `NotCapable` error since Deno 2, `PermissionDenied` before), also
 * when a message quotes those words. `undefined` for any other error, an operating
 * system's EACCES included.
 */
export function missingPermissionFlag(error: unknown): string | undefined {
  for (const link of links(error)) {
    const refusal = /Requires (\w+) access\b[^\n]*?(--allow-[a-z]+)/.exec(link.words ?? "");
    if (refusal) return refusal[2];
    if (link.name === "NotCapable") {
      const kind = /Requires (\w+) access/.exec(link.words ?? "")?.[1];
      if (kind) return `--allow-${kind}`;
    }
  }
  return undefined;
}
