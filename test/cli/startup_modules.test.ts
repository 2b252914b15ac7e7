/**
 * What `anynet pcap stats` and `pcap decode` load on Node: none of the networking or
 * cryptography modules the runtime adapters bring, nor `node:fs/promises` (readline and a
 * dozen stream modules); and a plain TCP command, no TLS or cryptography module. Loading
 * them cost the command about as much as Node's own start, and one static import
 * anywhere on the CLI's start-up path brings them all back, so the list of Node's
 * built-in modules that the process loaded is checked (Node keeps it in
 * `process.moduleLoadList`; Deno and Bun have no such list).
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pcap, sampleFrames } from "../../scripts/_packet_writer.ts";
import { runCommand } from "../_helpers/cli.ts";
import { announceSkip, root, testNode, testRuntime } from "../_helpers/env.ts";

const onNode = testRuntime === "node";
if (!onNode) announceSkip(`the modules Node loads are checked on the node legs only (this is ${testRuntime})`);
const nodeTest = onNode ? test : test.skip;

// Loaded only through the runtime adapters (node:tls, node:http, node:dgram, node:dns) or
// through crypto.getRandomValues() (Web Crypto); standard output on a pipe loads node:net
// by itself, so node:net is not among them.
const UNWANTED = [
  "NativeModule tls",
  "NativeModule http",
  "NativeModule dgram",
  "NativeModule dns",
  "NativeModule crypto",
  "NativeModule internal/crypto/webcrypto",
];

// Loaded by an import of node:fs/promises, or by Node's facade for an import of node:fs
// (which reads fs.promises): readline and the REPL's history come with it.
const FS_PROMISES = ["NativeModule internal/fs/promises", "NativeModule internal/readline/interface"];

/** Runs the CLI on Node with `args` (in `dir`) and returns its result and the built-in modules the process loaded. */
async function modulesLoadedBy(dir: string, args: string[]) {
  // Written to standard error when the process exits, after the command has run.
  const preload = join(dir, "module_list.cjs");
  writeFileSync(
    preload,
    'process.on("exit", () => process._rawDebug("modules: " + JSON.stringify(process.moduleLoadList)));\n',
  );
  const r = await runCommand(testNode, ["-r", preload, join(root, "dist", "cli.js"), ...args]);
  const line = r.stderr.split("\n").find((l) => l.startsWith("modules: "));
  assert.ok(line, `no module list in: ${r.stderr}`);
  const loaded: string[] = JSON.parse(line.slice("modules: ".length));
  // The list is Node's own: it names what bootstrap loaded too.
  assert.ok(loaded.includes("NativeModule fs"), "the module list does not look like Node's");
  return { ...r, loaded };
}

nodeTest("pcap stats and pcap decode on Node load no TLS, HTTP, UDP, DNS, crypto or fs/promises module", async () => {
  const dir = mkdtempSync(join(tmpdir(), "anynet-startup-"));
  try {
    const capture = join(dir, "sample.pcap");
    writeFileSync(capture, pcap(sampleFrames().map((data) => ({ data }))));
    const [stats, decode] = await Promise.all([
      modulesLoadedBy(dir, ["pcap", "stats", capture]),
      modulesLoadedBy(dir, ["pcap", "decode", capture]),
    ]);
    assert.is(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, /^packets +10$/m);
    assert.is(decode.code, 0, decode.stderr);
    assert.is(decode.stdout.trim().split("\n").length, 10);
    for (const r of [stats, decode]) {
      assert.equal(r.loaded.filter((m) => UNWANTED.includes(m) || FS_PROMISES.includes(m)), []);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

nodeTest("a TCP echo on Node loads no TLS or crypto module (node:tls waits for a TLS connection)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "anynet-startup-"));
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const r = await modulesLoadedBy(dir, ["echo", "--host", "127.0.0.1", "--port", String(port), "hello"]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /hello/);
    const tlsOrCrypto = UNWANTED.filter((m) => /tls|crypto/.test(m));
    assert.equal(r.loaded.filter((m) => tlsOrCrypto.includes(m)), []);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
