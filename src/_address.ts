/**
 * How an address is written next to a port: `127.0.0.1:80`, `[::1]:80`. An IPv6 address
 * holds colons itself, so it goes in brackets (RFC 3986 §3.2.2, as URLs and `ss` write
 * it); everything that names a host and port in a message, a log line or a URL goes
 * through here so that all of them read alike.
 *
 * @module
 */
import type { NetAddr } from "./net/types.ts";

/** A host as it is written before `:PORT` or in a URL: an IPv6 address in brackets, anything else as it is. */
export function bracketHost(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/**
 * Writes an address as `HOST:PORT`, with an IPv6 address in brackets.
 *
 * @param addr The address.
 * @returns `127.0.0.1:80`, `[::1]:80`, `example.com:443`.
 * @example
 * ```ts
 * import { formatAddr } from "anynet/net";
 * console.assert(formatAddr({ hostname: "::1", port: 80 }) === "[::1]:80");
 * ```
 */
export function formatAddr(addr: NetAddr): string {
  return `${bracketHost(addr.hostname)}:${addr.port}`;
}
