/**
 * The URL a `serve()` handler sees: always a valid absolute URL, made by one rule on every
 * runtime.
 *
 * The runtimes build it from what the peer sent, each its own way: Deno joins
 * `http://` + the raw Host header + the target (`Host: a b` gives `http://a b/posts`, which
 * `new URL` rejects, and `Host: a/b` moves the path); Bun gives just the target (`/posts`)
 * when the Host header is missing or odd; Node's adapter starts from the raw target. So
 * the rule takes the path and query from whatever the runtime gives and puts them under
 * one origin: the scheme the server speaks and the Host header, or the server's own
 * address when there is no Host header or it is empty (HTTP/1.0, or a target without an
 * authority). A Host header that is not a valid `host[:port]`, or more than one (the
 * runtimes join them into `a, b`), makes the request a bad one, as RFC 9112 §3.2 says:
 * the rule gives no URL and the server answers 400. An absolute-form target
 * (`GET http://other.example/x`) keeps its path only: the host comes from the Host header
 * as for any other request, never from the request line.
 *
 * @module
 */

/**
 * `host[:port]` as RFC 3986 spells it: a registered name (unreserved characters,
 * sub-delimiters, percent escapes) or a bracketed IP literal, and an optional port.
 */
const HOST_SYNTAX = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*(?::\d*)?$|^\[[0-9A-Fa-f:.]+\](?::\d*)?$/;
const SLASH = 47;
const QUESTION_MARK = 63;

// Clients send the same Host header again and again; parsing it once keeps the common
// case to a Map lookup and a string comparison. Bounded, because the peer picks the keys.
const MAX_CACHED_HOSTS = 256;

/**
 * Turns the runtime's URL or request target and the Host header into the handler's URL;
 * undefined when the Host header is not a valid one (answer 400).
 */
export type RequestUrl = (raw: string, host: string | null) => string | undefined;

/**
 * The rule for one server: `scheme` is what it speaks, `ownOrigin` its own address (asked
 * for each time, since the port is known only once it listens).
 */
export function requestUrlRule(scheme: "http" | "https", ownOrigin: () => string): RequestUrl {
  const origins = new Map<string, string | null>();
  // The last Host header and its origin: most requests repeat it, and comparing two short
  // strings is cheaper than hashing a new one for the map.
  let lastHost = "";
  let lastOrigin: string | null = null;
  const originFor = (host: string): string | null => {
    if (host === lastHost) return lastOrigin;
    let origin = origins.get(host);
    if (origin === undefined) {
      origin = parseOrigin(scheme, host);
      if (origins.size >= MAX_CACHED_HOSTS) origins.clear();
      origins.set(host, origin);
    }
    lastHost = host;
    lastOrigin = origin;
    return origin;
  };
  return (raw, host) => {
    const origin = host ? originFor(host) : ownOrigin();
    if (origin === null) return undefined;
    // Already the URL this rule makes (Bun's normal case, and Node's, whose adapter builds
    // its Request with this rule): hand it on as it is.
    if (raw.startsWith(origin) && raw.charCodeAt(origin.length) === SLASH) return raw;
    return origin + targetOf(raw, host);
  };
}

/** The origin (`http://host[:port]`, normalised) the Host header names, or null when it is not a valid one. */
function parseOrigin(scheme: string, host: string): string | null {
  if (!HOST_SYNTAX.test(host)) return null;
  try {
    // The URL parser has the last word: `999.1.1.1`, a port over 65535 or a bad percent
    // escape fail here.
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    return null;
  }
}

/** The path and query of the request, from a bare target or from a URL a runtime built. */
function targetOf(raw: string, host: string | null): string {
  // Origin-form (`/posts?x=1`): Node's raw target, Bun's URL when the Host header was empty.
  // Joined, not resolved, so `//other.example/x` stays a path.
  if (raw.charCodeAt(0) === SLASH) return raw;
  // Deno's URL is `scheme://` + the raw Host header + the target, whatever the header holds,
  // so cut exactly that prefix off rather than parse it (`Host: a/b` would move the path).
  if (host) {
    for (const scheme of ["http://", "https://"]) {
      const prefix = scheme + host;
      if (!raw.startsWith(prefix)) continue;
      const next = raw.charCodeAt(prefix.length);
      if (next === SLASH) return raw.slice(prefix.length);
      if (Number.isNaN(next)) return "/";
      if (next === QUESTION_MARK) return "/" + raw.slice(prefix.length);
    }
  }
  // The asterisk-form of `OPTIONS *` has no path; Deno shows it as `/*`, and so does this rule.
  if (raw === "*") return "/*";
  // An absolute-form target, or a URL a runtime normalised (lower case, default port left out).
  try {
    const url = new URL(raw);
    return url.pathname + url.search;
  } catch {
    return "/";
  }
}
