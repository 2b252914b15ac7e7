/** Argument checks shared by listen, connect and bindUdp: thrown before any I/O. */
import { checkOptionNames } from "../_argument_checks.ts";

/** Checks a port: an integer from `min` to 65535. */
export function checkPort(action: string, port: unknown, min: 0 | 1): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < min || port > 65535) {
    const shown = typeof port === "string" ? `'${port}'` : String(port);
    const message = `Cannot ${action}: 'port' must be an integer from ${min} to 65535: got ${shown}`;
    throw typeof port === "number" ? new RangeError(message) : new TypeError(message);
  }
  return port;
}

/** Checks a host name or address: a non-empty string without spaces or control characters. */
export function checkHostname(action: string, hostname: unknown): string {
  if (typeof hostname !== "string") {
    throw new TypeError(`Cannot ${action}: 'hostname' must be a string: got ${typeof hostname}`);
  }
  // deno-lint-ignore no-control-regex
  if (hostname.length === 0 || hostname.length > 253 || /[\s\x00-\x1f\x7f/]/.test(hostname)) {
    throw new TypeError(`Cannot ${action}: 'hostname' must be a host name or IP address: got '${hostname}'`);
  }
  // "[::1]" as in URLs and `host:port` strings: the brackets are not part of the address.
  if (hostname.startsWith("[") && hostname.endsWith("]") && hostname.includes(":")) return hostname.slice(1, -1);
  return hostname;
}

/** Checks a PEM text (certificate, key, CA). */
export function checkPem(action: string, name: string, value: unknown): string {
  if (typeof value !== "string" || !value.includes("-----BEGIN ")) {
    throw new TypeError(
      `Cannot ${action}: '${name}' must be PEM text (starting with -----BEGIN): got ${describe(value)}`,
    );
  }
  return value;
}

/** Checks a list of strings such as ALPN protocols. */
export function checkStringList(action: string, name: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string" || item.length === 0)) {
    throw new TypeError(`Cannot ${action}: '${name}' must be an array of non-empty strings: got ${describe(value)}`);
  }
  return value as string[];
}

/** Checks an optional AbortSignal. */
export function checkSignal(action: string, signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof signal !== "object" || signal === null || typeof (signal as AbortSignal).aborted !== "boolean") {
    throw new TypeError(`Cannot ${action}: 'signal' must be an AbortSignal: got ${describe(signal)}`);
  }
  return signal as AbortSignal;
}

/** Checks that the options are an object with none but the option `names` (under `path`, such as "tls."). */
export function checkOptions(
  action: string,
  options: unknown,
  names?: readonly string[],
  path = "",
): Record<string, unknown> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot ${action}: ${path ? `'${path.slice(0, -1)}'` : "options"} must be an object: got ${describe(options)}`,
    );
  }
  if (names) checkOptionNames(action, options, names, path);
  return options as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (typeof value === "string") return value.length > 40 ? `a string of ${value.length} characters` : `'${value}'`;
  if (Array.isArray(value)) return "an array";
  return value === null ? "null" : typeof value;
}
