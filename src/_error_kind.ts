/**
 * Plain words for TLS failures, shared by the socket layer and the HTTP client.
 *
 * OpenSSL (Node, Bun) and rustls (Deno) name the same failure differently, and often in
 * words that do not say what to do: "wrong version number" and "corrupt message of type
 * InvalidContentType" both mean that the peer does not speak TLS on that port, and
 * "CaUsedAsEndEntity" means a self-signed certificate nobody said to trust. The
 * runtime's own words stay in the message, after these.
 *
 * @module
 */

/** What a TLS failure was, as far as the runtime's words tell. */
export type TlsFailureKind = "not-tls" | "host-name" | "expired" | "untrusted";

const KINDS: { kind: TlsFailureKind; test: RegExp; says: string }[] = [
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

/**
 * The TLS failure that `evidence` (the runtime's codes and messages) shows and its plain
 * words ("the certificate is not trusted"); `undefined` when the words do not tell.
 */
export function tlsFailure(evidence: string): { kind: TlsFailureKind; says: string } | undefined {
  const found = KINDS.find((k) => k.test.test(evidence));
  return found && { kind: found.kind, says: found.says };
}

/**
 * The TLS failure that `evidence` (the runtime's codes and messages) shows, in words,
 * then the runtime's own `detail` in brackets and the caller's `advice` for that kind of
 * failure; `undefined` when the words do not tell which failure it was.
 */
export function sayTlsFailure(
  evidence: string,
  detail: string,
  advice: Partial<Record<TlsFailureKind, string>>,
): string | undefined {
  const found = KINDS.find((k) => k.test.test(evidence));
  if (found === undefined) return undefined;
  const todo = advice[found.kind];
  return `${found.says} (${detail})` + (todo ? `; ${todo}` : "");
}

/**
 * The runtime's message without what repeats or obscures it: an OpenSSL error line
 * becomes its reason ("wrong version number"); Deno's "error sending request for url (…):
 * client error (Connect): " (or "… from ADDR for URL (ADDR): …") and Bun's ' fetching "URL".
 * For more information, pass `verbose: true` …' are dropped (the caller's own message names
 * the address already).
 */
export function tersify(message: string): string {
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
