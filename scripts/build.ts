/**
 * Builds everything `npm install` promises, taking the role of @deno/dnt (which is on
 * JSR only and cannot be reached here):
 *
 * 1. the WebAssembly decoder: the numbers it shares with the TypeScript decoder copied from
 *    src/packet/ into wasm/assembly/ (scripts/wasm_constants.ts), then wasm/assembly →
 *    build/wasm/anynet.wasm (AssemblyScript, -O3, stub runtime, no asserts), embedded as
 *    base64 in src/packet/_wasm_embedded.ts so no runtime needs a file path or fetch to load it;
 * 2. what pages in a browser run (the capture viewer, the HTML report): each browser entry
 *    point bundled into one script by esbuild, and uPlot's script and style sheet, embedded
 *    as strings in src/packet/_browser_assets_embedded.ts, so a page needs no file path at
 *    run time and a report can inline them;
 * 3. the npm package for Node and Bun in dist/: ES modules and .d.ts from src/ (tsc), the
 *    CLI that `bin` runs bundled from them into dist/cli.js and dist/_cli/ (esbuild, see
 *    scripts/_cli_bundle.ts), a package.json with the exports map, README.md and LICENSE;
 * 4. the Deno/JSR package is the .ts sources as deno.json exports them; `--jsr` checks it
 *    with `deno publish --dry-run`.
 *
 * Usage: deno run -A scripts/build.ts [--jsr]
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { createRequire } from "node:module";
import { isDeepStrictEqual } from "node:util";
import { bin, fromRoot, readJson, run } from "./_run.ts";
import { type EntryFields, entryFields, selfImports } from "./_entry_points.ts";
import { parseFlags, readCommandLine } from "./_args.ts";
import { writeConstants } from "./wasm_constants.ts";
import { BROWSER_BUNDLES } from "./_browser_bundles.ts";
import { bundleCli } from "./_cli_bundle.ts";

const { jsr } = readCommandLine("build", "Usage: deno run -A scripts/build.ts [--jsr]", () => {
  const { flags } = parseFlags(Deno.args, { jsr: { type: "boolean" } });
  return { jsr: flags.jsr ?? false };
});

interface PackageJson extends EntryFields {
  name: string;
  version: string;
  description: string;
  license: string;
  engines: Record<string, string>;
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
}
interface DenoJson {
  version: string;
  exports: Record<string, string>;
  imports: Record<string, string>;
}

const pkg = readJson<PackageJson>("package.json");
const denoJson = readJson<DenoJson>("deno.json");
const versionTs = readFileSync(fromRoot("src/version.ts"), "utf8").match(/VERSION: string = "([^"]+)"/)?.[1];
if (pkg.version !== denoJson.version || pkg.version !== versionTs) {
  console.error(
    `build: versions disagree: package.json ${pkg.version}, deno.json ${denoJson.version}, src/version.ts ${versionTs}`,
  );
  Deno.exit(1);
}

// The entry points are declared once, in deno.json's exports; the fields that repeat them
// elsewhere must say the same, or one install path would miss an entry point.
const rootFields = entryFields(denoJson.exports, "./dist/");
const disagreements: string[] = [];
for (const key of ["main", "types", "typesVersions", "exports"] as const) {
  if (!isDeepStrictEqual(pkg[key], rootFields[key])) {
    disagreements.push(`package.json "${key}" should be ${JSON.stringify(rootFields[key])}`);
  }
}
const imports = selfImports(pkg.name, denoJson.exports);
for (const [specifier, source] of Object.entries(imports)) {
  if (denoJson.imports[specifier] !== source) {
    disagreements.push(`deno.json imports "${specifier}" should be "${source}"`);
  }
}
// A runtime dependency (the Parquet writer, loaded only by `pcap export`) reaches Deno
// through deno.json's import map: the same version in both, or Deno would run another.
for (const [name, version] of Object.entries(pkg.dependencies ?? {})) {
  if (denoJson.imports[name] !== `npm:${name}@${version}`) {
    disagreements.push(`deno.json imports "${name}" should be "npm:${name}@${version}" (package.json dependencies)`);
  }
}
if (disagreements.length > 0) {
  console.error("build: the entry points or dependencies differ between package.json and deno.json:");
  for (const line of disagreements) console.error(`  ${line}`);
  Deno.exit(1);
}

// 1. WebAssembly.
writeConstants();
mkdirSync(fromRoot("build/wasm"), { recursive: true });
const ascArgs = [
  "wasm/assembly/index.ts",
  "--outFile",
  "build/wasm/anynet.wasm",
  "--textFile",
  "build/wasm/anynet.wat",
  "--optimizeLevel",
  "3",
  "--shrinkLevel",
  "0",
  "--runtime",
  "stub",
  "--noAssert",
  "--enable",
  "simd",
];
// The compiler is the slowest step (7 s of CPU) and its output depends only on wasm/, the
// compiler's version and its arguments: a build whose inputs did not change keeps the last
// module (`npm test` builds right after `npm ci` did).
const wasmInputs = wasmInputDigest(ascArgs);
const wasmStamp = fromRoot("build/wasm/anynet.wasm.inputs");
const wasmFresh = existsSync(fromRoot("build/wasm/anynet.wasm")) && existsSync(wasmStamp) &&
  readFileSync(wasmStamp, "utf8") === wasmInputs;
if (!wasmFresh) {
  rmSync(wasmStamp, { force: true });
  run("node", [fromRoot("node_modules/assemblyscript/bin/asc.js"), ...ascArgs], "AssemblyScript build");
  writeFileSync(wasmStamp, wasmInputs);
}
const wasm = readFileSync(fromRoot("build/wasm/anynet.wasm"));
const embedded = `// Generated by scripts/build.ts from wasm/assembly: do not edit.\n` +
  `// The WebAssembly decoder (${wasm.length} bytes) as base64.\n` +
  `export const DECODER_WASM_BASE64: string =\n  "${wasm.toString("base64")}";\n`;
writeIfChanged("src/packet/_wasm_embedded.ts", embedded);

// 2. Browser assets.

const esbuild = createRequire(fromRoot("package.json"))("esbuild") as typeof import("esbuild");
const assets: string[] = [
  "// Generated by scripts/build.ts: do not edit.",
  "// What pages in a browser run, as strings: see scripts/build.ts, step 2.",
];
const uplot = fromRoot("node_modules/uplot/dist");
assets.push(
  "/** uPlot's script (defines the global `uPlot`), MIT licence, from the uplot package. */",
  `export const UPLOT_JS: string = ${JSON.stringify(readFileSync(`${uplot}/uPlot.iife.min.js`, "utf8"))};`,
  "/** uPlot's style sheet. */",
  `export const UPLOT_CSS: string = ${JSON.stringify(readFileSync(`${uplot}/uPlot.min.css`, "utf8"))};`,
);
for (const bundle of BROWSER_BUNDLES) {
  let result;
  try {
    result = esbuild.buildSync({
      entryPoints: [fromRoot(bundle.entry)],
      bundle: true,
      format: "iife",
      platform: "browser",
      target: "es2022",
      minify: true,
      legalComments: "inline",
      write: false,
      logLevel: "silent",
    });
  } catch (error) {
    // esbuild's message names the file, line and import that failed.
    console.error(`build: bundling ${bundle.entry} for the browser failed:\n${(error as Error).message}`);
    Deno.exit(1);
  }
  assets.push(`/** ${bundle.what} (bundled from ${bundle.entry}). */`);
  assets.push(`export const ${bundle.constant}: string = ${JSON.stringify(result.outputFiles[0].text)};`);
}
writeIfChanged("src/packet/_browser_assets_embedded.ts", assets.join("\n") + "\n");

// 3. The npm package.
rmSync(fromRoot("dist"), { recursive: true, force: true });
run("node", [fromRoot("node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], "TypeScript build");
// The CLI that `bin` runs (on Node, and on Deno and Bun for the npm package's users): tsc's
// modules bundled into a few chunks (scripts/_cli_bundle.ts).
let cliFiles = 0;
try {
  cliFiles = bundleCli(esbuild, fromRoot("dist")).files;
} catch (error) {
  console.error(`build: bundling the CLI failed:\n${(error as Error).message}`);
  Deno.exit(1);
}
chmodSync(fromRoot("dist/cli.js"), 0o755);

// The published package.json: dist/ is the package root, so the same entry points sit
// at "./x" instead of "./dist/x". npm wants bin paths without "./" (it rewrites them, with
// a warning, on publish).
const published = {
  name: pkg.name,
  version: pkg.version,
  description: pkg.description,
  license: pkg.license,
  type: "module",
  engines: pkg.engines,
  bin: Object.fromEntries(Object.entries(pkg.bin).map(([k, v]) => [k, v.replace(/^(\.\/)?dist\//, "")])),
  ...entryFields(denoJson.exports, "./"),
  dependencies: pkg.dependencies,
  sideEffects: false,
  keywords: ["network", "tcp", "udp", "tls", "echo", "http", "pcap", "pcapng", "webassembly", "deno", "bun"],
};
writeFileSync(fromRoot("dist/package.json"), JSON.stringify(published, null, 2) + "\n");
copyFileSync(fromRoot("README.md"), fromRoot("dist/README.md"));
copyFileSync(fromRoot("LICENSE"), fromRoot("dist/LICENSE"));

// 4. The Deno/JSR package.
if (jsr) {
  run(bin("deno"), ["publish", "--dry-run", "--allow-dirty"], "deno publish --dry-run");
}

console.error(
  `build: wasm ${wasm.length} bytes, npm package in dist/ (${pkg.name}@${pkg.version}, its CLI in ${cliFiles} files)`,
);

/** A digest of what the WebAssembly module is compiled from: every file under wasm/, the compiler's version, its arguments. */
function wasmInputDigest(args: string[]): string {
  const hash = createHash("sha256");
  const asc = readJson<{ version: string }>("node_modules/assemblyscript/package.json").version;
  hash.update(`asc ${asc}\0${args.join("\0")}\0`);
  const files = readdirSync(fromRoot("wasm"), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) hash.update(`${relative(fromRoot(), file)}\0`).update(readFileSync(file)).update("\0");
  return hash.digest("hex");
}

/** Writes a generated file only when its text changed, so tools watching mtimes do not rebuild for nothing. */
function writeIfChanged(path: string, text: string): void {
  const full = fromRoot(path);
  if (!existsSync(full) || readFileSync(full, "utf8") !== text) writeFileSync(full, text);
}
