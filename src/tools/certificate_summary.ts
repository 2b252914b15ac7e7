/**
 * What a person checks on a server's certificate (whom it names, until when it is
 * valid), read from its DER bytes by a small DER reader (ITU-T X.690) that walks the
 * X.509 structure of RFC 5280 §4.1. One reader for all three runtimes: Node and Bun
 * hand the certificate's bytes over, and parsing them here keeps the answer the same.
 *
 * @module
 */
import { ipv4Text, ipv6Text } from "../packet/_format.ts";

/** A server certificate, summed up. */
export interface CertificateSummary {
  /** The subject's common name (CN), or `undefined` when the subject has none. */
  subject: string | undefined;
  /** The issuer's common name (CN), or `undefined`. */
  issuer: string | undefined;
  /** The names and addresses of its subjectAltName extension (DNS names, IP addresses, e-mail, URIs). */
  altNames: string[];
  /** Start of validity (notBefore). */
  notBefore: Date;
  /** End of validity (notAfter). */
  notAfter: Date;
}

interface Element {
  tag: number;
  /** Where the contents start and end in the bytes. */
  start: number;
  end: number;
}

function bad(what: string): never {
  throw new TypeError(`Cannot read the certificate: ${what}`);
}

/** The element at `offset`, with its contents' bounds. */
function element(der: Uint8Array, offset: number, limit: number): Element {
  if (offset + 2 > limit) bad(`it ends early at byte ${offset}`);
  const tag = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const size = length & 0x7f;
    if (size === 0 || size > 4 || start + size > limit) bad(`bad length at byte ${offset}`);
    length = 0;
    for (let i = 0; i < size; i++) length = length * 256 + der[start + i];
    start += size;
  }
  if (start + length > limit) bad(`an element at byte ${offset} runs past its end`);
  return { tag, start, end: start + length };
}

/** The elements directly inside a constructed one. */
function children(der: Uint8Array, parent: Element): Element[] {
  const list: Element[] = [];
  for (let at = parent.start; at < parent.end;) {
    const child = element(der, at, parent.end);
    list.push(child);
    at = child.end;
  }
  return list;
}

const decoder = new TextDecoder();

function text(der: Uint8Array, e: Element): string {
  const bytes = der.subarray(e.start, e.end);
  if (e.tag !== 0x1e) return decoder.decode(bytes); // UTF8String, PrintableString, IA5String, T61 (ASCII in practice)
  let s = ""; // BMPString: UTF-16 big-endian
  for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
  return s;
}

function sameBytes(der: Uint8Array, e: Element, expected: readonly number[]): boolean {
  return e.end - e.start === expected.length && expected.every((b, i) => der[e.start + i] === b);
}

const OID_COMMON_NAME = [0x55, 0x04, 0x03]; // 2.5.4.3
const OID_SUBJECT_ALT_NAME = [0x55, 0x1d, 0x11]; // 2.5.29.17

/** The last CN of a Name (SEQUENCE OF SET OF SEQUENCE { type, value }), as most tools show. */
function commonName(der: Uint8Array, name: Element): string | undefined {
  let found: string | undefined;
  for (const rdn of children(der, name)) {
    for (const attribute of children(der, rdn)) {
      const [type, value] = children(der, attribute);
      if (type?.tag === 0x06 && value && sameBytes(der, type, OID_COMMON_NAME)) found = text(der, value);
    }
  }
  return found;
}

/** UTCTime (YYMMDDHHMMSSZ, 1950–2049) or GeneralizedTime (YYYYMMDDHHMMSSZ). */
function time(der: Uint8Array, e: Element): Date {
  const s = decoder.decode(der.subarray(e.start, e.end));
  const match = e.tag === 0x17
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
    : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!match) bad(`a validity time is not in the form RFC 5280 asks for: '${s}'`);
  const [, y, mo, d, h, mi, sec] = match!.map(Number);
  const year = e.tag === 0x17 ? (y < 50 ? 2000 + y : 1900 + y) : y;
  return new Date(Date.UTC(year, mo - 1, d, h, mi, sec));
}

function altName(der: Uint8Array, e: Element): string | undefined {
  switch (e.tag) {
    case 0x82: // [2] dNSName
    case 0x81: // [1] rfc822Name
    case 0x86: // [6] uniformResourceIdentifier
      return text(der, e);
    case 0x87: // [7] iPAddress
      if (e.end - e.start === 4) return ipv4Text(der, e.start);
      if (e.end - e.start === 16) return ipv6Text(der, e.start);
      return undefined;
    default:
      return undefined;
  }
}

function altNames(der: Uint8Array, extensions: Element | undefined): string[] {
  if (!extensions) return [];
  const [list] = children(der, extensions); // [3] EXPLICIT SEQUENCE OF Extension
  for (const extension of list ? children(der, list) : []) {
    const parts = children(der, extension);
    if (parts[0]?.tag !== 0x06 || !sameBytes(der, parts[0], OID_SUBJECT_ALT_NAME)) continue;
    const value = parts[parts.length - 1]; // OCTET STRING, after an optional `critical`
    const names = element(der, value.start, value.end);
    return children(der, names).map((n) => altName(der, n)).filter((n): n is string => n !== undefined);
  }
  return [];
}

/**
 * Sums up an X.509 certificate: subject and issuer CN, subjectAltName, validity.
 *
 * @param der The certificate's DER bytes (as `Connection.peerCertificate` gives them).
 * @returns What it names and how long it is valid.
 * @throws {TypeError} When the bytes are not a certificate this reader understands.
 * @example
 * ```ts
 * import { connect } from "anynet/net";
 * import { summarizeCertificate } from "anynet/tools";
 * const conn = await connect({ hostname: "example.com", port: 443, tls: true });
 * const der = conn.peerCertificate;
 * if (der) console.log(summarizeCertificate(der).notAfter);
 * conn.close();
 * ```
 */
export function summarizeCertificate(der: Uint8Array): CertificateSummary {
  const certificate = element(der, 0, der.length);
  const tbs = certificate.tag === 0x30 ? children(der, certificate)[0] : undefined;
  if (tbs?.tag !== 0x30) bad("it does not start with a certificate's SEQUENCE");
  const fields = children(der, tbs!);
  // version [0] is optional (v1 certificates leave it out)
  const at = fields[0]?.tag === 0xa0 ? 1 : 0;
  const [, , issuer, validity, subject] = fields.slice(at);
  if (issuer?.tag !== 0x30 || validity?.tag !== 0x30 || subject?.tag !== 0x30) {
    bad("its fields are not where X.509 puts them");
  }
  const [notBefore, notAfter] = children(der, validity);
  if (!notBefore || !notAfter) bad("its validity has no notAfter");
  return {
    subject: commonName(der, subject),
    issuer: commonName(der, issuer),
    altNames: altNames(der, fields.find((f) => f.tag === 0xa3)),
    notBefore: time(der, notBefore),
    notAfter: time(der, notAfter),
  };
}
