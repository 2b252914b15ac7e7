/**
 * IP protocol numbers (IANA "Assigned Internet Protocol Numbers"): the IPv4 protocol
 * field and the IPv6 next-header field, including the IPv6 extension headers the
 * decoders walk over.
 *
 * scripts/wasm_constants.ts copies every `export const` number here into
 * wasm/assembly/ip_protocols.ts, so this file is the one place to change them.
 *
 * @module
 */

/** IPv6 hop-by-hop options (extension header, RFC 8200 §4.3). */
export const HOP_BY_HOP: number = 0;
export const ICMP: number = 1;
export const TCP: number = 6;
export const UDP: number = 17;
/** IPv6 routing header (extension header, RFC 8200 §4.4). */
export const ROUTING: number = 43;
/** IPv6 fragment header (extension header, RFC 8200 §4.5; always 8 bytes). */
export const FRAGMENT: number = 44;
/** Authentication header (RFC 4302; its length counts 4-byte words, less 2). */
export const AUTH: number = 51;
export const ICMPV6: number = 58;
/** IPv6 destination options (extension header, RFC 8200 §4.6). */
export const DEST_OPTS: number = 60;
