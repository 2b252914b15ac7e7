/**
 * The checks every function that takes an options object makes first: that it is an
 * object, and that it has no option the function does not know. A misspelt option
 * ("timout") would otherwise be ignored in silence and its default used; on `connect()`
 * that meant no time limit at all.
 *
 * @module
 */
import { closest } from "./_suggest.ts";

/**
 * Throws a TypeError ("Cannot `action`: unknown option …") for the first key of `options`
 * that is not in `names`, saying "did you mean …?" for a near miss or listing the names
 * there are. `path` prefixes nested options, such as `"tls."`.
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

/** Checks that `options` is an object with none but the option `names`; returns it as a record. */
export function checkOptionsObject(
  action: string,
  options: unknown,
  names: readonly string[],
): Record<string, unknown> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot ${action}: options must be an object: got ${options === null ? "null" : typeof options}`,
    );
  }
  checkOptionNames(action, options, names);
  return options as Record<string, unknown>;
}
