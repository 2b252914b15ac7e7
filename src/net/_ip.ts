/**
 * IP address literals: telling them from host names, and comparing addresses rather
 * than spellings (`0:0:0:0:0:ffff:7f00:1`, `::ffff:127.0.0.1` and `127.0.0.1` are one
 * address). Runtimes report a peer in whichever form their socket has: an IPv4 peer of
 * a dual-stack (`::`) socket arrives IPv4-mapped.
 *
 * @module
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The 16 bytes of an IPv6 address; an IPv4 address as its IPv4-mapped form (::ffff:a.b.c.d). */
export type IpBytes = Uint8Array;

function parseIpv4(text: string, into: Uint8Array, at: number): boolean {
  const match = IPV4.exec(text);
  if (!match) return false;
  for (let i = 0; i < 4; i++) {
    const part = match[i + 1]!;
    // "010" is octal to inet_aton and decimal to others: not an address anyone should rely on.
    if (part.length > 1 && part.startsWith("0")) return false;
    const value = Number(part);
    if (value > 255) return false;
    into[at + i] = value;
  }
  return true;
}

function parseIpv6(text: string): IpBytes | undefined {
  const bytes = new Uint8Array(16);
  // A zone ("fe80::1%eth0") names an interface, not a different address.
  const address = text.split("%")[0]!;
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  // An embedded IPv4 address takes the last two groups.
  const last = (tail.length > 0 ? tail : head).at(-1);
  let ipv4At: number | undefined;
  if (last !== undefined && last.includes(".")) {
    (tail.length > 0 ? tail : head).pop();
    ipv4At = 12;
  }
  const groupCount = head.length + tail.length + (ipv4At === undefined ? 0 : 2);
  if (halves.length === 1 ? groupCount !== 8 : groupCount > 7) return undefined;
  const write = (list: string[], start: number): boolean => {
    for (let i = 0; i < list.length; i++) {
      if (!/^[0-9a-f]{1,4}$/i.test(list[i]!)) return false;
      const value = parseInt(list[i]!, 16);
      bytes[start + 2 * i] = value >> 8;
      bytes[start + 2 * i + 1] = value & 0xff;
    }
    return true;
  };
  if (!write(head, 0)) return undefined;
  const tailStart = (ipv4At ?? 16) - 2 * tail.length;
  if (!write(tail, tailStart)) return undefined;
  if (ipv4At !== undefined && !parseIpv4(last!, bytes, 12)) return undefined;
  return bytes;
}

/** The address `text` spells, or undefined for anything that is not an IP address literal (a host name). */
export function parseIp(text: string): IpBytes | undefined {
  const mapped = new Uint8Array(16);
  if (parseIpv4(text, mapped, 12)) {
    mapped[10] = 0xff;
    mapped[11] = 0xff;
    return mapped;
  }
  return text.includes(":") ? parseIpv6(text) : undefined;
}

/** Whether `text` is an IPv4 or IPv6 address literal (not a host name). */
export function isIpAddress(text: string): boolean {
  return parseIp(text) !== undefined;
}

/** Whether two IP addresses are the same address, however each is spelt. */
export function sameIp(a: IpBytes, b: IpBytes): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isIpv4Mapped(ip: IpBytes): boolean {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

/** 0.0.0.0 or :: (IPv4-mapped or not): "every address" to bind, "this host" to send to. */
export function isUnspecifiedIp(ip: IpBytes): boolean {
  const from = isIpv4Mapped(ip) ? 12 : 0;
  for (let i = from; i < 16; i++) if (ip[i] !== 0) return false;
  return true;
}

/** 127.0.0.0/8 (IPv4-mapped or not) or ::1: addresses that never leave this machine. */
export function isLoopbackIp(ip: IpBytes): boolean {
  if (isIpv4Mapped(ip)) return ip[12] === 127;
  for (let i = 0; i < 15; i++) if (ip[i] !== 0) return false;
  return ip[15] === 1;
}
