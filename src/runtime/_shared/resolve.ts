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
 * answer works with the IPv4 sockets most callers bind.
 */
export async function resolveHostname(hostname: string): Promise<string> {
  const addresses = await lookup(hostname, { all: true });
  const chosen = addresses.find((a) => a.family === 4) ?? addresses[0];
  if (!chosen) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return chosen.address;
}
