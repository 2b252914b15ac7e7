/**
 * TCP numbers (RFC 9293 §3.1): the flag bits of byte 13 and the option kinds the
 * decoders read, each with the only length it may have.
 *
 * scripts/wasm_constants.ts copies every `export const` number here into
 * wasm/assembly/tcp.ts, so this file is the one place to change them.
 *
 * @module
 */

export const FIN: number = 1;
export const SYN: number = 2;
export const RST: number = 4;
export const PSH: number = 8;
export const ACK: number = 16;
export const URG: number = 32;

/** End of the option list. */
export const OPT_END: number = 0;
/** One byte of padding. */
export const OPT_NOP: number = 1;
/** Maximum segment size (RFC 9293 §3.7.1). */
export const OPT_MSS: number = 2;
export const OPT_MSS_LEN: number = 4;
/** Window scale (RFC 7323 §2). */
export const OPT_WSCALE: number = 3;
export const OPT_WSCALE_LEN: number = 3;
/** SACK permitted (RFC 2018). */
export const OPT_SACK_PERM: number = 4;
export const OPT_SACK_PERM_LEN: number = 2;
/** Timestamps (RFC 7323 §3). */
export const OPT_TIMESTAMPS: number = 8;
export const OPT_TIMESTAMPS_LEN: number = 10;
