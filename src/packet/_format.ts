/**
 * Text forms of addresses and names, shared by both engines' record builder.
 *
 * @module
 */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lowercase colon-separated MAC address of `b[o, o+6)`. */
export function macText(b: Uint8Array, o: number): string {
  return `${HEX[b[o]]}:${HEX[b[o + 1]]}:${HEX[b[o + 2]]}:${HEX[b[o + 3]]}:${HEX[b[o + 4]]}:${HEX[b[o + 5]]}`;
}

/** Dotted-quad IPv4 address of `b[o, o+4)`. */
export function ipv4Text(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** RFC 5952 text of the IPv6 address `b[o, o+16)`. */
export function ipv6Text(b: Uint8Array, o: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[o + 2 * i] << 8) | b[o + 2 * i + 1]);
  // IPv4-mapped addresses keep the dotted quad (RFC 5952 section 5).
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${ipv4Text(b, o + 12)}`;
  }
  // The longest run of two or more zero groups becomes "::"; the first one on a tie.
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number, z: number) => g.slice(a, z).map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/** Bytes as text: printable ASCII as is, anything else as `\DDD`. */
export function asciiText(b: Uint8Array, o: number, n: number, escapeDot = false): string {
  let s = "";
  for (let i = o; i < o + n; i++) {
    const c = b[i];
    if (c < 0x21 || c > 0x7e || c === 0x5c || (escapeDot && c === 0x2e)) s += "\\" + String(c).padStart(3, "0");
    else s += String.fromCharCode(c);
  }
  return s;
}

/** Longest DNS name as text: 255 bytes of labels, each byte at most 4 characters (`\DDD`). */
const DNS_TEXT_MAX = 1024;
const dnsScratch = new Uint8Array(DNS_TEXT_MAX);

/**
 * Writes the first question's name of the DNS message at `d` (already validated by the
 * decoder) as text into `out`: labels joined by dots, anything but printable ASCII, a
 * backslash or a dot inside a label as `\DDD`, the root as "."; returns its length.
 * `out` must hold 1024 bytes.
 */
export function writeDnsName(b: Uint8Array, d: number, out: Uint8Array): number {
  let q = d + 12;
  let n = 0;
  for (let guard = 0; guard < 512; guard++) {
    const l = b[q];
    if (l === 0) break;
    if ((l & 0xc0) === 0xc0) {
      q = d + (((l & 0x3f) << 8) | b[q + 1]);
      continue;
    }
    if (n > 0) out[n++] = 0x2e;
    for (let k = q + 1; k <= q + l; k++) {
      const c = b[k];
      if (c < 0x21 || c > 0x7e || c === 0x5c || c === 0x2e) {
        out[n++] = 0x5c;
        out[n++] = 0x30 + Math.floor(c / 100);
        out[n++] = 0x30 + (Math.floor(c / 10) % 10);
        out[n++] = 0x30 + (c % 10);
      } else {
        out[n++] = c;
      }
    }
    q += 1 + l;
  }
  if (n === 0) out[n++] = 0x2e;
  return n;
}

/** The first question's name of the DNS message at `d`, already validated by the decoder. */
export function dnsNameText(b: Uint8Array, d: number): string {
  const n = writeDnsName(b, d, dnsScratch);
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(dnsScratch[i]);
  return s;
}

/** The four bytes of a dotted-quad IPv4 address; `undefined` when `text` is not one. */
export function ipv4Bytes(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return Uint8Array.from(parts.map(Number));
}

/**
 * The sixteen bytes of an IPv6 address in any RFC 4291 text form (`::` compression, a
 * trailing dotted quad); `undefined` when `text` is not one.
 */
export function ipv6Bytes(text: string): Uint8Array | undefined {
  if (!text.includes(":") || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const words = (half: string): number[] | undefined => {
    if (half === "") return [];
    const out: number[] = [];
    const groups = half.split(":");
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i];
      const v4 = i === groups.length - 1 && group.includes(".") ? ipv4Bytes(group) : undefined;
      if (v4) out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      else if (/^[0-9a-fA-F]{1,4}$/.test(group)) out.push(parseInt(group, 16));
      else return undefined;
    }
    return out;
  };
  const head = words(halves[0]);
  const tail = halves.length === 2 ? words(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}
