/**
 * The Fetch standard's tables (https://fetch.spec.whatwg.org/) that anynet applies
 * itself, because the runtimes do not agree on them: Node and Deno refuse a bad port or
 * a forbidden method only once the request is under way, with an error that looks like a
 * network failure, and Bun does not refuse them at all. Checking here gives the same
 * early, clear answer everywhere. Shared by the HTTP client and the runtime adapters'
 * fetch (both build `Response`s, which must have no body for a null-body status).
 *
 * To change which ports, methods or statuses count, edit the tables here.
 *
 * @module
 */

/** "Bad ports" (§ port blocking): fetch refuses a URL on any of them. */
// deno-fmt-ignore
const BAD_PORTS: ReadonlySet<number> = new Set([
  0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95,
  101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179,
  389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601,
  636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566,
  6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Whether fetch would refuse `url` for its port (a URL without a port uses its scheme's, never a bad one). */
export function isBadPort(url: URL): boolean {
  return url.port !== "" && BAD_PORTS.has(Number(url.port));
}

/** Why a URL on a bad port is refused, for an error message. */
export function badPortDetail(url: URL): string {
  return `port ${url.port} is blocked by fetch (a "bad port" in the Fetch standard): '${url.href}'`;
}

/** Forbidden methods: a fetch `Request` cannot carry them. */
export const FORBIDDEN_METHODS: ReadonlySet<string> = new Set(["CONNECT", "TRACE", "TRACK"]);

/** Redirect statuses: a response with one of them and a Location is followed. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Null-body statuses: their `Response` has no body (a HEAD response has none either). */
export const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

/** An HTTP token (RFC 9110 §5.6.2): what a method or a header name is made of. */
export const HTTP_TOKEN: RegExp = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
