/**
 * Byte-array helpers shared by the areas that build or collect bytes (the HTTP client's
 * body reader, the certificate encoder).
 *
 * @module
 */

/** The parts joined into one new array (the part itself when there is just one). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let size = 0;
  for (const part of parts) size += part.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
