/**
 * Which proxy a request goes through, if any: the proxy environment variables read as
 * curl reads them, `NO_PROXY` lists, and proxy URLs. Pure: the environment comes in as a
 * function, nothing here reads the process or touches the network, so every runtime
 * makes the same choice from the same inputs.
 *
 * The rules:
 * - `http_proxy` for http: URLs, `https_proxy` for https: URLs, `all_proxy` for either when
 *   its own is not set; each also in upper case, the lower-case spelling winning when both
 *   are set (as curl does). A variable set to the empty string counts as unset.
 * - `no_proxy` / `NO_PROXY` (and the `noProxy` option): entries separated by commas or
 *   spaces. `*` matches every host. A host name matches itself and every name under it
 *   (`example.com` and `.example.com` both match `example.com` and `a.example.com`; a
 *   leading `*.` is read like the dot). An IP address matches itself, a CIDR block
 *   (`10.0.0.0/8`, `fd00::/8`) every address in it; IPv6 may be written in brackets. An
 *   entry with `:port` matches that port only. Names compare without case and without a
 *   trailing dot. Only the URL's own text is compared: no name is resolved.
 * - A proxy URL is `http://[user:password@]host[:port]`, or `host:port` alone (read as
 *   http). The credentials are percent-decoded and sent as `Proxy-Authorization: Basic`.
 *   Without a port, 80.
 *
 * To change how a variable or a `NO_PROXY` entry is read, edit this file.
 *
 * @module
 */
import { type IpBytes, parseIp } from "../net/_ip.ts";
import type { ProxyRoute } from "../runtime/http_types.ts";
import { PROXY_VARIABLES } from "../_proxy_variables.ts";

/** A proxy to send requests through: where it is, and the credentials it takes. */
export type ProxyEndpoint = ProxyRoute;

/** One parsed `NO_PROXY` entry. */
type NoProxyEntry =
  | { kind: "all" }
  | { kind: "name"; name: string; port: number | undefined }
  | { kind: "ip"; bytes: IpBytes; bits: number; port: number | undefined };

/** A parsed `NO_PROXY` list. */
export interface NoProxyList {
  readonly entries: readonly NoProxyEntry[];
}

/** What the proxy variables of an environment say. */
export interface ProxyEnvironment {
  /** The proxy for http: URLs (`http_proxy`, else `all_proxy`). */
  readonly http: ProxyEndpoint | undefined;
  /** The proxy for https: URLs (`https_proxy`, else `all_proxy`). */
  readonly https: ProxyEndpoint | undefined;
  /** The hosts that go direct. */
  readonly noProxy: NoProxyList;
  /**
   * Whether any of the proxy variables is set: a runtime whose fetch reads them
   * itself must then be told plainly what anynet chose.
   */
  readonly named: boolean;
}

/** An environment without any proxy variable. */
export const NO_PROXY_ENVIRONMENT: ProxyEnvironment = Object.freeze({
  http: undefined,
  https: undefined,
  noProxy: Object.freeze({ entries: [] }),
  named: false,
});

function basicAuthorization(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/**
 * Reads a proxy URL. `source` names where it came from (`'proxy'`, `HTTPS_PROXY`) in the
 * TypeError that a bad one raises.
 */
export function parseProxyUrl(value: string | URL, source: string): ProxyEndpoint {
  const text = String(value).trim();
  const bad = (why: string): never => {
    // The value may hold a password: show it without.
    throw new TypeError(`${source} ${why}: got '${text.replace(/\/\/[^@/]*@/, "//…@")}'`);
  };
  let url: URL;
  try {
    // A bare "host:port" is an http proxy, as curl reads it.
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    bad("is not a proxy URL");
  }
  if (url!.protocol !== "http:") bad("must be an http:// proxy (https and SOCKS proxies are not supported)");
  if (url!.hostname === "") bad("names no host");
  if ((url!.pathname !== "/" && url!.pathname !== "") || url!.search !== "" || url!.hash !== "") {
    bad("must be a proxy's address alone, without a path or query");
  }
  let credentials: ProxyEndpoint["credentials"];
  if (url!.username !== "" || url!.password !== "") {
    try {
      credentials = { username: decodeURIComponent(url!.username), password: decodeURIComponent(url!.password) };
    } catch {
      bad("has credentials that are not valid percent-encoding");
    }
  }
  const port = url!.port === "" ? 80 : Number(url!.port);
  const hostname = url!.hostname.startsWith("[") ? url!.hostname.slice(1, -1) : url!.hostname;
  return {
    origin: `http://${url!.hostname}:${port}`,
    hostname,
    port,
    credentials,
    authorization: credentials && basicAuthorization(credentials.username, credentials.password),
  };
}

/** Splits "host:port", "[v6]:port", "v6" (each perhaps with a "/bits" prefix length) into a host and an optional port. */
function splitPort(entry: string): { host: string; port: number | undefined } {
  // "[v6]", "[v6]:port", "[v6]/bits", "[v6]/bits:port".
  const bracketed = /^\[([^\]]+)\](\/\d+)?(?::(\d+))?$/.exec(entry);
  if (bracketed) {
    return {
      host: bracketed[1]! + (bracketed[2] ?? ""),
      port: bracketed[3] === undefined ? undefined : Number(bracketed[3]),
    };
  }
  const colon = entry.lastIndexOf(":");
  // More than one colon and no brackets: an IPv6 address (with a prefix length, perhaps).
  if (colon < 0 || entry.indexOf(":") !== colon || !/^\d+$/.test(entry.slice(colon + 1))) {
    return { host: entry, port: undefined };
  }
  return { host: entry.slice(0, colon), port: Number(entry.slice(colon + 1)) };
}

function parseEntry(raw: string): NoProxyEntry | undefined {
  if (raw === "*") return { kind: "all" };
  const { host, port } = splitPort(raw);
  const slash = host.indexOf("/");
  const address = slash < 0 ? host : host.slice(0, slash);
  const bytes = parseIp(address);
  if (bytes !== undefined) {
    const isV4 = !address.includes(":");
    const width = isV4 ? 32 : 128;
    const prefix = slash < 0 ? String(width) : host.slice(slash + 1);
    // A prefix length that is no number, or too long, makes an entry that matches nothing.
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > width) return undefined;
    const bits = Number(prefix);
    return { kind: "ip", bytes, bits: isV4 ? bits + 96 : bits, port };
  }
  const name = host.toLowerCase().replace(/^\*?\.+/, "").replace(/\.$/, "");
  return name === "" ? undefined : { kind: "name", name, port };
}

/** Parses a `NO_PROXY` value (or the `noProxy` option's list). Entries that mean nothing are left out. */
export function parseNoProxy(list: string | readonly string[]): NoProxyList {
  const entries: NoProxyEntry[] = [];
  const items = typeof list === "string" ? list.split(/[\s,]+/) : list.flatMap((item) => item.split(/[\s,]+/));
  for (const item of items) {
    if (item === "") continue;
    const entry = parseEntry(item);
    if (entry !== undefined) entries.push(entry);
  }
  return { entries };
}

function inBlock(address: IpBytes, block: IpBytes, bits: number): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== block[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (address[whole]! & mask) === (block[whole]! & mask);
}

/**
 * Whether `hostname` (as a URL has it: an IPv6 address in brackets or not) and `port`
 * are on `list`, and so go direct.
 */
export function bypassesProxy(list: NoProxyList, hostname: string, port: number): boolean {
  if (list.entries.length === 0) return false;
  const host = (hostname.startsWith("[") ? hostname.slice(1, -1) : hostname).toLowerCase().replace(/\.$/, "");
  const address = parseIp(host);
  for (const entry of list.entries) {
    if (entry.kind === "all") return true;
    if (entry.port !== undefined && entry.port !== port) continue;
    if (entry.kind === "ip") {
      if (address !== undefined && inBlock(address, entry.bytes, entry.bits)) return true;
    } else if (
      address === undefined &&
      (host === entry.name || (host.endsWith(entry.name) && host[host.length - entry.name.length - 1] === "."))
    ) {
      return true;
    }
  }
  return false;
}

/** The first of `names` set to something other than the empty string. */
function firstSet(get: (name: string) => string | undefined, names: readonly string[]): [string, string] | undefined {
  for (const name of names) {
    const value = get(name);
    if (value !== undefined && value.trim() !== "") return [name, value];
  }
  return undefined;
}

/**
 * Reads the proxy variables through `get` (the process's environment, or a test's
 * record). A variable that holds no proxy URL is a TypeError naming it.
 */
export function readProxyEnvironment(get: (name: string) => string | undefined): ProxyEnvironment {
  const named = PROXY_VARIABLES.some((name) => get(name) !== undefined);
  if (!named) return NO_PROXY_ENVIRONMENT;
  const endpoint = (found: [string, string] | undefined) => found && parseProxyUrl(found[1], found[0]);
  const all = endpoint(firstSet(get, ["all_proxy", "ALL_PROXY"]));
  const noProxy = firstSet(get, ["no_proxy", "NO_PROXY"]);
  return {
    http: endpoint(firstSet(get, ["http_proxy", "HTTP_PROXY"])) ?? all,
    https: endpoint(firstSet(get, ["https_proxy", "HTTPS_PROXY"])) ?? all,
    noProxy: noProxy === undefined ? NO_PROXY_ENVIRONMENT.noProxy : parseNoProxy(noProxy[1]),
    named,
  };
}

/** Where a URL is: its scheme, host as the URL spells it, and port (the scheme's default when it has none). */
export interface ProxyTarget {
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: number;
}

/** Reads the parts of an absolute http(s) URL that the choice needs. */
export function proxyTargetOf(url: string): ProxyTarget {
  const parsed = new URL(url);
  const secure = parsed.protocol === "https:";
  return { secure, hostname: parsed.hostname, port: parsed.port === "" ? (secure ? 443 : 80) : Number(parsed.port) };
}

/** The proxy the environment names for `target`, or undefined to go direct. */
export function environmentProxyFor(environment: ProxyEnvironment, target: ProxyTarget): ProxyEndpoint | undefined {
  const proxy = target.secure ? environment.https : environment.http;
  if (proxy === undefined || bypassesProxy(environment.noProxy, target.hostname, target.port)) return undefined;
  return proxy;
}
