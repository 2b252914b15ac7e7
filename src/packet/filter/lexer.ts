/**
 * Splits a display filter into tokens, each with the column it starts at. The words
 * (field names and unquoted values such as `10.0.0.0/8`, `aa:bb:cc:dd:ee:ff` or
 * `2001:db8::1`) are kept whole; what they mean is decided by the parser and the type
 * checker, which know where a field and where a value is expected.
 *
 * @module
 */
import { FilterError } from "./filter_error.ts";

/** Token kinds. `word` is a name or an unquoted value; `string` a quoted one. */
export type TokenKind =
  | "word"
  | "string"
  | "char"
  | "op"
  | "and"
  | "or"
  | "not"
  | "in"
  | "contains"
  | "matches"
  | "("
  | ")"
  | "{"
  | "}"
  | ","
  | ".."
  | "end";

/** One token; `text` is the value of a string or char, the operator's canonical spelling for `op`. */
export interface Token {
  kind: TokenKind;
  text: string;
  /** Column of its first character, from 1. */
  column: number;
}

/** Comparison operators, by every spelling, to their canonical form. */
const OPERATORS: Record<string, string> = {
  "==": "==",
  "eq": "==",
  "any_eq": "==",
  "!=": "!=",
  "ne": "!=",
  "all_ne": "!=",
  "===": "===",
  "all_eq": "===",
  "!==": "!==",
  "any_ne": "!==",
  "<": "<",
  "lt": "<",
  "<=": "<=",
  "le": "<=",
  ">": ">",
  "gt": ">",
  ">=": ">=",
  "ge": ">=",
  "~": "matches",
};

const KEYWORDS: Record<string, TokenKind> = {
  and: "and",
  or: "or",
  not: "not",
  in: "in",
  contains: "contains",
  matches: "matches",
};

// What an unquoted word may hold: names, numbers, addresses, prefixes.
const WORD_CHAR = /[A-Za-z0-9_.:/\-]/;

const ESCAPES: Record<string, number> = {
  "'": 0x27,
  '"': 0x22,
  "\\": 0x5c,
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
};

/** Splits `text` into tokens, ending with an `end` token. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const fail = (reason: string, at: number): never => {
    throw new FilterError(reason, at + 1, text);
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const start = i;
    const two = text.slice(i, i + 2), three = text.slice(i, i + 3);
    if (three === "===" || three === "!==") {
      tokens.push({ kind: "op", text: OPERATORS[three], column: start + 1 });
      i += 3;
    } else if (two === "==" || two === "!=" || two === "<=" || two === ">=") {
      tokens.push({ kind: "op", text: OPERATORS[two], column: start + 1 });
      i += 2;
    } else if (two === "&&") {
      tokens.push({ kind: "and", text: two, column: start + 1 });
      i += 2;
    } else if (two === "||") {
      tokens.push({ kind: "or", text: two, column: start + 1 });
      i += 2;
    } else if (two === "..") {
      tokens.push({ kind: "..", text: two, column: start + 1 });
      i += 2;
    } else if (c === "<" || c === ">") {
      tokens.push({ kind: "op", text: c, column: start + 1 });
      i++;
    } else if (c === "~") {
      tokens.push({ kind: "matches", text: c, column: start + 1 });
      i++;
    } else if (c === "!") {
      tokens.push({ kind: "not", text: c, column: start + 1 });
      i++;
    } else if (c === "(" || c === ")" || c === "{" || c === "}" || c === ",") {
      tokens.push({ kind: c, text: c, column: start + 1 });
      i++;
    } else if (c === '"' || (c === "r" && text[i + 1] === '"')) {
      const raw = c === "r";
      i += raw ? 2 : 1;
      let value = "";
      for (;;) {
        if (i >= text.length) fail("string without its closing quote", start);
        const d = text[i];
        if (d === '"') {
          i++;
          break;
        }
        if (d !== "\\") {
          value += d;
          i++;
          continue;
        }
        if (raw) {
          // A raw string keeps its backslashes; an escaped quote does not end it.
          value += text.slice(i, i + 2);
          i += 2;
          continue;
        }
        const [code, used] = escape(text, i, fail);
        value += String.fromCodePoint(code);
        i += used;
      }
      tokens.push({ kind: "string", text: value, column: start + 1 });
    } else if (c === "'") {
      // A C-style character constant: an integer.
      i++;
      let code: number;
      if (text[i] === "\\") {
        const [value, used] = escape(text, i, fail);
        code = value;
        i += used;
      } else if (i < text.length && text[i] !== "'") {
        code = text.codePointAt(i)!;
        i += code > 0xffff ? 2 : 1;
      } else {
        return fail("empty character constant", start);
      }
      if (text[i] !== "'") fail("character constant without its closing quote", start);
      i++;
      tokens.push({ kind: "char", text: String(code), column: start + 1 });
    } else if (WORD_CHAR.test(c)) {
      while (i < text.length && WORD_CHAR.test(text[i]) && text.slice(i, i + 2) !== "..") i++;
      const word = text.slice(start, i);
      const lower = word.toLowerCase();
      if (KEYWORDS[lower]) tokens.push({ kind: KEYWORDS[lower], text: lower, column: start + 1 });
      else if (OPERATORS[lower]) tokens.push({ kind: "op", text: OPERATORS[lower], column: start + 1 });
      else tokens.push({ kind: "word", text: word, column: start + 1 });
    } else if (c === "[") {
      fail("slices ([…]) are not supported", start);
    } else if (c === "&" || c === "|" || c === "+" || c === "*" || c === "%" || c === "#" || c === "$") {
      fail(`the operator '${c}' is not supported`, start);
    } else {
      fail(`unexpected character '${c}'`, start);
    }
  }
  tokens.push({ kind: "end", text: "", column: text.length + 1 });
  return tokens;
}

/** The code point of the escape sequence at `text[i]` (a backslash) and how many characters it took. */
function escape(text: string, i: number, fail: (reason: string, at: number) => never): [number, number] {
  const d = text[i + 1];
  if (d === undefined) return fail("backslash at the end of the expression", i);
  if (d in ESCAPES) return [ESCAPES[d], 2];
  if (d >= "0" && d <= "7") {
    const m = /^[0-7]{1,3}/.exec(text.slice(i + 1))![0];
    return [parseInt(m, 8), 1 + m.length];
  }
  const hex = d === "x" ? /^[0-9a-fA-F]{1,2}/ : d === "u" ? /^[0-9a-fA-F]{4}/ : d === "U" ? /^[0-9a-fA-F]{8}/ : null;
  if (hex) {
    const digits = hex.exec(text.slice(i + 2))?.[0];
    if (!digits) return fail(`bad escape '\\${d}'`, i);
    const value = parseInt(digits, 16);
    if (value > 0x10ffff) return fail(`escape '\\${d}${digits}' is beyond Unicode`, i);
    return [value, 2 + digits.length];
  }
  return fail(`unknown escape '\\${d}'`, i);
}
