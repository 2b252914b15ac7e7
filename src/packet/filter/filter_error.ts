/**
 * The one error a display filter can raise while it is read: what is wrong and the
 * column (from 1) where it starts, so that a command line can point at it.
 *
 * @module
 */

/** A display filter that cannot be read, with the column where the mistake starts. */
export class FilterError extends Error {
  /** Column of the mistake in the expression, from 1. */
  readonly column: number;
  /** The expression as given. */
  readonly expression: string;

  /** @internal */
  constructor(reason: string, column: number, expression: string, hint?: string) {
    super(`${reason} at column ${column}${hint ? ` (${hint})` : ""}`);
    this.name = "FilterError";
    this.column = column;
    this.expression = expression;
  }

  /** The expression and a caret under the column: two lines for a terminal. */
  pointer(): string {
    return `  ${this.expression}\n  ${" ".repeat(Math.max(0, this.column - 1))}^`;
  }
}
