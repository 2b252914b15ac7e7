/**
 * EtherTypes (IEEE registry) that the decoders follow after an Ethernet or Linux cooked
 * header, and the tag protocol identifiers of VLAN tags.
 *
 * scripts/wasm_constants.ts copies every `export const` number here into
 * wasm/assembly/ether_types.ts, so this file is the one place to change them.
 *
 * @module
 */

export const IPV4: number = 0x0800;
export const ARP: number = 0x0806;
export const IPV6: number = 0x86dd;
/** 802.1Q customer VLAN tag. */
export const VLAN: number = 0x8100;
/** 802.1ad service VLAN tag (Q-in-Q). */
export const QINQ: number = 0x88a8;
/** The pre-standard Q-in-Q tag some switches still send. */
export const QINQ_LEGACY: number = 0x9100;
