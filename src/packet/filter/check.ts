/**
 * The type checker: decides, for each test of a parsed filter, whether its operator
 * applies to its field's type and what its values mean (an integer, an IPv4 address or
 * prefix, a MAC, an IPv6 address or prefix, a time, a string), and turns every
 * comparison into one shape the compiler evaluates: "any (or all) occurrences of the
 * field fall (or do not fall) in these ranges". Every mistake is a FilterError at the
 * value's or the operator's column.
 *
 * tshark's meanings: `==`, `<`, `>`, `in` … hold when any occurrence does; `!=` when every
 * occurrence differs (so `ip.addr != 10.0.0.1` drops a packet from or to it); `===` when
 * every occurrence is equal, `!==` when any one differs; a field that is absent makes
 * every comparison false.
 *
 * @module
 */
import { ipv4Bytes, ipv6Bytes } from "../_format.ts";
import type { FieldDef } from "./fields.ts";
import { FilterError } from "./filter_error.ts";
import type { FieldRef, FilterNode, Literal } from "./parser.ts";

/** Whether one occurrence must pass (`any`) or all of them. */
export type Quantifier = "any" | "all";

/** Inclusive ranges of numbers (integers, booleans as 0/1, IPv4 addresses as unsigned 32-bit). */
export interface NumberTest {
  kind: "number";
  field: FieldDef;
  quantifier: Quantifier;
  /** True when an occurrence passes by lying outside every range. */
  outside: boolean;
  ranges: [number, number][];
}

/** Inclusive ranges of fixed-length byte strings compared byte by byte (MAC, IPv6). */
export interface BytesTest {
  kind: "bytes";
  field: FieldDef;
  quantifier: Quantifier;
  outside: boolean;
  size: number;
  ranges: [Uint8Array, Uint8Array][];
}

/** Inclusive ranges of times, each bound as [seconds, nanoseconds]. */
export interface TimeTest {
  kind: "time";
  field: FieldDef;
  quantifier: Quantifier;
  outside: boolean;
  ranges: [[number, number], [number, number]][];
}

/** A string test on the field's bytes (UTF-8 values). */
export interface TextTest {
  kind: "text";
  field: FieldDef;
  quantifier: Quantifier;
  /** True when an occurrence passes by failing the test. */
  outside: boolean;
  test:
    | { op: "equal"; values: Uint8Array[] }
    | { op: "order"; value: Uint8Array; min: number; max: number }
    | { op: "contains"; value: Uint8Array }
    | { op: "matches"; regex: RegExp };
}

/** The checked expression, ready to compile. */
export type CheckedFilter =
  | { kind: "and" | "or"; left: CheckedFilter; right: CheckedFilter }
  | { kind: "not"; operand: CheckedFilter }
  | { kind: "exists"; field: FieldDef }
  | NumberTest
  | BytesTest
  | TimeTest
  | TextTest;

const MAX_U32 = 0xffffffff;

/** Type-checks a parsed filter. @throws {FilterError} At the first mistake, by column. */
export function checkFilter(tree: FilterNode, expression: string): CheckedFilter {
  const fail = (reason: string, column: number, hint?: string): never => {
    throw new FilterError(reason, column, expression, hint);
  };

  const check = (node: FilterNode): CheckedFilter => {
    switch (node.kind) {
      case "and":
      case "or":
        return { kind: node.kind, left: check(node.left), right: check(node.right) };
      case "not":
        return { kind: "not", operand: check(node.operand) };
      case "exists":
        return { kind: "exists", field: node.field.def };
      case "compare":
        return comparison(node.field, node.op, node.value, node.opColumn);
      case "contains":
      case "matches":
        return textSearch(node.field, node.kind, node.value, node.opColumn);
      case "in":
        return membership(node.field, node.items.map((i) => [i.low, i.high ?? i.low]), node.opColumn);
    }
  };

  const usable = (field: FieldRef, what: string, column: number): FieldDef => {
    const def = field.def;
    if (def.type === "protocol") {
      fail(`'${def.name}' is a protocol: it can only be tested alone (is it there?), not ${what}`, column);
    }
    return def;
  };

  const comparison = (field: FieldRef, op: string, value: Literal, column: number): CheckedFilter => {
    const def = usable(field, `compared with ${op}`, column);
    const quantifier: Quantifier = op === "!=" || op === "===" ? "all" : "any";
    const outside = op === "!=" || op === "!==";
    const equality = op === "==" || op === "!=" || op === "===" || op === "!==";
    if (def.type === "string") {
      const bytes = textValue(value, def);
      if (equality) return { kind: "text", field: def, quantifier, outside, test: { op: "equal", values: [bytes] } };
      // Order as a window on the comparison's sign: -1, 0 or 1 against the value.
      const [min, max] = op === "<" ? [-1, -1] : op === "<=" ? [-1, 0] : op === ">" ? [1, 1] : [0, 1];
      return { kind: "text", field: def, quantifier, outside, test: { op: "order", value: bytes, min, max } };
    }
    if (def.type === "boolean" && !equality) fail(`'${def.name}' is a boolean: compare it with == or !=`, column);
    let ranges: [unknown, unknown][];
    if (equality) {
      ranges = [pointOrPrefix(def, value)];
    } else {
      const [low, high] = pointOrPrefix(def, value);
      ranges = [
        op === "<" || op === "<="
          ? below(def, op === "<" ? low : high, op === "<")
          : above(def, op === ">" ? high : low, op === ">"),
      ];
    }
    return ranged(def, quantifier, outside, ranges);
  };

  const membership = (field: FieldRef, items: [Literal, Literal][], column: number): CheckedFilter => {
    const def = usable(field, "tested with 'in'", column);
    if (def.type === "string") {
      const values = items.map(([low, high]) => {
        if (high !== low) fail(`a set of strings cannot hold ranges`, high.column);
        return textValue(low, def);
      });
      return { kind: "text", field: def, quantifier: "any", outside: false, test: { op: "equal", values } };
    }
    if (def.type === "boolean" && items.some(([low, high]) => low !== high)) {
      fail(`'${def.name}' is a boolean: a set of booleans cannot hold ranges`, column);
    }
    const ranges = items.map(([low, high]): [unknown, unknown] => {
      const from = pointOrPrefix(def, low), to = high === low ? from : pointOrPrefix(def, high);
      if (compareValues(def, from[0], to[1]) > 0) fail(`the range ends below where it starts`, high.column);
      return [from[0], to[1]];
    });
    return ranged(def, "any", false, ranges);
  };

  const textSearch = (field: FieldRef, op: "contains" | "matches", value: Literal, column: number): CheckedFilter => {
    const def = usable(field, `searched with '${op}'`, column);
    if (def.type !== "string") fail(`'${op}' applies to strings; '${def.name}' is ${article(def.type)}`, column);
    if (op === "contains") {
      return {
        kind: "text",
        field: def,
        quantifier: "any",
        outside: false,
        test: { op, value: textValue(value, def) },
      };
    }
    if (value.kind !== "string") fail(`'matches' takes a quoted regular expression`, value.column);
    let regex: RegExp;
    try {
      // tshark's patterns are case-insensitive unless they say otherwise.
      regex = new RegExp(value.text, "i");
    } catch (error) {
      return fail(`bad regular expression: ${(error as Error).message}`, value.column);
    }
    return { kind: "text", field: def, quantifier: "any", outside: false, test: { op, regex } };
  };

  /** The value as the inclusive range it names: one point, or a whole prefix for a CIDR. */
  const pointOrPrefix = (def: FieldDef, value: Literal): [unknown, unknown] => {
    switch (def.type) {
      case "integer": {
        const n = integerValue(value, def);
        return [n, n];
      }
      case "boolean": {
        const n = booleanValue(value, def);
        return [n, n];
      }
      case "ipv4":
        return ipv4Range(value, def);
      case "ipv6":
        return ipv6Range(value, def);
      case "mac": {
        const mac = macValue(value, def);
        return [mac, mac];
      }
      case "time": {
        const time = timeValue(value, def);
        return [time, time];
      }
      default:
        return fail(`cannot compare '${def.name}'`, value.column);
    }
  };

  const integerValue = (value: Literal, def: FieldDef): number => {
    if (value.kind === "char") return Number(value.text);
    const text = value.text;
    const n = value.kind !== "word"
      ? NaN
      : /^0x[0-9a-f]+$/i.test(text)
      ? parseInt(text.slice(2), 16)
      : /^0b[01]+$/i.test(text)
      ? parseInt(text.slice(2), 2)
      : /^0[0-7]+$/.test(text)
      ? parseInt(text.slice(1), 8)
      : /^\d+$/.test(text)
      ? Number(text)
      : NaN;
    if (!(n <= MAX_U32)) fail(`'${text}' is not an unsigned integer`, value.column, `${def.name} is one`);
    return n;
  };

  const booleanValue = (value: Literal, def: FieldDef): number => {
    if (value.kind === "word" && (value.text === "True" || value.text === "TRUE")) return 1;
    if (value.kind === "word" && (value.text === "False" || value.text === "FALSE")) return 0;
    const n = value.kind === "string" ? NaN : value.kind === "char" ? Number(value.text) : Number(value.text);
    if (!Number.isInteger(n) || /^\s*$/.test(value.text)) {
      fail(`'${value.text}' is not a boolean`, value.column, `${def.name} is True, False, 1 or 0`);
    }
    return n !== 0 ? 1 : 0;
  };

  const ipv4Range = (value: Literal, def: FieldDef): [number, number] => {
    const [address, prefix] = value.text.split("/", 2);
    const bytes = value.kind === "word" ? ipv4Bytes(address) : undefined;
    if (!bytes) {
      const why = /[a-z]/i.test(address) && value.kind === "word" ? "; host names are not resolved" : "";
      return fail(`'${value.text}' is not an IPv4 address`, value.column, `${def.name} holds one${why}`);
    }
    const n = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    if (prefix === undefined) return [n, n];
    const bits = /^\d{1,2}$/.test(prefix) ? Number(prefix) : NaN;
    if (!(bits <= 32)) fail(`'/${prefix}' is not a prefix length from 0 to 32`, value.column + address.length);
    const size = 2 ** (32 - bits);
    const low = n - (n % size);
    return [low, low + size - 1];
  };

  const ipv6Range = (value: Literal, def: FieldDef): [Uint8Array, Uint8Array] => {
    const [address, prefix] = value.text.split("/", 2);
    const bytes = value.kind === "word" ? ipv6Bytes(address) : undefined;
    if (!bytes) return fail(`'${value.text}' is not an IPv6 address`, value.column, `${def.name} holds one`);
    if (prefix === undefined) return [bytes, bytes];
    const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (!(bits <= 128)) fail(`'/${prefix}' is not a prefix length from 0 to 128`, value.column + address.length);
    const low = bytes.slice(), high = bytes.slice();
    for (let i = 0; i < 16; i++) {
      const keep = Math.max(0, Math.min(8, bits - 8 * i));
      const mask = 0xff >> keep;
      low[i] &= ~mask;
      high[i] |= mask;
    }
    return [low, high];
  };

  const macValue = (value: Literal, def: FieldDef): Uint8Array => {
    const text = value.text;
    const hex = value.kind !== "word"
      ? undefined
      : /^[0-9a-f]{2}([:.-][0-9a-f]{2}){5}$/i.test(text)
      ? text.replace(/[:.-]/g, "")
      : /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(text) || /^[0-9a-f]{12}$/i.test(text)
      ? text.replace(/\./g, "")
      : undefined;
    if (!hex) {
      return fail(`'${text}' is not a MAC address`, value.column, `${def.name} holds six hex bytes, aa:bb:cc:dd:ee:ff`);
    }
    return Uint8Array.from({ length: 6 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  };

  const timeValue = (value: Literal, def: FieldDef): [number, number] => {
    const m = value.kind === "word" ? /^(\d+)(?:\.(\d{0,9}))?$/.exec(value.text) : null;
    if (!m) {
      return fail(`'${value.text}' is not a time`, value.column, `${def.name} is seconds since 1970, up to 9 decimals`);
    }
    return [Number(m[1]), Number((m[2] ?? "").padEnd(9, "0"))];
  };

  const textValue = (value: Literal, def: FieldDef): Uint8Array => {
    if (value.kind === "char") fail(`'${def.name}' is a string: quote the value`, value.column);
    return new TextEncoder().encode(value.text);
  };

  return check(tree);
}

/** Orders two values of a field's type (numbers, byte strings or [sec, nsec]). */
export function compareValues(def: FieldDef, a: unknown, b: unknown): number {
  if (def.type === "time") {
    const [as, an] = a as [number, number], [bs, bn] = b as [number, number];
    return as !== bs ? as - bs : an - bn;
  }
  if (a instanceof Uint8Array) {
    const y = b as Uint8Array;
    for (let i = 0; i < a.length; i++) if (a[i] !== y[i]) return a[i] - y[i];
    return 0;
  }
  return (a as number) - (b as number);
}

/** The range of everything below `bound` (or up to it, when not strict), in the field's type. */
function below(def: FieldDef, bound: unknown, strict: boolean): [unknown, unknown] {
  return [lowest(def), strict ? step(def, bound, -1) : bound];
}
function above(def: FieldDef, bound: unknown, strict: boolean): [unknown, unknown] {
  return [strict ? step(def, bound, 1) : bound, highest(def)];
}

function lowest(def: FieldDef): unknown {
  if (def.type === "time") return [-Infinity, 0];
  if (def.type === "mac" || def.type === "ipv6") return new Uint8Array(def.type === "mac" ? 6 : 16);
  return 0;
}
function highest(def: FieldDef): unknown {
  if (def.type === "time") return [Infinity, 0];
  if (def.type === "mac" || def.type === "ipv6") return new Uint8Array(def.type === "mac" ? 6 : 16).fill(0xff);
  return Infinity;
}

/**
 * The next value up (`by` 1) or down (-1) in the field's type: a strict bound as an
 * inclusive one. Past either end the result is an empty range's bound.
 */
function step(def: FieldDef, value: unknown, by: 1 | -1): unknown {
  if (def.type === "time") {
    const [s, n] = value as [number, number];
    const next = n + by;
    return next < 0 ? [s - 1, 999999999] : next > 999999999 ? [s + 1, 0] : [s, next];
  }
  if (value instanceof Uint8Array) {
    const out = value.slice();
    for (let i = out.length - 1; i >= 0; i--) {
      const v = out[i] + by;
      out[i] = v & 0xff;
      if (v >= 0 && v <= 0xff) return out;
    }
    // Wrapped around: nothing is above the highest or below the lowest.
    return null;
  }
  return (value as number) + by;
}

/** Builds the ranged test of a field's type; a range with a `null` bound (past an end) is dropped. */
function ranged(def: FieldDef, quantifier: Quantifier, outside: boolean, ranges: [unknown, unknown][]): CheckedFilter {
  const real = ranges.filter(([a, b]) => a !== null && b !== null && compareValues(def, a, b) <= 0);
  switch (def.type) {
    case "time":
      return { kind: "time", field: def, quantifier, outside, ranges: real as TimeTest["ranges"] };
    case "mac":
    case "ipv6":
      return {
        kind: "bytes",
        field: def,
        quantifier,
        outside,
        size: def.type === "mac" ? 6 : 16,
        ranges: real as BytesTest["ranges"],
      };
    default:
      return { kind: "number", field: def, quantifier, outside, ranges: real as NumberTest["ranges"] };
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
