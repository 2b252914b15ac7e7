/**
 * The package's entry points, declared once: deno.json's `exports` ("./net" →
 * "./src/net/mod.ts"). Everything else that names them is derived from it and checked by
 * scripts/build.ts: deno.json's `imports` (how the sources import themselves by name), the
 * repository's package.json (for a git-URL install and for Node's own tests, files under
 * dist/) and the published dist/package.json (files at its root).
 *
 * @module
 */

/** package.json fields that say where each entry point's module and declarations are. */
export interface EntryFields {
  main: string;
  types: string;
  /** For TypeScript's `node10` resolution, which does not read `exports`. */
  typesVersions: { "*": Record<string, string[]> };
  exports: Record<string, string | { types: string; default: string }>;
}

/** `"./src/net/mod.ts"` → `"net/mod"`: where an entry point's module sits under the output folder. */
function stem(source: string): string {
  const match = source.match(/^\.\/src\/(.+)\.ts$/);
  if (!match) throw new Error(`deno.json exports '${source}', which is not a .ts file under ./src/`);
  return match[1];
}

/**
 * The package.json fields for the entry points in `denoExports`, for a package whose
 * compiled files sit under `folder` (`"./dist/"` or `"./"`).
 */
export function entryFields(denoExports: Record<string, string>, folder: string): EntryFields {
  const fields: EntryFields = { main: "", types: "", typesVersions: { "*": {} }, exports: {} };
  for (const [subpath, source] of Object.entries(denoExports)) {
    const file = folder + stem(source);
    fields.exports[subpath] = { types: `${file}.d.ts`, default: `${file}.js` };
    if (subpath === ".") {
      fields.main = `${file}.js`;
      fields.types = `${file}.d.ts`;
    } else {
      fields.typesVersions["*"][subpath.slice(2)] = [`${file}.d.ts`];
    }
  }
  fields.exports["./package.json"] = "./package.json";
  return fields;
}

/** deno.json `imports` for the sources: `"anynet/net"` → `"./src/net/mod.ts"`. */
export function selfImports(name: string, denoExports: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(denoExports).map((
      [subpath, source],
    ) => [subpath === "." ? name : `${name}/${subpath.slice(2)}`, source]),
  );
}
