/**
 * Which addresses a host name stands for, and which are this machine's own. `node:dns`
 * and `node:os` behave the same on Node, Deno and Bun for this, so one implementation
 * serves all three runtimes.
 *
 * @module
 */
import { lookup } from "node:dns/promises";
import { networkInterfaces } from "node:os";
import { adapter } from "./mod.ts";

/**
 * Every address `hostname` stands for, as the system's resolver gives them (the one
 * `connect()` uses): an IP address in any spelling the resolver accepts (`127.1`,
 * `2130706433`) comes back as an address.
 *
 * @throws {Error} The resolver's error (`ENOTFOUND` …) when the name does not resolve.
 */
export async function resolveAll(hostname: string): Promise<string[]> {
  const found = await lookup(hostname, { all: true });
  return found.map((entry) => entry.address);
}

/**
 * The IP addresses of this machine's network interfaces (loopback included); empty when
 * the runtime may not read them (Deno without `--allow-sys`).
 */
export function interfaceAddresses(): string[] {
  // Asked first: on a terminal, Deno would stop to ask its user for something this
  // program can do without.
  if (!adapter.permissions.isGranted({ name: "sys", kind: "networkInterfaces" })) return [];
  try {
    return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address));
  } catch {
    return [];
  }
}
