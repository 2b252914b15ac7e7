/**
 * The memory both decoders write and read: the packet table (one fixed-width row per
 * packet), its error codes, the file-level status, and the statistics (counters and
 * flow-table entries) that `captureStats()` reads back.
 *
 * Fixed-width rows: column `c` of row `i` is the 32-bit integer at index
 * `i * NCOLS + c`. (A structure of arrays was measured 2× slower: every packet then
 * touches NCOLS pages.) wasm/assembly/layout.ts is generated from this file by
 * scripts/wasm_constants.ts (every `export const` number, as `i32`): edit this file only.
 *
 * Offsets (`*_OFF`) count bytes from the start of the packet; `C_DATA` is where the
 * packet starts in the input buffer. Presence is in the `C_FLAGS` bit set.
 *
 * @module
 */

export const C_FLAGS: number = 0;
export const C_N: number = 1;
export const C_DATA: number = 2;
export const C_CAPLEN: number = 3;
export const C_LEN: number = 4;
export const C_SECHI: number = 5;
export const C_SECLO: number = 6;
export const C_NSEC: number = 7;
export const C_LINK: number = 8;
export const C_IFACE: number = 9;
export const C_VLANS: number = 10;
export const C_L3OFF: number = 11;
export const C_PROTO: number = 12;
export const C_L4OFF: number = 13;
export const C_EXTCOUNT: number = 14;
export const C_FRAG6: number = 15;
export const C_PAYOFF: number = 16;
export const C_PAYLEN: number = 17;
export const C_MSS: number = 18;
export const C_WSCALE: number = 19;
export const C_TSVAL: number = 20;
export const C_TSECR: number = 21;
export const C_APPOFF: number = 22;
export const C_QTYPE: number = 23;
export const C_SNIOFF: number = 24;
export const C_SNILEN: number = 25;
export const C_ALPNOFF: number = 26;
export const C_ALPNLEN: number = 27;
export const C_METHODLEN: number = 28;
export const C_URIOFF: number = 29;
export const C_URILEN: number = 30;
export const C_HOSTOFF: number = 31;
export const C_HOSTLEN: number = 32;
export const C_ERR: number = 33;
export const C_ERROFF: number = 34;
/**
 * An ICMP or ICMPv6 error (unreachable, time exceeded, parameter problem, redirect, packet
 * too big …) quotes the packet that caused it; its row keeps the quoted IP header's
 * offset, the quoted transport header's offset and its protocol in columns that only a
 * TCP row uses otherwise (its options), so that rows stay as narrow as before.
 */
export const C_QL3OFF: number = C_MSS;
export const C_QL4OFF: number = C_WSCALE;
export const C_QPROTO: number = C_TSVAL;
/** Number of columns. */
export const NCOLS: number = 35;

export const F_TS: number = 1 << 0;
export const F_ETH: number = 1 << 1;
export const F_ARP: number = 1 << 2;
export const F_IP4: number = 1 << 3;
export const F_IP6: number = 1 << 4;
export const F_TCP: number = 1 << 5;
export const F_UDP: number = 1 << 6;
export const F_ICMP: number = 1 << 7;
export const F_ICMP6: number = 1 << 8;
export const F_DNS: number = 1 << 9;
export const F_TLS: number = 1 << 10;
export const F_HTTP: number = 1 << 11;
export const F_IPCSUM_OK: number = 1 << 12;
export const F_L4CSUM: number = 1 << 13;
export const F_L4CSUM_OK: number = 1 << 14;
export const F_MSS: number = 1 << 15;
export const F_WSCALE: number = 1 << 16;
export const F_SACKPERM: number = 1 << 17;
export const F_TSOPT: number = 1 << 18;
export const F_QNAME: number = 1 << 19;
export const F_SNI: number = 1 << 20;
export const F_ALPN: number = 1 << 21;
export const F_HOST: number = 1 << 22;
export const F_ERROR: number = 1 << 23;
export const F_UNSUPPORTED: number = 1 << 24;
export const F_ARPADDR: number = 1 << 25;
export const F_FRAG6: number = 1 << 26;
export const F_IFACE: number = 1 << 27;
/**
 * The TCP header is captured through the window (16 bytes): sequence and acknowledgement
 * numbers, header length, flags, window. `F_TCP` alone says only that the ports were
 * captured (a snap length can cut the header; tshark shows what it has the same way).
 */
export const F_TCPHDR: number = 1 << 28;
/** An ICMP/ICMPv6 error's quoted IP header is captured (C_QL3OFF, C_QL4OFF, C_QPROTO). */
export const F_QUOTE: number = 1 << 29;
/** The quoted packet's TCP or UDP ports are captured too. */
export const F_QPORTS: number = 1 << 30;

/** Error layers, as `C_ERR >> 8`. */
export const LAYERS: readonly string[] = [
  "capture",
  "link",
  "vlan",
  "arp",
  "ipv4",
  "ipv6",
  "icmp",
  "icmp6",
  "tcp",
  "udp",
  "dns",
  "tls",
  "http",
];
export const L_LINK: number = 1;
export const L_VLAN: number = 2;
export const L_ARP: number = 3;
export const L_IPV4: number = 4;
export const L_IPV6: number = 5;
export const L_ICMP: number = 6;
export const L_ICMP6: number = 7;
export const L_TCP: number = 8;
export const L_UDP: number = 9;
export const L_DNS: number = 10;
export const L_TLS: number = 11;
export const L_HTTP: number = 12;

/** Error codes, as `C_ERR & 0xff`. */
export const CODES: readonly string[] = [
  "none",
  "truncated",
  "bad-version",
  "bad-header-length",
  "bad-length",
  "bad-option",
  "too-many-headers",
  "bad-pointer",
  "pointer-loop",
  "name-too-long",
  "bad-label",
];
export const E_TRUNCATED: number = 1;
export const E_BAD_VERSION: number = 2;
export const E_BAD_HLEN: number = 3;
export const E_BAD_LENGTH: number = 4;
export const E_BAD_OPTION: number = 5;
export const E_TOO_MANY: number = 6;
export const E_BAD_POINTER: number = 7;
export const E_POINTER_LOOP: number = 8;
export const E_NAME_TOO_LONG: number = 9;
export const E_BAD_LABEL: number = 10;

/** How many 802.1Q tags, IPv6 extension headers and DNS pointers are followed at most. */
export const MAX_VLANS: number = 8;
export const MAX_EXT: number = 8;
export const MAX_JUMPS: number = 16;
export const MAX_HTTP_METHOD: number = 20;

/** IPv6 routing header types whose address list gives the final destination (RFC 8200 §8.1). */
export const RH_TYPE0: number = 0;
export const RH_MOBILE: number = 2;
export const RH_SEGMENT: number = 4;

/** File-level error codes (the decoder's status). */
export const S_OK: number = 0;
export const S_NEED_MORE: number = 1;
export const FILE_ERRORS: readonly string[] = [
  "",
  "",
  "not a pcap or pcapng file",
  "file ends in the middle of a record",
  "record larger than 262144 bytes",
  "block length is invalid",
  "block length at the end of the block differs from the one at its start",
  "packet refers to an interface that the section did not define",
  "packet block is too short for its captured length",
  "section header block has an unknown byte-order magic",
  "too many interfaces in a section",
];
export const S_NOT_CAPTURE: number = 2;
export const S_CUT_RECORD: number = 3;
export const S_TOO_LARGE: number = 4;
export const S_BAD_BLOCK_LEN: number = 5;
export const S_TRAILER_MISMATCH: number = 6;
export const S_BAD_IFACE: number = 7;
export const S_SHORT_BLOCK: number = 8;
export const S_BAD_BOM: number = 9;
export const S_TOO_MANY_IFACES: number = 10;

/** Largest pcap record and pcapng block accepted (the carry-over buffer holds one). */
export const MAX_PCAP_RECORD: number = 262144;
export const MAX_BLOCK: number = 16 * 1024 * 1024;
export const MAX_IFACES: number = 1024;

/**
 * The statistics flow table (wasm/assembly/stats.ts, src/packet/_flow_table.ts): its
 * bound, entry size, and the sketches kept beside it once flows are evicted: a
 * HyperLogLog of 2^HLL_BITS registers over every flow key that entered the table, and a
 * count-min sketch (CMS_ROWS rows of 2^CMS_BITS cells) of what evicted flows had counted.
 * The seeds pick the four 32-bit hashes both engines compute the same way.
 */
export const MAX_FLOWS: number = 8388608;
export const DEFAULT_MAX_FLOWS: number = 1048576;
export const HLL_BITS: number = 14;
export const CMS_ROWS: number = 4;
export const CMS_BITS: number = 16;
export const SEED_HLL_INDEX: number = 1;
export const SEED_HLL_RANK: number = 2;
export const SEED_CMS_LOW: number = 3;
export const SEED_CMS_HIGH: number = 4;

/**
 * A flow key (FLOW_KEY_BYTES): IP version (4 or 6), IP protocol, then the lower end
 * (address, zero-padded to 16 bytes, and port, big-endian) and the other end, "lower"
 * comparing addresses then ports, so that both directions are one flow.
 */
export const FLOW_KEY_VERSION: number = 0;
export const FLOW_KEY_PROTO: number = 1;
export const FLOW_KEY_A_ADDR: number = 2;
export const FLOW_KEY_A_PORT: number = 18;
export const FLOW_KEY_B_ADDR: number = 20;
export const FLOW_KEY_B_PORT: number = 36;
export const FLOW_KEY_BYTES: number = 38;

/**
 * A WebAssembly flow-table entry (FLOW_ENTRY bytes): the key, a pad byte, the "placed"
 * mark used while rehashing, then packets and bytes (u64) and the "whole" byte (the flow
 * was never evicted before it entered the table). src/packet/_wasm_stats.ts reads them.
 */
export const FLOW_ENTRY: number = 64;
export const FLOW_PLACED: number = 39;
export const FLOW_PACKETS: number = 40;
export const FLOW_BYTES: number = 48;
export const FLOW_WHOLE: number = 56;

/**
 * Memory of the WebAssembly statistics as they start (wasm/assembly/capture.ts and
 * stats.ts): the input area's room before them (a 1 MiB read and the record carried over
 * from the one before; an input larger than that moves the area past the flow table's
 * largest extent), and the flow table's first slots (it doubles from there).
 */
export const STATS_INPUT_ROOM: number = 4194304;
export const STATS_FIRST_SLOTS: number = 1024;

/**
 * The statistics counters, by index: u64 in WebAssembly memory (wasm/assembly/stats.ts
 * writes them), float64 in the TypeScript engine (src/packet/_ts_stats.ts). The protocol
 * counters run from ST_ETHERNET to ST_HTTP in the order of `ProtocolCounts`; the
 * timestamps are signed seconds and nanoseconds, valid when ST_HAS_TS is 1.
 */
export const ST_PACKETS: number = 0;
/** Sum of original lengths. */
export const ST_BYTES: number = 1;
/** Sum of captured lengths. */
export const ST_CAPTURED: number = 2;
/** Packets with a decoding error. */
export const ST_ERRORS: number = 3;
export const ST_ETHERNET: number = 4;
export const ST_VLAN: number = 5;
export const ST_ARP: number = 6;
export const ST_IPV4: number = 7;
export const ST_IPV6: number = 8;
export const ST_TCP: number = 9;
export const ST_UDP: number = 10;
export const ST_ICMP: number = 11;
export const ST_ICMP6: number = 12;
export const ST_DNS: number = 13;
export const ST_TLS: number = 14;
export const ST_HTTP: number = 15;
export const ST_FIRST_SEC: number = 16;
export const ST_FIRST_NSEC: number = 17;
export const ST_LAST_SEC: number = 18;
export const ST_LAST_NSEC: number = 19;
export const ST_HAS_TS: number = 20;
export const ST_EVICTIONS: number = 21;
export const ST_EVICTED_FLOWS: number = 22;
export const ST_EVICTED_PACKETS: number = 23;
export const ST_EVICTED_BYTES: number = 24;
export const ST_COUNT: number = 25;
