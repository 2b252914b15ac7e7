/**
 * The numbers of the two capture file formats: pcap (draft-ietf-opsawg-pcap) and pcapng
 * (draft-ietf-opsawg-pcapng), as both file-level decoders and the pcap writer use them.
 *
 * scripts/wasm_constants.ts copies every `export const` number here into
 * wasm/assembly/capture_formats.ts (a value above 2^31 - 1 as `u32`), so this file is
 * the one place to change them.
 *
 * @module
 */

/** pcap magic numbers as read big-endian: microsecond and nanosecond files, then the same written little-endian. */
export const PCAP_MAGIC_MICRO: number = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO: number = 0xa1b23c4d;
export const PCAP_MAGIC_MICRO_SWAPPED: number = 0xd4c3b2a1;
export const PCAP_MAGIC_NANO_SWAPPED: number = 0x4d3cb2a1;
/** The file header's length; its last word holds the link type in the low 26 bits. */
export const PCAP_HEADER_LEN: number = 24;
export const PCAP_LINKTYPE_MASK: number = 0x03ffffff;
/** A record header: seconds, fraction, captured length, original length. */
export const PCAP_RECORD_HEADER_LEN: number = 16;

/** Block types. A section header's type reads the same in either byte order. */
export const PCAPNG_SECTION_HEADER: number = 0x0a0d0d0a;
export const PCAPNG_INTERFACE: number = 1;
/** The obsolete packet block (16-bit interface ID). */
export const PCAPNG_PACKET: number = 2;
export const PCAPNG_SIMPLE_PACKET: number = 3;
export const PCAPNG_ENHANCED_PACKET: number = 6;
/** The section header's byte-order magic, as read big-endian, in each order. */
export const PCAPNG_BYTE_ORDER: number = 0x1a2b3c4d;
export const PCAPNG_BYTE_ORDER_SWAPPED: number = 0x4d3c2b1a;
/** Interface options: end of options, timestamp resolution (1 byte), timestamp offset (8 bytes). */
export const PCAPNG_OPT_END: number = 0;
export const PCAPNG_IF_TSRESOL: number = 9;
export const PCAPNG_IF_TSOFFSET: number = 14;
