/**
 * TLS numbers (RFC 8446) the decoders read to find a ClientHello's server name and ALPN
 * list at the start of a TCP payload.
 *
 * scripts/wasm_constants.ts copies every `export const` number here into
 * wasm/assembly/tls.ts, so this file is the one place to change them.
 *
 * @module
 */

/** Record content type: handshake (§5.1). */
export const CONTENT_HANDSHAKE: number = 0x16;
/** Handshake message type: ClientHello (§4). */
export const CLIENT_HELLO: number = 1;
/** Extension types: server_name (RFC 6066 §3) and ALPN (RFC 7301 §3.1). */
export const EXT_SERVER_NAME: number = 0;
export const EXT_ALPN: number = 16;
/** The only server-name type, host_name (RFC 6066 §3). */
export const SNI_HOST_NAME: number = 0;
