/**
 * The package as `npm install anynet` gives it: `npm pack` the built dist/, install the
 * tarball in a fresh project, and use it there with the runtime under test.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { root, testRuntime } from "../_helpers/env.ts";
import { pcap, sampleFrames } from "../../scripts/_packet_writer.ts";
import {
  expectedConsumerOutput,
  mustRun,
  runConsumer,
  runtimeCommand,
  tarballProject,
} from "../_helpers/installed_package.ts";

const version: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;

test(`every entry point of the installed tarball works on ${testRuntime}, the WebAssembly decoder included`, () => {
  assert.equal(runConsumer(tarballProject()), expectedConsumerOutput());
});

test("the installed package carries the declarations its exports and typesVersions name", () => {
  const installed = join(tarballProject(), "node_modules", "anynet");
  const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
  const declarations: string[] = [pkg.types];
  for (const [subpath, target] of Object.entries(pkg.exports as Record<string, { types?: string } | string>)) {
    if (typeof target === "string") continue;
    assert.ok(target.types, `${subpath} has types`);
    declarations.push(target.types!);
  }
  for (const paths of Object.values(pkg.typesVersions["*"] as Record<string, string[]>)) declarations.push(...paths);
  assert.ok(declarations.length > 7, "every entry point has its declarations");
  for (const file of declarations) assert.match(readFileSync(join(installed, file), "utf8"), /export /, file);
});

test(`the installed bin runs on ${testRuntime}: anynet --version`, () => {
  const project = tarballProject();
  // npm links the bin with its `#!/usr/bin/env node` line; Bun and Deno users start the
  // same file with their runtime (Deno by its real name: it reads the extension).
  const bin = testRuntime === "deno"
    ? join(project, "node_modules", "anynet", "cli.js")
    : join(project, "node_modules", ".bin", "anynet");
  const [command, args] = runtimeCommand(bin);
  assert.is(mustRun(command, [...args, "--version"], project), `anynet ${version}\n`);
});

test(`the installed bin exports Parquet on ${testRuntime} with the one runtime dependency npm installed`, () => {
  const project = tarballProject();
  const declared = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).dependencies;
  const installed = JSON.parse(readFileSync(join(project, "node_modules", "anynet", "package.json"), "utf8"));
  assert.equal(installed.dependencies, declared);
  const bin = testRuntime === "deno"
    ? join(project, "node_modules", "anynet", "cli.js")
    : join(project, "node_modules", ".bin", "anynet");
  const [command, args] = runtimeCommand(bin);
  const capture = join(project, `sample-${testRuntime}.pcap`), out = join(project, `sample-${testRuntime}.parquet`);
  writeFileSync(capture, pcap(sampleFrames().map((data) => ({ data }))));
  mustRun(command, [...args, "pcap", "export", capture, "-o", out], project);
  const bytes = readFileSync(out);
  assert.is(bytes.subarray(0, 4).toString("latin1"), "PAR1");
  assert.is(bytes.subarray(bytes.length - 4).toString("latin1"), "PAR1");
});

test.run();
