/**
 * The well-known ports the decoders key on to recognise an application protocol.
 *
 * scripts/wasm_constants.ts copies every `export const` number here into
 * wasm/assembly/ports.ts, so this file is the one place to change them.
 *
 * @module
 */

/** DNS over UDP (RFC 1035 §4.2.1): a datagram from or to it is decoded as DNS. */
export const DNS: number = 53;
