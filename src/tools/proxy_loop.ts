/**
 * Whether a backend is the proxy itself. A backend that leads back to the proxy's own
 * listener turns one client into connections without end (each one the proxy accepts,
 * it passes on to itself) until the machine runs out of sockets. Spellings do not tell:
 * `0.0.0.0`, `127.1`, `2130706433`, `[::ffff:127.0.0.1]` and `localhost` can all name
 * the listener, so names are resolved as `connect()` would resolve them and addresses
 * are compared.
 *
 * @module
 */
import { bracketHost } from "../_address.ts";
import type { NetAddr } from "../net/mod.ts";
import { interfaceAddresses, resolveAll } from "../runtime/host_addresses.ts";

/**
 * One form per address: IPv6 compressed and lower-case without a zone, an IPv4-mapped
 * IPv6 address (`::ffff:127.0.0.1`, which reaches the IPv4 listener) as IPv4. Anything
 * that is not an IP address comes back lower-cased.
 */
function canonicalIp(address: string): string {
  const bare = address.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  let host: string;
  try {
    // The URL parser writes every spelling of an address one way (RFC 5952 for IPv6).
    host = new URL(`http://${bracketHost(bare)}/`).hostname;
  } catch {
    return bare.toLowerCase();
  }
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(host);
  if (mapped) {
    const high = parseInt(mapped[1]!, 16), low = parseInt(mapped[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return host.replace(/^\[(.*)\]$/, "$1");
}

const isIpv4 = (address: string): boolean => /^\d+\.\d+\.\d+\.\d+$/.test(address);

// Linux sends a connection to the unspecified address to the loopback one.
const CONNECT_TARGET: Record<string, string> = { "0.0.0.0": "127.0.0.1", "::": "::1" };

function isLoopback(address: string): boolean {
  return address === "::1" || (isIpv4(address) && address.startsWith("127."));
}

/**
 * Whether a connection to `backend` arrives at `listener` (the proxy's bound address):
 * the same port, and an address the listener accepts on. A listener on `0.0.0.0` takes
 * every IPv4 address of this machine, one on `::` every address of either family (Linux
 * binds `::` for both unless told otherwise). A backend name that does not resolve now
 * is not a loop now; a backend that reaches the proxy through another machine is not
 * seen.
 */
export async function reachesListener(backend: NetAddr, listener: NetAddr): Promise<boolean> {
  if (backend.port !== listener.port) return false;
  let targets: string[];
  try {
    targets = (await resolveAll(backend.hostname)).map((address) => {
      const canonical = canonicalIp(address);
      return CONNECT_TARGET[canonical] ?? canonical;
    });
  } catch {
    return false;
  }
  const at = canonicalIp(listener.hostname);
  if (at !== "0.0.0.0" && at !== "::") return targets.includes(at);
  const own = new Set(interfaceAddresses().map(canonicalIp));
  return targets.some((target) => (at === "::" || isIpv4(target)) && (isLoopback(target) || own.has(target)));
}
