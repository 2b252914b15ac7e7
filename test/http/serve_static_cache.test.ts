/**
 * The client's cache against the server's static files: serveStatic()'s validators and
 * Cache-Control are what request({ cache }) reads, so the two sides are checked together.
 * The handler counts what reaches it, so a hit is seen to ask the server nothing.
 *
 * @module
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { get, type HttpServer, MemoryCache, serve, serveStatic } from "anynet/http";

const site = mkdtempSync(join(tmpdir(), "anynet-static-cache-"));
writeFileSync(join(site, "page.txt"), "first version\n");
writeFileSync(join(site, "app.0123abcd.js"), "export const answer = 42;\n");

let server: HttpServer;
let asked: string[] = [];
const files = serveStatic(site);

test.before(async () => {
  server = await serve((request, info) => {
    asked.push(`${request.headers.get("if-none-match") ? "conditional " : ""}${new URL(request.url).pathname}`);
    return files(request, info);
  }, { port: 0, hostname: "127.0.0.1" });
});

test.after(async () => {
  await server?.close();
  rmSync(site, { recursive: true, force: true });
});

const at = (path: string) => `http://127.0.0.1:${server.addr.port}${path}`;

test("a file served with no-cache is revalidated: the server answers 304 and the body comes from the cache", async () => {
  asked = [];
  const cache = new MemoryCache();
  const first = await get(at("/page.txt"), { cache });
  assert.is(first.cached, "miss");
  assert.is(await first.text(), "first version\n");
  const second = await get(at("/page.txt"), { cache });
  assert.is(second.cached, "revalidated");
  assert.is(second.status, 200);
  assert.is(await second.text(), "first version\n");
  assert.equal(asked, ["/page.txt", "conditional /page.txt"]);
});

test("a changed file fails revalidation: the new body replaces the stored one", async () => {
  asked = [];
  const cache = new MemoryCache();
  await (await get(at("/page.txt"), { cache })).text();
  writeFileSync(join(site, "page.txt"), "second version, longer\n");
  // A new mtime as well as a new size, so that the ETag changes whatever the clock's grain.
  const later = new Date(Date.now() + 5000);
  utimesSync(join(site, "page.txt"), later, later);
  const changed = await get(at("/page.txt"), { cache });
  assert.is(changed.cached, "miss");
  assert.is(await changed.text(), "second version, longer\n");
  const again = await get(at("/page.txt"), { cache });
  assert.is(again.cached, "revalidated");
  assert.is(await again.text(), "second version, longer\n");
});

test("a hashed file name is immutable: the second request is a hit that asks the server nothing", async () => {
  asked = [];
  const cache = new MemoryCache();
  const first = await get(at("/app.0123abcd.js"), { cache });
  assert.is(first.cached, "miss");
  assert.match(first.headers.get("cache-control") ?? "", /immutable/);
  await first.text();
  const second = await get(at("/app.0123abcd.js"), { cache });
  assert.is(second.cached, "hit");
  assert.is(await second.text(), "export const answer = 42;\n");
  assert.equal(asked, ["/app.0123abcd.js"]);
});

test.run();
