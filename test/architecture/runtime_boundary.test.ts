/**
 * Only src/runtime/ may reach a runtime directly: no module elsewhere under src/ names
 * the `Deno` or `Bun` globals or imports a `node:` module in its code (comments and the
 * prose of string literals do not count). Everything else goes through the adapter that
 * src/runtime/mod.ts chooses once, so that supporting a runtime, or changing how one
 * behaves, means editing src/runtime/ alone.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { root } from "../_helpers/env.ts";

/** What a module's code (not its comments) uses of a runtime. */
interface RuntimeUse {
  /** `Deno` or `Bun` used as a name, or as a whole string (`"Deno" in globalThis`). */
  globals: string[];
  /** Modules imported (statically, dynamically or re-exported from) whose specifier starts with `node:`. */
  nodeImports: string[];
}

/** Characters after which a `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set([..."(,=:[!&|?{};+-*%<>~^"]);

/**
 * Splits TypeScript source into code and string literals, dropping comments. Template
 * literals' text counts as a string, their `${…}` parts as code; regular expression
 * literals are skipped whole, so that a quote or `//` inside one is not misread.
 */
function scan(source: string): { code: string; strings: string[] } {
  let code = "";
  const strings: string[] = [];
  // One entry per open template literal: the brace depth of its `${` expression.
  const templates: number[] = [];
  let depth = 0;
  let i = 0;
  const lastSignificant = (): string => code.trimEnd().at(-1) ?? ";";
  const readQuoted = (quote: string): string => {
    let text = "";
    for (i++; i < source.length && source[i] !== quote; i++) {
      if (source[i] === "\\") i++;
      text += source[i];
    }
    i++;
    return text;
  };
  const readTemplateText = (): void => {
    // From inside a template literal to its end or to the next `${`.
    let text = "";
    while (i < source.length) {
      const c = source[i]!;
      if (c === "\\") {
        text += source[i + 1] ?? "";
        i += 2;
      } else if (c === "`") {
        i++;
        strings.push(text);
        code += '""';
        return;
      } else if (c === "$" && source[i + 1] === "{") {
        i += 2;
        strings.push(text);
        code += '"" + (';
        templates.push(depth);
        depth++;
        return;
      } else {
        text += c;
        i++;
      }
    }
  };
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? source.length : end + 2;
      code += " ";
    } else if (c === "'" || c === '"') {
      strings.push(readQuoted(c));
      code += '""';
    } else if (c === "`") {
      i++;
      readTemplateText();
    } else if (
      c === "/" && (BEFORE_REGEX.has(lastSignificant()) || /\b(return|typeof|case|of|in)$/.test(code.trimEnd()))
    ) {
      // A regular expression literal: skip it, classes included.
      let inClass = false;
      for (i++; i < source.length; i++) {
        const r = source[i];
        if (r === "\\") i++;
        else if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
      }
      i++;
      code += "/re/";
    } else if (c === "{") {
      depth++;
      code += c;
      i++;
    } else if (c === "}") {
      depth--;
      i++;
      if (templates.length > 0 && templates.at(-1) === depth) {
        templates.pop();
        code += ") + ";
        readTemplateText();
      } else {
        code += c;
      }
    } else {
      code += c;
      i++;
    }
  }
  return { code, strings };
}

/** What `source` uses of a runtime in its code. */
function runtimeUse(source: string): RuntimeUse {
  const { code, strings } = scan(source);
  const globals = [...code.matchAll(/(?<![\w$.])(Deno|Bun)(?![\w$])/g)].map((m) => m[1]!);
  globals.push(...strings.filter((s) => s === "Deno" || s === "Bun"));
  // With strings kept: import … from "node:x", import "node:x", import("node:x"), export … from "node:x".
  const withStrings = source.replace(/\/\*[\s\S]*?\*\/|(?<![:"'`\\])\/\/[^\n]*/g, " ");
  const nodeImports = [
    ...withStrings.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](node:[^"']+)["']/g),
  ].map((m) => m[1]!);
  return { globals, nodeImports };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

test("the scanner sees the code a module runs, not its comments or prose", () => {
  const source = [
    "// Deno.exit() and import('node:fs') in a comment",
    "/* Bun.serve() */",
    'const message = "on Deno, allow it";',
    "const re = /Deno\\/'/g;",
    "const t = `Bun ${Deno.version.deno} Bun`;",
    'const found = "Bun" in globalThis;',
    'import { open } from "node:fs/promises";',
    'const dns = await import("node:dns");',
  ].join("\n");
  const use = runtimeUse(source);
  assert.equal(use.globals.sort(), ["Bun", "Deno"]);
  assert.equal(use.nodeImports, ["node:fs/promises", "node:dns"]);
  assert.equal(runtimeUse('const note = "Deno and Bun"; // Deno\n').globals, []);
});

test("no module outside src/runtime/ names Deno or Bun or imports node:*", () => {
  const src = join(root, "src");
  const runtimeDir = join(src, "runtime");
  const offenders: string[] = [];
  for (const path of sourceFiles(src)) {
    if (path.startsWith(runtimeDir + "/")) continue;
    const use = runtimeUse(readFileSync(path, "utf8"));
    const found = [...new Set([...use.globals, ...use.nodeImports])];
    if (found.length > 0) offenders.push(`${relative(root, path)}: ${found.join(", ")}`);
  }
  assert.equal(offenders, [], `only src/runtime/ may use a runtime directly:\n${offenders.join("\n")}`);
});

test.run();
