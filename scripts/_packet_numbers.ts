/**
 * The protocol numbers the packet tests put in frames and expect back, by name.
 *
 * They are written here from the registries (IEEE EtherTypes, IANA protocol numbers,
 * tcpdump.org link types), not imported from src/packet/: a wrong number in the decoders
 * then fails a test instead of agreeing with it.
 *
 * @module
 */

/** EtherTypes and VLAN tag protocol identifiers. */
export const EtherType = { IPV4: 0x0800, ARP: 0x0806, IPV6: 0x86dd, VLAN: 0x8100, QINQ: 0x88a8 } as const;

/** IP protocol numbers (IPv4 protocol, IPv6 next header). */
export const IpProtocol = {
  HOP_BY_HOP: 0,
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ROUTING: 43,
  FRAGMENT: 44,
  AUTH: 51,
  ICMPV6: 58,
  NO_NEXT_HEADER: 59,
  DEST_OPTS: 60,
} as const;

/** TCP flag bits. */
export const TcpFlag = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32 } as const;

/** pcap link types. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW_DLT12: 12,
  RAW_DLT14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  USER0: 147,
  LINUX_SLL2: 276,
} as const;

/** Address families in the headers of the NULL and LOOP link types. */
export const AddressFamily = { INET: 2, INET6_BSD: 24, INET6_FREEBSD: 28, INET6_DARWIN: 30 } as const;
