/**
 * Every check of a caller's arguments, in one place and in one wording:
 *
 *     Cannot <action>: '<name>' must be <requirement>: got <value>
 *
 * Each area names only its action ("listen", "send the request", "build frame"); what
 * is checked, which error class it raises (a wrong type is a TypeError, a number out of
 * range a RangeError) and how the value is shown are decided here. The checks run before
 * any I/O, so a mistake fails at the call that made it, not somewhere inside a transfer.
 *
 * To change how an option is checked or worded, edit it here; the tests in
 * test/argument_checks.test.ts pin each check's accepted and refused values.
 *
 * @module
 */
import { MAX_DELAY_MS } from "./_delay.ts";
import { closest } from "./_suggest.ts";

/** How a refused value is shown after "got". */
export type ShowValue = (value: unknown) => string;

/** Shows a value by its type only: "null", "string", "object". */
export function typeOfValue(value: unknown): string {
  return value === null ? "null" : typeof value;
}

/** Shows a value briefly: a short string quoted, "an array", else its type. */
export function brieflyShown(value: unknown): string {
  if (typeof value === "string") return value.length > 40 ? `a string of ${value.length} characters` : `'${value}'`;
  if (Array.isArray(value)) return "an array";
  return typeOfValue(value);
}

/**
 * Shows a value a caller passed or a callback returned, with its type: "undefined",
 * "a string ('text')", "number 42", "an object (Array)".
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "string") return `a string ('${value.length > 40 ? value.slice(0, 40) + "…" : value}')`;
  if (typeof value === "object") return `an object (${(value as object).constructor?.name ?? "no class"})`;
  return `${typeof value} ${String(value)}`;
}

/** Throws `Kind` with "Cannot `action`: `detail`", for a check an area words itself. */
export function refuse(action: string, detail: string, Kind: ErrorConstructor = TypeError): never {
  throw new Kind(`Cannot ${action}: ${detail}`);
}

/** Throws "Cannot `action`: '`name`' must be `requirement`: got `shown`". */
function mustBe(action: string, name: string, requirement: string, shown: string, Kind: ErrorConstructor): never {
  refuse(action, `'${name}' must be ${requirement}: got ${shown}`, Kind);
}

/**
 * Throws a TypeError ("Cannot `action`: unknown option …") for the first key of `options`
 * that is not in `names`, saying "did you mean …?" for a near miss or listing the names
 * there are. `path` prefixes nested options, such as `"tls."`. A misspelt option
 * ("timout") would otherwise be ignored in silence and its default used; on `connect()`
 * that meant no time limit at all.
 */
export function checkOptionNames(action: string, options: object, names: readonly string[], path = ""): void {
  for (const key in options) {
    if (names.includes(key)) continue;
    const near = closest(key, names);
    throw new TypeError(
      `Cannot ${action}: unknown option '${path}${key}'` +
        (near ? ` (did you mean '${path}${near}'?)` : ` (there are ${names.join(", ")})`),
    );
  }
}

/**
 * Checks that `options` is an object with none but the option `names` (when given), and
 * returns it as a record. A nested object is named by its `path` ("tls." → 'tls').
 */
export function checkOptionsObject(
  action: string,
  options: unknown,
  names?: readonly string[],
  path = "",
  show: ShowValue = typeOfValue,
): Record<string, unknown> {
  if (typeof options !== "object" || options === null) {
    const subject = path ? `'${path.slice(0, -1)}'` : "options";
    refuse(action, `${subject} must be an object: got ${show(options)}`);
  }
  if (names) checkOptionNames(action, options, names, path);
  return options as Record<string, unknown>;
}

/**
 * Checks a port: an integer from `min` to 65535. A value of another type is a TypeError
 * (a string is shown quoted, so that "80" and 80 are told apart), a number out of range
 * a RangeError.
 */
export function checkPort(action: string, port: unknown, min: 0 | 1): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < min || port > 65535) {
    const shown = typeof port === "string" ? `'${port}'` : String(port);
    mustBe(action, "port", `an integer from ${min} to 65535`, shown, typeof port === "number" ? RangeError : TypeError);
  }
  return port;
}

/**
 * Checks a host name or address: a non-empty string without spaces or control characters,
 * and returns it without the brackets of an IPv6 literal ("[::1]" as in URLs).
 */
export function checkHostname(action: string, hostname: unknown): string {
  if (typeof hostname !== "string") mustBe(action, "hostname", "a string", typeof hostname, TypeError);
  // deno-lint-ignore no-control-regex
  if (hostname.length === 0 || hostname.length > 253 || /[\s\x00-\x1f\x7f/]/.test(hostname)) {
    mustBe(action, "hostname", "a host name or IP address", `'${hostname}'`, TypeError);
  }
  if (hostname.startsWith("[") && hostname.endsWith("]") && hostname.includes(":")) return hostname.slice(1, -1);
  return hostname;
}

/** Checks an integer from `min` to `max` (a count, a size in bytes, a protocol field). */
export function checkIntegerRange(action: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    mustBe(action, name, `an integer from ${min} to ${max}`, String(value), RangeError);
  }
  return value;
}

/** Checks a count or size with no upper bound: an integer of at least 0 (or 1, "a positive integer"). */
export function checkCount(action: string, name: string, value: unknown, least: 0 | 1 = 0): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < least) {
    const requirement = least === 0 ? "an integer of at least 0" : "a positive integer";
    mustBe(action, name, requirement, String(value), RangeError);
  }
  return value;
}

/** Checks a number of at least 0 that need not be whole (a backoff step, for one). */
export function checkNonNegative(action: string, name: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    mustBe(action, name, "a number of at least 0", String(value), RangeError);
  }
  return value;
}

/**
 * Checks a time limit: a positive number of milliseconds that a timer can wait (at most
 * {@linkcode MAX_DELAY_MS}: a longer delay would fire at once).
 */
export function checkDelayMs(action: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !(value > 0) || value > MAX_DELAY_MS) {
    mustBe(
      action,
      name,
      `a positive number of milliseconds, at most ${MAX_DELAY_MS} (about 24.8 days)`,
      String(value),
      RangeError,
    );
  }
  return value;
}

/** Checks a time limit that 0 turns off; anything else goes through {@linkcode checkDelayMs}'s bound. */
export function checkDelayMsOrOff(action: string, name: string, value: unknown): number {
  if (value === 0) return 0;
  if (typeof value !== "number" || !(value > 0) || value > MAX_DELAY_MS) {
    mustBe(
      action,
      name,
      `0 (no limit) or a positive number of milliseconds, at most ${MAX_DELAY_MS} (about 24.8 days)`,
      String(value),
      RangeError,
    );
  }
  return value;
}

/** Checks one of a few strings: `'strategy' must be "a" or "b": got 'c'`. */
export function checkChoice<T extends string>(action: string, name: string, value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T)) {
    const listed = choices.map((choice) => `"${choice}"`);
    const requirement = listed.length === 1 ? listed[0] : `${listed.slice(0, -1).join(", ")} or ${listed.at(-1)}`;
    mustBe(action, name, requirement, `'${String(value)}'`, TypeError);
  }
  return value as T;
}

/** Checks a function (a handler, a callback). */
export function checkFunction<T>(
  action: string,
  name: string,
  value: T,
  show: ShowValue = (value) => typeof value,
): T {
  if (typeof value !== "function") mustBe(action, name, "a function", show(value), TypeError);
  return value;
}

/**
 * Checks an optional AbortSignal. Any object with a boolean `aborted` passes: a signal
 * from another realm or a polyfill is one too, though `instanceof` would say no.
 */
export function checkSignal(action: string, signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof signal !== "object" || signal === null || typeof (signal as AbortSignal).aborted !== "boolean") {
    mustBe(action, "signal", "an AbortSignal", brieflyShown(signal), TypeError);
  }
  return signal as AbortSignal;
}

/** Checks a PEM text (certificate, key, CA). */
export function checkPem(action: string, name: string, value: unknown): string {
  if (typeof value !== "string" || !value.includes("-----BEGIN ")) {
    mustBe(action, name, "PEM text (starting with -----BEGIN)", brieflyShown(value), TypeError);
  }
  return value;
}

/** Checks an optional list of non-empty strings, such as ALPN protocols. */
export function checkStringList(action: string, name: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string" || item.length === 0)) {
    mustBe(action, name, "an array of non-empty strings", brieflyShown(value), TypeError);
  }
  return value as string[];
}
