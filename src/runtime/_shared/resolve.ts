/**
 * Name resolution for sockets, the same on every runtime: `node:dns` asks the system's
 * resolver (getaddrinfo) on Node, Deno and Bun alike, so `/etc/hosts` and the search
 * domains apply everywhere, and one rule picks the address.
 *
 * @module
 */
import { lookup } from "node:dns/promises";

/**
 * Resolves a name to one address with the system resolver, IPv4 first: resolvers
 * differ in the order they give (`localhost` is `::1` first on some), and an IPv4
 * answer works with the IPv4 sockets most callers bind. With `family`, only an address
 * of that family will do; a name without one fails as not found, saying so.
 */
export async function resolveHostname(hostname: string, family?: 4 | 6): Promise<string> {
  const addresses = await lookup(hostname, { all: true });
  const chosen = family === undefined
    ? addresses.find((a) => a.family === 4) ?? addresses[0]
    : addresses.find((a) => a.family === family);
  if (!chosen) {
    const what = family === undefined
      ? `getaddrinfo ENOTFOUND ${hostname}`
      : `${hostname} has no IPv${family} address (it has ${addresses.map((a) => a.address).join(", ") || "none"})`;
    throw Object.assign(new Error(what), { code: "ENOTFOUND" });
  }
  return chosen.address;
}
