import { refuse } from "../_argument_checks.ts";
import {
  bitString,
  boolean,
  explicit,
  octetString,
  oid,
  sequence,
  set,
  smallInteger,
  time,
  tlv,
  unsignedInteger,
  utf8String,
} from "./_der.ts";
import { ipv4Bytes, ipv6Bytes } from "../packet/_format.ts";

/** Options for {@linkcode createCertificates}. */
export interface CertificateOptions {
  /** Names and IP addresses the server certificate is valid for (its subjectAltName). @default {["localhost", "127.0.0.1", "::1"]} */
  hostnames?: readonly string[];
  /** How many days the certificates stay valid. @default {1} */
  days?: number;
  /** The CA's common name. @default {"anynet throwaway CA"} */
  caName?: string;
}

/** A throwaway CA and a server certificate it signed, all PEM-encoded. */
export interface CertificateSet {
  /** The CA certificate: what a client trusts (`ca` / `caCerts` options). */
  caCert: string;
  /** The server certificate. */
  cert: string;
  /** The server certificate's private key (PKCS #8, P-256). */
  key: string;
}

const ECDSA_WITH_SHA256 = sequence(oid("1.2.840.10045.4.3.2"));
const P256 = { name: "ECDSA", namedCurve: "P-256" } as const;

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function pem(label: string, der: Uint8Array): string {
  const lines = base64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function name(commonName: string): Uint8Array {
  return sequence(set(sequence(oid("2.5.4.3"), utf8String(commonName))));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

/** WebCrypto's ECDSA signature is r‖s (IEEE P1363); X.509 wants SEQUENCE { r, s }. */
function derSignature(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return sequence(unsignedInteger(raw.subarray(0, half)), unsignedInteger(raw.subarray(half)));
}

function serialNumber(): Uint8Array {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] & 0x7f) | 0x01; // positive and 16 bytes long (RFC 5280 4.1.2.2)
  return unsignedInteger(bytes);
}

async function signCertificate(tbs: Uint8Array, issuerKey: CryptoKey): Promise<Uint8Array> {
  const raw = new Uint8Array(
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, issuerKey, tbs as BufferSource),
  );
  return sequence(tbs, ECDSA_WITH_SHA256, bitString(derSignature(raw)));
}

/** The action every argument error here names: "Cannot create certificates: …". */
const CREATE = "create certificates";

/**
 * Creates a throwaway certificate authority and a server certificate signed by it
 * (ECDSA P-256, SHA-256), with WebCrypto only: no openssl, no files. Clients trust
 * `caCert`; the server uses `cert` and `key`.
 *
 * Two certificates rather than one self-signed: rustls (Deno's TLS) refuses a CA
 * certificate used as the server's own, so the server certificate is a leaf
 * (`cA: FALSE`, serverAuth) naming its hosts in subjectAltName, which is all that
 * modern clients check (RFC 6125).
 *
 * @param options The hosts to cover and how long the certificates last.
 * @returns The CA certificate, the server certificate and its key, PEM-encoded.
 * @throws {TypeError} When a hostname is empty or `days` is not a positive number.
 * @example TLS for a local test server
 * ```ts
 * import { createCertificates } from "anynet/tools";
 * const { caCert, cert, key } = await createCertificates({ hostnames: ["localhost"] });
 * console.assert(cert.startsWith("-----BEGIN CERTIFICATE-----"));
 * ```
 */
export async function createCertificates(options: CertificateOptions = {}): Promise<CertificateSet> {
  const hostnames = options.hostnames ?? ["localhost", "127.0.0.1", "::1"];
  const days = options.days ?? 1;
  if (hostnames.length === 0 || hostnames.some((h) => typeof h !== "string" || h.trim() === "")) {
    refuse(CREATE, `'hostnames' must be non-empty strings: got ${JSON.stringify(hostnames)}`);
  }
  if (!(typeof days === "number" && days > 0 && Number.isFinite(days))) {
    refuse(CREATE, `'days' must be a positive number: got ${days}`);
  }
  const caName = name(options.caName ?? "anynet throwaway CA");
  // Backdated an hour so that a peer whose clock is slightly behind still accepts it.
  const validity = sequence(time(new Date(Date.now() - 3600_000)), time(new Date(Date.now() + days * 86400_000)));
  const v3 = explicit(0, smallInteger(2));

  const ca = await crypto.subtle.generateKey(P256, true, ["sign", "verify"]) as CryptoKeyPair;
  const leaf = await crypto.subtle.generateKey(P256, true, ["sign", "verify"]) as CryptoKeyPair;
  const caSpki = new Uint8Array(await crypto.subtle.exportKey("spki", ca.publicKey));
  const leafSpki = new Uint8Array(await crypto.subtle.exportKey("spki", leaf.publicKey));

  const caTbs = sequence(
    v3,
    serialNumber(),
    ECDSA_WITH_SHA256,
    caName,
    validity,
    caName,
    caSpki,
    explicit(
      3,
      sequence(
        extension("2.5.29.19", true, sequence(boolean(true))), // basicConstraints: cA
        extension("2.5.29.15", true, tlv(0x03, Uint8Array.of(1, 0x06))), // keyUsage: keyCertSign, cRLSign
      ),
    ),
  );

  const altNames = hostnames.map((host) => {
    const ip = ipv4Bytes(host) ?? ipv6Bytes(host);
    return ip ? tlv(0x87, ip) : tlv(0x82, new TextEncoder().encode(host)); // [7] iPAddress, [2] dNSName
  });
  const leafTbs = sequence(
    v3,
    serialNumber(),
    ECDSA_WITH_SHA256,
    caName,
    validity,
    name(hostnames[0]),
    leafSpki,
    explicit(
      3,
      sequence(
        extension("2.5.29.19", true, sequence()), // basicConstraints: not a CA
        extension("2.5.29.15", true, tlv(0x03, Uint8Array.of(7, 0x80))), // keyUsage: digitalSignature
        extension("2.5.29.37", false, sequence(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2"))), // serverAuth, clientAuth
        extension("2.5.29.17", false, sequence(...altNames)), // subjectAltName
      ),
    ),
  );

  const caCert = await signCertificate(caTbs, ca.privateKey);
  const cert = await signCertificate(leafTbs, ca.privateKey);
  const key = new Uint8Array(await crypto.subtle.exportKey("pkcs8", leaf.privateKey));
  return { caCert: pem("CERTIFICATE", caCert), cert: pem("CERTIFICATE", cert), key: pem("PRIVATE KEY", key) };
}
