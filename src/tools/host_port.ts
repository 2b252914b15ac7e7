import type { NetAddr } from "../net/mod.ts";

/** Options of {@linkcode parseHostPort}. */
export interface ParseHostPortOptions {
  /** Accept port 0 (for an address to listen on, where 0 picks a free port). @default false */
  allowPortZero?: boolean;
}

/**
 * Parses `HOST:PORT` as people write it on a command line: `127.0.0.1:80`,
 * `example.com:443`, `[::1]:80` (an IPv6 address needs the brackets, or its last
 * group could not be told from the port).
 *
 * @param text The address text.
 * @param options Whether port 0 is acceptable.
 * @returns The host (without brackets) and the port.
 * @throws {TypeError} When the text is not `HOST:PORT`, naming the text and what is wrong.
 * @throws {RangeError} When the port is out of range.
 * @example Parse an IPv6 address
 * ```ts
 * import { parseHostPort } from "anynet/tools";
 * const addr = parseHostPort("[::1]:8080");
 * console.assert(addr.hostname === "::1" && addr.port === 8080);
 * ```
 */
export function parseHostPort(text: string, options: ParseHostPortOptions = {}): NetAddr {
  if (typeof text !== "string") throw new TypeError(`Cannot parse HOST:PORT: expected a string: got ${typeof text}`);
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(text);
  let host: string, portText: string;
  if (bracketed) {
    [, host, portText] = bracketed as unknown as [string, string, string];
    if (!host.includes(":")) throw new TypeError(`'${text}' is not HOST:PORT: brackets are for IPv6 addresses only`);
  } else {
    if (text.startsWith("[")) throw new TypeError(`'${text}' is not HOST:PORT: expected [IPV6]:PORT`);
    const colon = text.lastIndexOf(":");
    if (colon < 0) throw new TypeError(`'${text}' is not HOST:PORT: the port is missing`);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(":")) {
      throw new TypeError(`'${text}' is not HOST:PORT: write an IPv6 address in brackets, as [${host}]:${portText}`);
    }
  }
  // deno-lint-ignore no-control-regex
  if (host.length === 0 || /[\s\x00-\x1f\x7f/\[\]]/.test(host)) {
    throw new TypeError(`'${text}' is not HOST:PORT: the host is missing or malformed`);
  }
  if (!/^\d{1,5}$/.test(portText)) {
    throw new TypeError(`'${text}' is not HOST:PORT: '${portText}' is not a port number`);
  }
  const port = Number(portText);
  const min = options.allowPortZero ? 0 : 1;
  if (port < min || port > 65535) {
    throw new RangeError(`'${text}' is not HOST:PORT: the port must be from ${min} to 65535: got ${port}`);
  }
  return { hostname: host, port };
}
