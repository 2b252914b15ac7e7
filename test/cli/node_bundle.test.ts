/**
 * The CLI the npm package runs on Node is a bundle (dist/cli.js and dist/_cli/, see
 * scripts/_cli_bundle.ts): it must run from those files alone, without the modules tsc
 * wrote beside them, and say what the unbundled sources say (the Deno and Bun legs run
 * src/cli.ts, so comparing with the library's own answer here checks the bundle).
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
import { announceSkip, root, testNode, testRuntime } from "../_helpers/env.ts";

const onNode = testRuntime === "node";
if (!onNode) announceSkip(`the Node bundle is checked on the node legs only (this is ${testRuntime})`);
const nodeTest = onNode ? test : test.skip;

nodeTest("the Node CLI runs from dist/cli.js and dist/_cli/ alone and counts as the library does", async () => {
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

    const version = await runCommand(testNode, [join(copy, "cli.js"), "--version"]);
    assert.is(version.code, 0, version.stderr);
    assert.match(version.stdout, /^anynet \d+\.\d+\.\d+/);

    const stats = await runCommand(testNode, [join(copy, "cli.js"), "pcap", "stats", "--json", capture]);
    assert.is(stats.code, 0, stats.stderr);
    const { captureStats } = await import(join(dist, "packet", "capture_stats.js"));
    assert.equal(JSON.parse(stats.stdout), JSON.parse(JSON.stringify(await captureStats(capture))));

    const decode = await runCommand(testNode, [join(copy, "cli.js"), "pcap", "decode", capture]);
    assert.is(decode.code, 0, decode.stderr);
    assert.is(decode.stdout.trim().split("\n").length, 10);

    // A usage error goes through the bundled parser and error path (exit 2, one line).
    const bad = await runCommand(testNode, [join(copy, "cli.js"), "pcap", "stats", "--max-flows", "x", capture]);
    assert.is(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--max-flows/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
