/**
 * The proxy of one hop of a request: the `proxy` and `noProxy` options checked, the
 * process's proxy variables read (once, at the first request that consults them, as Go's
 * client does: a program that changes its environment later keeps the first reading),
 * and the choice of _proxy_choice.ts applied to the hop's URL.
 *
 * To change how the options are checked, or when the environment is read, edit this file;
 * the rules themselves are in _proxy_choice.ts.
 *
 * @module
 */
import { describeValue, refuse } from "../_argument_checks.ts";
import {
  bypassesProxy,
  environmentProxyFor,
  type NoProxyList,
  parseNoProxy,
  parseProxyUrl,
  type ProxyEndpoint,
  type ProxyEnvironment,
  proxyTargetOf,
  readProxyEnvironment,
} from "./_proxy_choice.ts";
import { adapter } from "../runtime/mod.ts";
import { env } from "../runtime/process.ts";

const SEND = "send the request";

/** What the `proxy` and `noProxy` options of one call ask for. */
export type ProxySetting =
  /** The proxy variables decide (`noProxy` in place of `NO_PROXY` when given). */
  | { readonly kind: "environment"; readonly noProxy: NoProxyList | undefined }
  /** `proxy: false`: always direct. */
  | { readonly kind: "off" }
  /** `proxy: URL`: this proxy, except for the hosts on `noProxy`; the environment is not read. */
  | { readonly kind: "fixed"; readonly proxy: ProxyEndpoint; readonly noProxy: NoProxyList | undefined };

/** The setting of a call that gives neither option. */
export const FROM_ENVIRONMENT: ProxySetting = Object.freeze({ kind: "environment", noProxy: undefined });

/**
 * Where one hop goes: through this proxy; `"direct"`, straight to the server although
 * the environment names a proxy (a runtime whose fetch reads the variables itself must be
 * told); or undefined, straight there with nothing to override.
 */
export type HopRoute = ProxyEndpoint | "direct" | undefined;

function checkNoProxy(value: unknown): NoProxyList | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return parseNoProxy(value);
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return parseNoProxy(value);
  refuse(
    SEND,
    `'noProxy' must be a string or an array of strings (hosts, domains, IPs, CIDR blocks, *): got ${
      describeValue(value)
    }`,
  );
}

/** Checks the `proxy` and `noProxy` options of a call (and, when they leave it to the environment, the proxy variables). */
export function proxySetting(proxy: unknown, noProxy: unknown): ProxySetting {
  const list = checkNoProxy(noProxy);
  if (proxy === undefined) {
    proxyEnvironment();
    return list === undefined ? FROM_ENVIRONMENT : { kind: "environment", noProxy: list };
  }
  if (proxy === false) return { kind: "off" };
  if (typeof proxy !== "string" && !(proxy instanceof URL)) {
    refuse(SEND, `'proxy' must be an http:// URL (string or URL) or false: got ${describeValue(proxy)}`);
  }
  try {
    return { kind: "fixed", proxy: parseProxyUrl(proxy, "'proxy'"), noProxy: list };
  } catch (error) {
    refuse(SEND, (error as Error).message);
  }
}

let environment: ProxyEnvironment | undefined;
let environmentError: TypeError | undefined;

/**
 * The process's proxy variables, read once. On Deno a variable the program may not read
 * is not read at all (reading would make Deno ask its user); it counts as unset.
 */
export function proxyEnvironment(): ProxyEnvironment {
  if (environment !== undefined) return environment;
  if (environmentError !== undefined) throw environmentError;
  const readable = (name: string) => adapter.permissions.isGranted({ name: "env", variable: name });
  try {
    environment = readProxyEnvironment((name) => (readable(name) ? env(name) : undefined));
  } catch (error) {
    environmentError = new TypeError(`Cannot ${SEND}: ${(error as Error).message}`);
    throw environmentError;
  }
  return environment;
}

/** Whether the environment names a proxy; a variable too malformed to read counts (the runtime may still read it). */
function environmentNamesProxy(): boolean {
  try {
    return proxyEnvironment().named;
  } catch {
    return true;
  }
}

/** Where the hop to `url` goes under `setting`. */
export function routeFor(setting: ProxySetting, url: string): HopRoute {
  if (setting.kind === "environment") {
    const found = proxyEnvironment();
    if (!found.named) return undefined;
    const target = proxyTargetOf(url);
    const proxy = setting.noProxy === undefined
      ? environmentProxyFor(found, target)
      : environmentProxyFor({ ...found, noProxy: setting.noProxy }, target);
    return proxy ?? "direct";
  }
  const direct: HopRoute = environmentNamesProxy() ? "direct" : undefined;
  if (setting.kind === "off") return direct;
  if (setting.noProxy !== undefined) {
    const target = proxyTargetOf(url);
    if (bypassesProxy(setting.noProxy, target.hostname, target.port)) return direct;
  }
  return setting.proxy;
}
