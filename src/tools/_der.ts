/**
 * A minimal DER encoder (ITU-T X.690) for the few ASN.1 types an X.509 certificate
 * needs. Each function returns the complete encoding (tag, length, contents).
 *
 * @module
 */
import { concatBytes as concat } from "../_bytes.ts";

function length(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** Any tag with the given contents. */
export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = concat(contents);
  return concat([Uint8Array.of(tag), length(body.length), body]);
}

/** SEQUENCE of already-encoded elements. */
export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);
/** SET of already-encoded elements (the caller keeps DER order; single elements here). */
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, ...items);
/** Context-specific constructed tag `[n]` (EXPLICIT tagging). */
export const explicit = (n: number, ...items: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...items);
/** BOOLEAN. */
export const boolean = (value: boolean): Uint8Array => tlv(0x01, Uint8Array.of(value ? 0xff : 0));
/** OCTET STRING. */
export const octetString = (bytes: Uint8Array): Uint8Array => tlv(0x04, bytes);
/** BIT STRING with no unused bits. */
export const bitString = (bytes: Uint8Array): Uint8Array => tlv(0x03, Uint8Array.of(0), bytes);
/** UTF8String. */
export const utf8String = (text: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(text));

/** INTEGER from big-endian unsigned magnitude bytes (a zero byte is added when the top bit is set). */
export function unsignedInteger(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return trimmed[0] & 0x80 ? tlv(0x02, Uint8Array.of(0), trimmed) : tlv(0x02, trimmed);
}

/** INTEGER from a small non-negative number. */
export function smallInteger(n: number): Uint8Array {
  return unsignedInteger(Uint8Array.of((n >> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff));
}

/** OBJECT IDENTIFIER from dotted text (`"2.5.4.3"`). */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const bytes = [arcs[0] * 40 + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const base128 = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) base128.unshift(0x80 | (v & 0x7f));
    bytes.push(...base128);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

/** UTCTime (`YYMMDDHHMMSSZ`) for years 1950–2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
export function time(date: Date): Uint8Array {
  const iso = date.toISOString(); // 2026-11-25T14:36:08.000Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "") + "Z";
  const year = date.getUTCFullYear();
  const text = year < 2050 ? digits.slice(2) : digits;
  return tlv(year < 2050 ? 0x17 : 0x18, new TextEncoder().encode(text));
}
