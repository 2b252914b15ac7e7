/**
 * Reads a display filter's tokens into a tree, with tshark's precedence: `not` binds
 * tightest, then `and`, then `or`, both left-associative; parentheses group. A test is a
 * field alone (it exists), or a field, an operator and a value (or a set `{…}` of values
 * and ranges `a..b`). Field names are looked up here, so that an unknown one is reported
 * where it is written; values stay text until the type checker reads them.
 *
 * @module
 */
import { closest } from "../../_suggest.ts";
import { FIELD_NAMES, type FieldDef, FIELDS } from "./fields.ts";
import { FilterError } from "./filter_error.ts";
import { type Token, tokenize } from "./lexer.ts";

/** A value as written: an unquoted word, a quoted string, or a character constant. */
export interface Literal {
  kind: "word" | "string" | "char";
  text: string;
  column: number;
}

/** A field as written. */
export interface FieldRef {
  def: FieldDef;
  column: number;
}

/** One member of a set: a value, or a range `low..high`. */
export interface SetItem {
  low: Literal;
  high?: Literal;
}

/** The parsed expression. `op` is the canonical comparison (`==`, `!=`, `===`, `!==`, `<` …). */
export type FilterNode =
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; operand: FilterNode }
  | { kind: "exists"; field: FieldRef }
  | { kind: "compare"; field: FieldRef; op: string; value: Literal; opColumn: number }
  | { kind: "contains" | "matches"; field: FieldRef; value: Literal; opColumn: number }
  | { kind: "in"; field: FieldRef; items: SetItem[]; opColumn: number };

/** Parses `text` into a tree. @throws {FilterError} On a syntax error or an unknown field. */
export function parseFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  let at = 0;
  const peek = (): Token => tokens[at];
  const next = (): Token => tokens[at++];
  const fail = (reason: string, token: Token): never => {
    throw new FilterError(reason, token.column, text);
  };
  const describe = (token: Token): string =>
    token.kind === "end"
      ? "the end of the expression"
      : `'${token.kind === "string" ? `"${token.text}"` : token.text}'`;

  const orExpr = (): FilterNode => {
    let left = andExpr();
    while (peek().kind === "or") {
      next();
      left = { kind: "or", left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): FilterNode => {
    let left = notExpr();
    while (peek().kind === "and") {
      next();
      left = { kind: "and", left, right: notExpr() };
    }
    return left;
  };
  const notExpr = (): FilterNode => {
    if (peek().kind === "not") {
      next();
      return { kind: "not", operand: notExpr() };
    }
    return primary();
  };
  const primary = (): FilterNode => {
    const token = next();
    if (token.kind === "(") {
      const inner = orExpr();
      const close = next();
      if (close.kind !== ")") {
        fail(`expected ')' to close the '(' at column ${token.column}, found ${describe(close)}`, close);
      }
      return inner;
    }
    if (token.kind !== "word") {
      return fail(`expected a field or protocol name, found ${describe(token)}`, token);
    }
    return test({ def: field(token), column: token.column });
  };
  const field = (token: Token): FieldDef => {
    const def = FIELDS.get(token.text);
    if (def) return def;
    const guess = closest(token.text, FIELD_NAMES);
    const hint = guess
      ? `did you mean ${guess}?`
      : /^[\d:]/.test(token.text)
      ? "a value comes after a field and an operator"
      : undefined;
    throw new FilterError(`unknown field '${token.text}'`, token.column, text, hint);
  };
  const value = (): Literal => {
    const token = next();
    if (token.kind === "word" || token.kind === "string" || token.kind === "char") {
      return { kind: token.kind, text: token.text, column: token.column };
    }
    return fail(`expected a value, found ${describe(token)}`, token);
  };
  const test = (field: FieldRef): FilterNode => {
    const token = peek();
    if (token.kind === "op") {
      next();
      return { kind: "compare", field, op: token.text, value: value(), opColumn: token.column };
    }
    if (token.kind === "contains" || token.kind === "matches") {
      next();
      return { kind: token.kind, field, value: value(), opColumn: token.column };
    }
    if (token.kind === "in" || (token.kind === "not" && tokens[at + 1].kind === "in")) {
      const negated = token.kind === "not";
      next();
      if (negated) next();
      const node: FilterNode = { kind: "in", field, items: set(), opColumn: token.column };
      return negated ? { kind: "not", operand: node } : node;
    }
    return { kind: "exists", field };
  };
  const set = (): SetItem[] => {
    const open = next();
    if (open.kind !== "{") fail(`expected '{' after 'in', found ${describe(open)}`, open);
    const items: SetItem[] = [];
    for (;;) {
      const low = value();
      if (peek().kind === "..") {
        next();
        items.push({ low, high: value() });
      } else {
        items.push({ low });
      }
      if (peek().kind === "}") break;
      if (peek().kind !== ",") fail(`expected ',' or '}' in the set, found ${describe(peek())}`, peek());
      next();
    }
    next();
    return items;
  };

  if (peek().kind === "end") fail("the expression is empty", peek());
  const tree = orExpr();
  const rest = peek();
  if (rest.kind !== "end") {
    fail(
      rest.kind === ")"
        ? "')' without a matching '('"
        : `expected 'and', 'or' or the end of the expression, found ${describe(rest)}`,
      rest,
    );
  }
  return tree;
}
