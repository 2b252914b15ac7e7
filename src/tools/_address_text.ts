/**
 * Text forms of IP addresses: dotted quad for IPv4, RFC 5952 for IPv6.
 *
 * @module
 */

/** `a.b.c.d` from four bytes. */
export function ipv4Text(bytes: ArrayLike<number>, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/**
 * The canonical text of an IPv6 address (RFC 5952): lowercase hex without leading zeros,
 * the longest run of two or more zero groups (the first, on a tie) replaced by `::`, and
 * IPv4-mapped addresses (`::ffff:0:0/96`) written with a dotted quad (section 5).
 */
export function ipv6Text(bytes: ArrayLike<number>, offset = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[offset + 2 * i] << 8) | bytes[offset + 2 * i + 1]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${ipv4Text(bytes, offset + 12)}`;
  }
  let bestStart = -1, bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  // Section 4.2.2: a single zero group is not shortened.
  if (bestLength < 2) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
