/**
 * The CLI of the npm package is a bundle (dist/cli.js and dist/_cli/, see
 * scripts/_cli_bundle.ts): `npx anynet` runs it on Node, and Deno and Bun users of the npm
 * package run the same file (on Deno it also starts sooner than src/cli.ts: fewer files for
 * `deno run` to load first). It must run from those files alone, without the modules tsc
 * wrote beside them, on the runtime under test, and say what the library says.
 *
 * @module
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pcap, sampleFrames } from "../../scripts/_packet_writer.ts";
import { runCommand } from "../_helpers/cli.ts";
import { root, testNode, testRuntime } from "../_helpers/env.ts";

/** The command that starts the bundled CLI `file` on the runtime under test, with what Deno needs to read `dir`. */
function bundleCommand(file: string, dir: string): [string, string[]] {
  switch (testRuntime) {
    case "node":
      return [testNode, [file]];
    case "deno":
      // The permissions README gives for the pcap commands, no more: the bundle's own files
      // are part of the program Deno loads, so it needs no read permission for them.
      return [process.execPath, ["run", `--allow-read=${dir}`, file]];
    case "bun":
      return [process.execPath, [file]];
  }
}

test(`the bundled CLI runs on ${testRuntime} from dist/cli.js and dist/_cli/ alone and counts as the library does`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "anynet-bundle-"));
  try {
    const dist = join(root, "dist");
    const copy = join(dir, "package");
    cpSync(join(dist, "cli.js"), join(copy, "cli.js"));
    cpSync(join(dist, "_cli"), join(copy, "_cli"), { recursive: true });
    cpSync(join(dist, "package.json"), join(copy, "package.json"));
    assert.equal(readdirSync(copy).sort(), ["_cli", "cli.js", "package.json"]);
    const capture = join(dir, "sample.pcap");
    writeFileSync(capture, pcap(sampleFrames().map((data) => ({ data }))));

    const [command, args] = bundleCommand(join(copy, "cli.js"), dir);
    const version = await runCommand(command, [...args, "--version"]);
    assert.is(version.code, 0, version.stderr);
    assert.match(version.stdout, /^anynet \d+\.\d+\.\d+/);

    const stats = await runCommand(command, [...args, "pcap", "stats", "--json", capture]);
    assert.is(stats.code, 0, stats.stderr);
    const { captureStats } = await import(join(dist, "packet", "capture_stats.js"));
    assert.equal(JSON.parse(stats.stdout), JSON.parse(JSON.stringify(await captureStats(capture))));

    const decode = await runCommand(command, [...args, "pcap", "decode", capture]);
    assert.is(decode.code, 0, decode.stderr);
    assert.is(decode.stdout.trim().split("\n").length, 10);

    // A usage error goes through the bundled parser and error path (exit 2, one line).
    const bad = await runCommand(command, [...args, "pcap", "stats", "--max-flows", "x", capture]);
    assert.is(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--max-flows/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
