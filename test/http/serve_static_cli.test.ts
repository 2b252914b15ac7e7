/**
 * `anynet serve-static DIR` as curl sees it: HEAD (-I), ranges (-r), If-Modified-Since
 * (-z), ETag revalidation (--etag-save/--etag-compare), decompression (--compressed),
 * a path curl sends as is (--path-as-is), 405; and a DIR that is not there.
 *
 * @module
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, runCommand } from "../_helpers/cli.ts";
import { announceSkip } from "../_helpers/env.ts";
import { type ServeApiProcess, startServeApi } from "../_helpers/http_cli.ts";
import { hasCommand } from "../_helpers/net_process.ts";

const dir = mkdtempSync(join(tmpdir(), "anynet-serve-static-"));
const site = join(dir, "site");
mkdirSync(site);
const HELLO = "hello, static world\n";
const BIG = "Brevity is the soul of wit, and tediousness the limbs and outward flourishes.\n".repeat(50);
writeFileSync(join(site, "hello.txt"), HELLO);
writeFileSync(join(site, "big.txt"), BIG);
writeFileSync(join(site, "index.html"), "<h1>home</h1>\n");
writeFileSync(join(dir, "outside.txt"), "outside the root\n");
const MTIME = new Date("2024-05-06T07:08:09Z");
utimesSync(join(site, "hello.txt"), MTIME, MTIME);

const curlThere = hasCommand("curl");
let server: ServeApiProcess | undefined;
test.before(async () => {
  if (curlThere) {
    server = await startServeApi([site, "--cache-control", "public, max-age=60"], { command: "serve-static" });
  }
});
test.after(async () => {
  if (server) {
    const { code, stderr } = await server.stop();
    assert.is(code, 0, stderr);
  }
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs one curl with `requests` (each a list of arguments ending with its URL, sent in
 * turn with `--next`: one process for many requests); resolves to its standard output.
 */
async function curl(...requests: string[][]): Promise<string> {
  const args = requests.flatMap((request, index) => [...(index === 0 ? [] : ["--next"]), "-sS", ...request]);
  const { code, stdout, stderr } = await runCommand("curl", args, { timeoutMs: 5000 });
  assert.is(code, 0, stderr);
  return stdout;
}

const url = (path: string) => `${server!.url}${path}`;
/** Prints the status (and a space) instead of the body. */
const STATUS = ["-o", "/dev/null", "-w", "%{http_code} "];

test("anynet serve-static answers curl -I with the length, ETag, Last-Modified and --cache-control", async () => {
  if (!curlThere) return announceSkip("curl is not installed");
  const head = await curl(["-I", url("/hello.txt")]);
  assert.match(head, /^HTTP\/1\.1 200/);
  assert.match(head, /^content-length: 20\r$/im);
  assert.match(head, /^etag: "[0-9a-f]+-[0-9a-f]+"\r$/im);
  assert.match(head, /^last-modified: Mon, 06 May 2024 07:08:09 GMT\r$/im);
  assert.match(head, /^content-type: text\/plain; charset=utf-8\r$/im);
  assert.match(head, /^cache-control: public, max-age=60\r$/im);
});

test("anynet serve-static answers curl -r with 206, and 416 past the end", async () => {
  if (!curlThere) return announceSkip("curl is not installed");
  const output = await curl(
    ["-r", "0-4", url("/hello.txt")],
    ["-r", "-6", url("/hello.txt")],
    ["-r", "0-4", ...STATUS, url("/hello.txt")],
    ["-r", "100-200", ...STATUS, url("/hello.txt")],
  );
  assert.is(output, "helloworld\n206 416 ");
});

test("anynet serve-static answers curl -z and --etag-compare with 304 while the file is unchanged", async () => {
  if (!curlThere) return announceSkip("curl is not installed");
  const etagFile = join(dir, "etag");
  const dates = await curl(
    ["-z", "Tue, 07 May 2024 00:00:00 GMT", ...STATUS, url("/hello.txt")],
    ["-z", "Sun, 05 May 2024 00:00:00 GMT", ...STATUS, url("/hello.txt")],
    ["--etag-save", etagFile, "-o", "/dev/null", url("/hello.txt")],
  );
  assert.is(dates, "304 200 ");
  // curl reads the saved tag when it starts: a second run.
  assert.is(await curl(["--etag-compare", etagFile, ...STATUS, url("/hello.txt")]), "304 ");
});

test("anynet serve-static compresses text for curl --compressed", async () => {
  if (!curlThere) return announceSkip("curl is not installed");
  const output = await curl(["--compressed", "-D", "-", url("/big.txt")]);
  const [headers, body] = [output.slice(0, output.indexOf("\r\n\r\n")), output.slice(output.indexOf("\r\n\r\n") + 4)];
  assert.is(body, BIG);
  assert.match(headers, /^content-encoding: (br|gzip)\r$/im);
  assert.match(headers, /^vary: accept-encoding\r$/im);
});

test("anynet serve-static serves index.html, answers 405 to DELETE and 404 to a path out of the root", async () => {
  if (!curlThere) return announceSkip("curl is not installed");
  const output = await curl(
    [url("/")],
    ["-X", "DELETE", ...STATUS, url("/hello.txt")],
    ["--path-as-is", ...STATUS, url("/../outside.txt")],
    ["--path-as-is", ...STATUS, url("/%2e%2e/outside.txt")],
  );
  assert.is(output, "<h1>home</h1>\n405 404 404 ");
});

test("anynet serve-static exits 2 with a clear message for a DIR that is not there", async () => {
  const missing = await runCli(["serve-static", join(dir, "no-such-dir")], { timeoutMs: 10_000 });
  assert.is(missing.code, 2, missing.stderr);
  assert.is(missing.stderr, `anynet serve-static: '${join(dir, "no-such-dir")}' does not exist\n`);
});

test.run();
