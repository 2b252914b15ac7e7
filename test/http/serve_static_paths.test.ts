/**
 * serveStatic() keeps every request inside its root: `..` in every spelling, encoded
 * slashes and backslashes, NUL bytes, dotfiles and symbolic links that lead out of the
 * root all get 404 (never the file, never a path in the answer). The requests go out
 * on raw sockets, because fetch would normalise most of these paths before sending.
 *
 * @module
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HttpServer, serve, serveStatic } from "anynet/http";
import { RawConnection } from "../_helpers/http_raw.ts";

const dir = mkdtempSync(join(tmpdir(), "anynet-static-paths-"));
const site = join(dir, "site");
const SECRET = "outside-the-root secret\n";
mkdirSync(join(site, "sub"), { recursive: true });
mkdirSync(join(site, ".hidden"));
mkdirSync(join(dir, "outdir"));
writeFileSync(join(dir, "outside.txt"), SECRET);
writeFileSync(join(dir, "outdir", "x.txt"), SECRET);
writeFileSync(join(site, "hello.txt"), "hello\n");
writeFileSync(join(site, "a b.txt"), "spaced\n");
writeFileSync(join(site, "sub", "inner.txt"), "inner\n");
writeFileSync(join(site, ".env"), SECRET);
writeFileSync(join(site, ".hidden", "file.txt"), SECRET);
symlinkSync(join(dir, "outside.txt"), join(site, "link-out.txt"));
symlinkSync(join(dir, "outdir"), join(site, "link-dir-out"));
symlinkSync("../outside.txt", join(site, "sub", "relative-out.txt"));
symlinkSync(join(site, "hello.txt"), join(site, "link-in.txt"));
symlinkSync(join(site, ".env"), join(site, "link-to-dotfile.txt"));

let server: HttpServer;
test.before(async () => {
  server = await serve(serveStatic(site), { port: 0 });
});
test.after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The status and body for `target` sent as is, or "closed" when the runtime's parser hung up on it. */
async function get(target: string): Promise<{ status: number; body: string } | "closed"> {
  const connection = await RawConnection.open(server.addr.port);
  try {
    connection.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const response = await connection.response(2000).catch(() => undefined);
    return response ? { status: response.status, body: response.body } : "closed";
  } finally {
    connection.destroy();
  }
}

/** Asserts that `target` got no file: 404 from serveStatic() (or, where noted, the runtime's own 400 or hang-up). */
function assertRefused(
  target: string,
  answer: { status: number; body: string } | "closed",
  runtimeMayRefuse = false,
): void {
  if (answer !== "closed") {
    assert.not.ok(answer.body.includes("secret"), `${target}: ${answer.body}`);
    assert.not.ok(answer.body.includes(dir), `${target} named a path: ${answer.body}`);
  }
  if (runtimeMayRefuse && (answer === "closed" || answer.status === 400)) return;
  assert.equal(answer, { status: 404, body: "Not Found\n" }, target);
}

test("serveStatic() refuses .. in every spelling with 404", async () => {
  const targets = [
    "/../outside.txt",
    "/sub/../../outside.txt",
    "/%2e%2e/outside.txt",
    "/%2E%2E/outside.txt",
    "/.%2e/outside.txt",
    "/sub/%2e%2e/%2e%2e/outside.txt",
    "/..%2foutside.txt",
    "/sub/..%2F..%2Foutside.txt",
    "/%2e%2e%2foutside.txt",
    "/..%5coutside.txt",
    "/sub/..%5C..%5Coutside.txt",
    "/%252e%252e/outside.txt",
  ];
  for (const target of targets) assertRefused(target, await get(target));
});

test("serveStatic() refuses backslashes, NUL bytes and absolute paths", async () => {
  for (const target of ["/hello.txt%00", "/hello.txt%00.png", "/%00", "/sub%5cinner.txt"]) {
    assertRefused(target, await get(target));
  }
  // A raw backslash: some runtimes' parsers refuse it before the handler sees it.
  assertRefused("/sub\\..\\..\\outside.txt", await get("/sub\\..\\..\\outside.txt"), true);
  for (const target of [`/${dir}/outside.txt`, `//${dir.slice(1)}/outside.txt`, "/%2fetc%2fpasswd"]) {
    assertRefused(target, await get(target));
  }
});

test("serveStatic() refuses symbolic links that lead out of the root, and follows those that stay in", async () => {
  for (const target of ["/link-out.txt", "/link-dir-out/x.txt", "/sub/relative-out.txt", "/link-to-dotfile.txt"]) {
    assertRefused(target, await get(target));
  }
  assert.equal(await get("/link-in.txt"), { status: 200, body: "hello\n" });
});

test("serveStatic() hides dotfiles and dot directories", async () => {
  for (const target of ["/.env", "/%2eenv", "/.hidden/file.txt", "/.hidden/", "/sub/../.env"]) {
    assertRefused(target, await get(target));
  }
});

test("serveStatic() serves ordinary paths: encoded names, nested files, empty segments", async () => {
  assert.equal(await get("/a%20b.txt"), { status: 200, body: "spaced\n" });
  assert.equal(await get("/sub/inner.txt"), { status: 200, body: "inner\n" });
  assert.equal(await get("/sub//inner.txt"), { status: 200, body: "inner\n" });
  assert.equal(await get("/sub/./inner.txt"), { status: 200, body: "inner\n" });
  // Broken percent-encoding is a bad request, not a missing file.
  const malformed = await get("/%E0%A4%A.txt");
  assert.ok(malformed !== "closed" && malformed.status === 400, JSON.stringify(malformed));
});

test.run();
