/**
 * Compiles a checked filter once into nested closures that test one row of the packet
 * table in place: the row's flag bits first (is the field there at all?), then the value
 * read from the row or the packet bytes. Nothing is allocated per packet, except for a
 * `matches` test, which needs the field as a JavaScript string; strings are otherwise
 * compared as bytes where they lie. No user text is ever evaluated as code.
 *
 * @module
 */
import type { BytesTest, CheckedFilter, NumberTest, TextTest, TimeTest } from "./check.ts";
import type { FieldDef, TextSpan } from "./fields.ts";

/** Tests row `r` (the index of its first column in `t`) over packet bytes `b`. */
export type RowTest = (t: Int32Array, b: Uint8Array, r: number) => boolean;

/** Compiles a checked filter into one row test. */
export function compileRowTest(node: CheckedFilter): RowTest {
  switch (node.kind) {
    case "and": {
      const left = compileRowTest(node.left), right = compileRowTest(node.right);
      return (t, b, r) => left(t, b, r) && right(t, b, r);
    }
    case "or": {
      const left = compileRowTest(node.left), right = compileRowTest(node.right);
      return (t, b, r) => left(t, b, r) || right(t, b, r);
    }
    case "not": {
      const operand = compileRowTest(node.operand);
      return (t, b, r) => !operand(t, b, r);
    }
    case "exists":
      return exists(node.field);
    case "number":
      return numberTest(node);
    case "bytes":
      return bytesTest(node);
    case "time":
      return timeTest(node);
    case "text":
      return textTest(node);
  }
}

function exists(field: FieldDef): RowTest {
  const mask = field.mask, count = field.count;
  if (count) return (t, b, r) => (t[r] & mask) === mask && count(t, b, r) > 0;
  if (mask === 0) return () => true;
  return (t, _b, r) => (t[r] & mask) === mask;
}

/**
 * The row test for a field and a test of one value: `pass(t, b, r, i)` says whether
 * occurrence `i` passes; the quantifier decides how occurrences combine.
 */
function quantified(
  field: FieldDef,
  all: boolean,
  pass: (t: Int32Array, b: Uint8Array, r: number, i: number) => boolean,
): RowTest {
  const mask = field.mask, count = field.count;
  if (!count) return (t, b, r) => (t[r] & mask) === mask && pass(t, b, r, 0);
  if (all) {
    return (t, b, r) => {
      if ((t[r] & mask) !== mask) return false;
      const n = count(t, b, r);
      for (let i = 0; i < n; i++) if (!pass(t, b, r, i)) return false;
      return n > 0;
    };
  }
  return (t, b, r) => {
    if ((t[r] & mask) !== mask) return false;
    const n = count(t, b, r);
    for (let i = 0; i < n; i++) if (pass(t, b, r, i)) return true;
    return false;
  };
}

function numberTest(node: NumberTest): RowTest {
  const value = node.field.value!, outside = node.outside, ranges = node.ranges;
  const mask = node.field.mask;
  let pass: (t: Int32Array, b: Uint8Array, r: number, i: number) => boolean;
  if (ranges.length === 1 && ranges[0][0] === ranges[0][1]) {
    const k = ranges[0][0];
    // The commonest test, `field == value` on a field that occurs once, in one closure.
    if (!node.field.count && !outside) return (t, b, r) => (t[r] & mask) === mask && value(t, b, r, 0) === k;
    pass = outside ? (t, b, r, i) => value(t, b, r, i) !== k : (t, b, r, i) => value(t, b, r, i) === k;
  } else if (ranges.length === 1) {
    const [low, high] = ranges[0];
    pass = (t, b, r, i) => {
      const v = value(t, b, r, i);
      return (v >= low && v <= high) !== outside;
    };
  } else {
    const lows = ranges.map((x) => x[0]), highs = ranges.map((x) => x[1]);
    pass = (t, b, r, i) => {
      const v = value(t, b, r, i);
      for (let j = 0; j < lows.length; j++) if (v >= lows[j] && v <= highs[j]) return !outside;
      return outside;
    };
  }
  return quantified(node.field, node.quantifier === "all", pass);
}

/** Compares `size` bytes of `b` at `o` with `v`: negative, 0 or positive. */
function compareBytes(b: Uint8Array, o: number, v: Uint8Array, size: number): number {
  for (let i = 0; i < size; i++) {
    const d = b[o + i] - v[i];
    if (d !== 0) return d;
  }
  return 0;
}

function bytesTest(node: BytesTest): RowTest {
  const value = node.field.value!, outside = node.outside, size = node.size;
  const lows = node.ranges.map((x) => x[0]), highs = node.ranges.map((x) => x[1]);
  const pass = (t: Int32Array, b: Uint8Array, r: number, i: number): boolean => {
    const o = value(t, b, r, i);
    for (let j = 0; j < lows.length; j++) {
      if (compareBytes(b, o, lows[j], size) >= 0 && compareBytes(b, o, highs[j], size) <= 0) return !outside;
    }
    return outside;
  };
  return quantified(node.field, node.quantifier === "all", pass);
}

function timeTest(node: TimeTest): RowTest {
  const seconds = node.field.value!, nanos = node.field.nanos!, outside = node.outside;
  const ranges = node.ranges;
  const pass = (t: Int32Array, b: Uint8Array, r: number, i: number): boolean => {
    const s = seconds(t, b, r, i), n = nanos(t, b, r, i);
    for (const [[ls, ln], [hs, hn]] of ranges) {
      if ((s > ls || (s === ls && n >= ln)) && (s < hs || (s === hs && n <= hn))) return !outside;
    }
    return outside;
  };
  return quantified(node.field, node.quantifier === "all", pass);
}

function textTest(node: TextTest): RowTest {
  const read = node.field.text!, outside = node.outside, test = node.test;
  // One span per compiled test, refilled for every occurrence.
  const span: TextSpan = { buffer: new Uint8Array(0), offset: 0, length: 0 };
  let match: (s: TextSpan) => boolean;
  switch (test.op) {
    case "equal": {
      const values = test.values;
      match = (s) => {
        for (const v of values) {
          if (v.length === s.length && compareBytes(s.buffer, s.offset, v, v.length) === 0) return true;
        }
        return false;
      };
      break;
    }
    case "order": {
      const { value, min, max } = test;
      match = (s) => {
        const common = Math.min(s.length, value.length);
        let d = compareBytes(s.buffer, s.offset, value, common);
        if (d === 0) d = s.length - value.length;
        const sign = d < 0 ? -1 : d > 0 ? 1 : 0;
        return sign >= min && sign <= max;
      };
      break;
    }
    case "contains": {
      const value = test.value;
      match = (s) => indexOf(s.buffer, s.offset, s.length, value) >= 0;
      break;
    }
    case "matches": {
      const regex = test.regex;
      match = (s) => regex.test(latin1(s.buffer, s.offset, s.length));
      break;
    }
  }
  const pass = (t: Int32Array, b: Uint8Array, r: number, i: number): boolean => {
    read(t, b, r, i, span);
    return match(span) !== outside;
  };
  return quantified(node.field, node.quantifier === "all", pass);
}

/** Where `needle` starts within `b[o, o+n)`, or -1. */
function indexOf(b: Uint8Array, o: number, n: number, needle: Uint8Array): number {
  const m = needle.length;
  if (m === 0) return 0;
  const first = needle[0];
  for (let i = o, last = o + n - m; i <= last; i++) {
    if (b[i] !== first) continue;
    let j = 1;
    while (j < m && b[i + j] === needle[j]) j++;
    if (j === m) return i - o;
  }
  return -1;
}

function latin1(b: Uint8Array, o: number, n: number): string {
  let s = "";
  for (let i = o; i < o + n; i++) s += String.fromCharCode(b[i]);
  return s;
}
