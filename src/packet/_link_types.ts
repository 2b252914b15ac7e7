/**
 * Link-layer header types (pcap `LINKTYPE_*`, tcpdump.org/linktypes.html) that the
 * decoders know, and the values found inside the headers of the BSD loopback types.
 *
 * Both decoders key on these numbers; scripts/wasm_constants.ts copies every
 * `export const` number here into wasm/assembly/link_types.ts, so this file is the one
 * place to change them.
 *
 * @module
 */

/** BSD loopback: a 4-byte address family in the capturing host's byte order. */
export const NULL: number = 0;
/** Ethernet II (and 802.3 with an EtherType). */
export const ETHERNET: number = 1;
/** Raw IP under its historical DLT numbers (12 on most systems, 14 on OpenBSD). */
export const RAW_DLT12: number = 12;
export const RAW_DLT14: number = 14;
/** Raw IP: the packet starts with the IPv4 or IPv6 header. */
export const RAW: number = 101;
/** OpenBSD loopback: like NULL, but the address family is always big-endian. */
export const LOOP: number = 108;
/** Linux "cooked" capture v1 (16-byte header, EtherType at byte 14). */
export const LINUX_SLL: number = 113;
/** Raw IPv4 and raw IPv6, the version known from the link type. */
export const IPV4: number = 228;
export const IPV6: number = 229;
/** Linux "cooked" capture v2 (20-byte header, EtherType at byte 0). */
export const LINUX_SLL2: number = 276;

/** Address families in NULL/LOOP headers: IPv4 everywhere, IPv6 per BSD flavour. */
export const AF_INET: number = 2;
export const AF_INET6_BSD: number = 24;
export const AF_INET6_FREEBSD: number = 28;
export const AF_INET6_DARWIN: number = 30;

/** The record's `link` field: the link type's name. */
export function linkName(linktype: number, unsupported: boolean): string {
  if (unsupported) return "unsupported";
  switch (linktype) {
    case ETHERNET:
      return "ethernet";
    case LINUX_SLL:
      return "sll";
    case LINUX_SLL2:
      return "sll2";
    case NULL:
      return "null";
    case LOOP:
      return "loop";
    default:
      return "raw";
  }
}
