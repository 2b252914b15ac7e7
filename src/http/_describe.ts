/**
 * A value named for an error message about what a caller passed or returned: "undefined",
 * "a string ('text')", "number 42", "an object (Array)".
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "string") return `a string ('${value.length > 40 ? value.slice(0, 40) + "…" : value}')`;
  if (typeof value === "object") return `an object (${(value as object).constructor?.name ?? "no class"})`;
  return `${typeof value} ${String(value)}`;
}
