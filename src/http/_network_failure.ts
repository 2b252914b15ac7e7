/**
 * The HTTP client's side of {@linkcode classifyError}: each kind of failure is one
 * {@linkcode NetworkErrorReason}, said in one wording on every runtime (the runtime's own
 * error stays the NetworkError's `cause`).
 *
 * @module
 */
import { classifyError, type ErrorKind, type TlsFailureKind } from "../_error_kind.ts";
import type { NetworkErrorReason } from "./errors.ts";

/** What a runtime's fetch failure was, in words a user can act on. */
export interface NetworkFailure {
  reason: NetworkErrorReason;
  detail: string;
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

// The kinds a request can meet before its answer, and their words; every other kind is
// "other" in the runtime's own words (see below).
const SAY: Partial<Record<ErrorKind, { reason: NetworkErrorReason; say: (target: Target, tls?: string) => string }>> = {
  "tls": {
    reason: "tls",
    say: (target, tls) => `TLS failed with ${target.hostPort}: ${tls ?? "the TLS handshake failed"}`,
  },
  "host-not-found": {
    reason: "dns",
    say: (target) => `DNS lookup failed: cannot resolve host '${target.host}'`,
  },
  "refused": {
    reason: "refused",
    say: (target) => `connection refused by ${target.hostPort} (is the server running?)`,
  },
  "not-http": { reason: "other", say: (target) => `${target.hostPort} did not answer with valid HTTP` },
  "reset": {
    reason: "reset",
    say: (target) => `${target.hostPort} closed or reset the connection before it answered`,
  },
};

/**
 * Names the real reason behind a fetch failure (DNS, refused, reset, TLS) of a request to
 * `url` in one wording on every runtime. Once the headers are in (`phase` "body"), any
 * failure is the body breaking off, whatever broke it: Node and Bun call a server that
 * closes mid-body a reset, Deno a body error, and the caller should see one reason. Only
 * a failure of no known kind keeps the runtime's own words.
 */
export function networkFailure(error: unknown, phase: "send" | "body", url: string): NetworkFailure {
  if (phase === "body") {
    return {
      reason: "body",
      detail: "the response body broke off: the connection closed, or the body was not valid HTTP, before its end",
    };
  }
  const { kind, detail, tls } = classifyError(error);
  const known = SAY[kind];
  if (known === undefined) return { reason: "other", detail: `network error: ${detail.split("\n")[0]}` };
  const advice = tls && TLS_ADVICE[tls.kind];
  return { reason: known.reason, detail: known.say(targetOf(url), tls?.says) + (advice ? `; ${advice}` : "") };
}
