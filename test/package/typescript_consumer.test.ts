/**
 * TypeScript users compile against the installed package's declarations with whatever
 * module resolution their project uses. test/package/fixtures/consumer.ts is compiled in
 * a fresh project per setting, with `skipLibCheck: false` so that anynet's own .d.ts files
 * are checked in that setting too, then run on the runtime under test:
 *
 * - TypeScript 5 (scripts/typescript-5): `node10` to CommonJS, as older Node projects
 *   still resolve (it reads `typesVersions`, not `exports`), `node16` and `bundler`;
 * - TypeScript 7, the project's own compiler (which no longer has `node10`): `nodenext`
 *   and `bundler`.
 *
 * Some projects have Node's types (@types/node) and no DOM library, others the DOM
 * library and no Node types: the settings cover both.
 */
import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { root, testNode, testRuntime } from "../_helpers/env.ts";
import {
  expectedConsumerOutput,
  mustRun,
  newProject,
  npmFlags,
  packedTarball,
  run,
  runConsumer,
} from "../_helpers/installed_package.ts";
import { sharedFixture } from "../_helpers/shared_fixture.ts";

interface Setting {
  name: string;
  typescript: 5 | 7;
  /** The project's package.json "type". */
  type: "module" | "commonjs";
  compilerOptions: Record<string, unknown>;
  /** Whether the project has @types/node. */
  nodeTypes: boolean;
}

const settings: Setting[] = [
  {
    name: "TypeScript 5, node10, CommonJS, Node types",
    typescript: 5,
    type: "commonjs",
    compilerOptions: { module: "commonjs", moduleResolution: "node10", lib: ["es2022"], types: ["node"] },
    nodeTypes: true,
  },
  {
    name: "TypeScript 5, node16, DOM library",
    typescript: 5,
    type: "module",
    compilerOptions: { module: "node16", moduleResolution: "node16", lib: ["es2022", "dom"], types: [] },
    nodeTypes: false,
  },
  {
    name: "TypeScript 5, bundler, DOM library",
    typescript: 5,
    type: "module",
    compilerOptions: { module: "esnext", moduleResolution: "bundler", lib: ["es2022", "dom"], types: [] },
    nodeTypes: false,
  },
  {
    name: "TypeScript 7, nodenext, Node types",
    typescript: 7,
    type: "module",
    compilerOptions: { module: "nodenext", moduleResolution: "nodenext", lib: ["es2024"], types: ["node"] },
    nodeTypes: true,
  },
  {
    name: "TypeScript 7, bundler, DOM library",
    typescript: 7,
    type: "module",
    compilerOptions: { module: "preserve", moduleResolution: "bundler", lib: ["esnext", "dom"], types: [] },
    nodeTypes: false,
  },
];

function tscFor(version: 5 | 7): string {
  const from = version === 5 ? join(root, "scripts", "typescript-5", "package.json") : join(root, "package.json");
  return join(dirname(createRequire(from).resolve("typescript/package.json")), "bin", "tsc");
}

const slug = (setting: Setting) => setting.name.toLowerCase().replace(/[^a-z0-9]+/g, "-");

interface Compiled {
  status: number | null;
  output: string;
}

/** Every setting's project, installed and compiled once per run; the compiler's verdicts in compiled.json. */
function consumers(): string {
  const tarball = packedTarball();
  const typesNode = JSON.parse(readFileSync(join(root, "node_modules", "@types", "node", "package.json"), "utf8"));
  return sharedFixture("typescript-consumers", (dir) => {
    const verdicts: Record<string, Compiled> = {};
    /** The project whose node_modules has (true) or lacks (false) Node's types. */
    const installed = new Map<boolean, string>();
    for (const setting of settings) {
      const project = join(dir, slug(setting));
      newProject(project, setting.type);
      writeFileSync(
        join(project, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "es2022",
            strict: true,
            skipLibCheck: false,
            outDir: "out",
            ...setting.compilerOptions,
          },
          files: ["consumer.ts"],
        }),
      );
      // Projects differ in their node_modules only by @types/node: one install of each kind,
      // which the other projects of that kind link to (an install costs seconds of CPU).
      const sameModules = installed.get(setting.nodeTypes);
      if (sameModules) {
        symlinkSync(join(sameModules, "node_modules"), join(project, "node_modules"), "dir");
      } else {
        const packages = [tarball];
        // The same @types/node the project builds with, from npm's cache.
        if (setting.nodeTypes) packages.push(`@types/node@${typesNode.version}`);
        mustRun("npm", ["install", ...npmFlags, ...packages], project);
        installed.set(setting.nodeTypes, project);
      }
      const compiled = run(testNode, [tscFor(setting.typescript), "-p", "tsconfig.json"], project);
      verdicts[setting.name] = { status: compiled.status, output: compiled.stdout + compiled.stderr };
    }
    writeFileSync(join(dir, "compiled.json"), JSON.stringify(verdicts));
  });
}

for (const setting of settings) {
  test(`a consumer compiled with ${setting.name} type-checks and runs on ${testRuntime}`, () => {
    const dir = consumers();
    const verdict: Compiled = JSON.parse(readFileSync(join(dir, "compiled.json"), "utf8"))[setting.name];
    assert.is(verdict.status, 0, `tsc: ${verdict.output}`);
    const project = join(dir, slug(setting));
    const output = join(project, "out", "consumer.js");
    assert.ok(existsSync(output), "tsc wrote out/consumer.js");
    if (setting.type === "commonjs") {
      // The CommonJS output require()s an ES module package: Node 22.12 and later, Deno and Bun load it.
      assert.match(readFileSync(output, "utf8"), /require\("anynet\/echo"\)/);
    }
    assert.equal(runConsumer(project, join("out", "consumer.js")), expectedConsumerOutput());
  });
}

test.run();
