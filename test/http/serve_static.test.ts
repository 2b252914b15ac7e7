/**
 * serveStatic() behind serve(): validators and conditional requests, byte ranges,
 * precompressed and on-the-fly compression, media types, HEAD, 405, directory index and
 * the fallback handler. Responses are read off raw sockets, so that what the server
 * sent (codings, lengths, 304 bodies) is seen as it is, undecoded.
 *
 * @module
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { type HttpServer, serve, serveStatic } from "anynet/http";
import { parseResponse, RawConnection, type RawResponse } from "../_helpers/http_raw.ts";

const dir = mkdtempSync(join(tmpdir(), "anynet-static-"));
const site = join(dir, "site");
mkdirSync(join(site, "sub"), { recursive: true });
mkdirSync(join(site, "bare"));
const HELLO = "hello, static world\n";
const BIG = "All the world's a stage, and all the men and women merely players.\n".repeat(60);
const CSS = "body { color: #123456; }\n".repeat(80);
const files: Record<string, string | Uint8Array> = {
  "hello.txt": HELLO,
  "big.txt": BIG,
  "empty.txt": "",
  "app.0123abcd.js": "export const answer = 42;\n",
  "style.css": CSS,
  "style.css.br": brotliCompressSync(CSS),
  "style.css.gz": gzipSync(CSS),
  "logo.png": new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  "data.unknownext": "?",
  "sub/index.html": "<h1>sub</h1>\n",
  "bare/file.txt": "no index here\n",
  // Larger than one read (64 KiB): sent as it is read, in several chunks.
  "large.bin": Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff),
};
for (const [name, content] of Object.entries(files)) writeFileSync(join(site, name), content);
// A modification time well in the past, so that Last-Modified is a strong validator for If-Range.
const MTIME = new Date("2024-05-06T07:08:09Z");
utimesSync(join(site, "hello.txt"), MTIME, MTIME);
const LAST_MODIFIED = "Mon, 06 May 2024 07:08:09 GMT";

let server: HttpServer;
test.before(async () => {
  const plain = serveStatic(site);
  const withFallback = serveStatic(site, {
    prefix: "/fb/",
    fallback: (request) => new Response(`fallback ${request.method} ${new URL(request.url).pathname}`),
  });
  server = await serve(
    (request, info) =>
      new URL(request.url).pathname.startsWith("/fb/") ? withFallback(request, info) : plain(request, info),
    { port: 0 },
  );
});
test.after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends one request with `headers` and returns the response as it came. */
async function send(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<RawResponse> {
  const connection = await RawConnection.open(server.addr.port);
  try {
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
    connection.write(`${method} ${path} HTTP/1.1\r\nHost: x\r\n${lines}Connection: close\r\n\r\n`);
    if (method !== "HEAD") return await connection.response(2000);
    // The answer to HEAD announces a length it does not send: read it up to the close.
    assert.ok(await connection.closesWithin(2000), `no close after HEAD: ${connection.received}`);
    const end = connection.received.indexOf("\r\n\r\n") + 4;
    const headOnly = connection.received.slice(0, end).replace(/^content-length:.*\r\n/im, "");
    const response = parseResponse(headOnly, true)!;
    const length = /^content-length: *(\d+)/im.exec(connection.received)?.[1];
    if (length !== undefined) response.headers["content-length"] = length;
    return { ...response, body: connection.received.slice(end) };
  } finally {
    connection.destroy();
  }
}

const bytes = (body: string): Buffer => Buffer.from(body, "latin1");

test("serveStatic() sends a file with its type, length, ETag, Last-Modified and Cache-Control", async () => {
  const response = await send("/hello.txt");
  assert.is(response.status, 200);
  assert.is(response.body, HELLO);
  assert.is(response.headers["content-type"], "text/plain; charset=utf-8");
  assert.is(response.headers["content-length"], String(HELLO.length));
  assert.match(response.headers["etag"]!, /^"[0-9a-f]+-[0-9a-f]+"$/);
  assert.is(response.headers["last-modified"], LAST_MODIFIED);
  assert.is(response.headers["cache-control"], "no-cache");
  assert.is(response.headers["accept-ranges"], "bytes");
  // Text varies by Accept-Encoding, even when too small to compress on the fly (a
  // precompressed sibling may come later); a PNG does not.
  assert.is(response.headers["vary"], "accept-encoding");
  assert.is((await send("/logo.png")).headers["vary"], undefined);
});

test("serveStatic() names common media types and falls back to application/octet-stream", async () => {
  const expected: Record<string, string> = {
    "/app.0123abcd.js": "text/javascript; charset=utf-8",
    "/style.css": "text/css; charset=utf-8",
    "/logo.png": "image/png",
    "/data.unknownext": "application/octet-stream",
    "/sub/": "text/html; charset=utf-8",
  };
  for (const [path, type] of Object.entries(expected)) {
    const response = await send(path);
    assert.is(response.status, 200, path);
    assert.is(response.headers["content-type"], type, path);
    assert.is(response.headers["x-content-type-options"], "nosniff", path);
  }
});

test("serveStatic() marks hashed file names immutable for a year", async () => {
  const response = await send("/app.0123abcd.js");
  assert.is(response.headers["cache-control"], "public, max-age=31536000, immutable");
});

test("serveStatic() answers 304 to If-None-Match (lists, weak tags, *) and If-Modified-Since; If-None-Match wins", async () => {
  const { headers } = await send("/hello.txt");
  const etag = headers["etag"]!;
  for (const ifNoneMatch of [etag, `"other", ${etag}`, `W/${etag}`, "*"]) {
    const response = await send("/hello.txt", { "If-None-Match": ifNoneMatch });
    assert.is(response.status, 304, ifNoneMatch);
    assert.is(response.body, "");
    assert.is(response.headers["etag"], etag);
    assert.is(response.headers["cache-control"], "no-cache");
  }
  assert.is((await send("/hello.txt", { "If-None-Match": '"other"' })).status, 200);
  assert.is((await send("/hello.txt", { "If-Modified-Since": LAST_MODIFIED })).status, 304);
  assert.is((await send("/hello.txt", { "If-Modified-Since": "Sun, 05 May 2024 00:00:00 GMT" })).status, 200);
  assert.is((await send("/hello.txt", { "If-Modified-Since": "not a date" })).status, 200);
  // RFC 9110 §13.2.2: a present If-None-Match decides, If-Modified-Since is not looked at.
  const both = await send("/hello.txt", { "If-None-Match": '"other"', "If-Modified-Since": LAST_MODIFIED });
  assert.is(both.status, 200);
  assert.is((await send("/hello.txt", { "If-None-Match": etag }, "HEAD")).status, 304);
});

test("serveStatic() answers 412 to a failing If-Match or If-Unmodified-Since", async () => {
  const { headers } = await send("/hello.txt");
  const etag = headers["etag"]!;
  assert.is((await send("/hello.txt", { "If-Match": '"other"' })).status, 412);
  // If-Match compares strongly: a weak tag never matches.
  assert.is((await send("/hello.txt", { "If-Match": `W/${etag}` })).status, 412);
  assert.is((await send("/hello.txt", { "If-Match": etag })).status, 200);
  assert.is((await send("/hello.txt", { "If-Match": "*" })).status, 200);
  assert.is((await send("/hello.txt", { "If-Unmodified-Since": "Sun, 05 May 2024 00:00:00 GMT" })).status, 412);
  assert.is((await send("/hello.txt", { "If-Unmodified-Since": LAST_MODIFIED })).status, 200);
});

test("serveStatic() answers byte ranges a-b, a- and -n with 206 and Content-Range", async () => {
  const cases: [string, string, string][] = [
    ["bytes=0-4", "hello", "bytes 0-4/20"],
    ["bytes=7-", "static world\n", "bytes 7-19/20"],
    ["bytes=-6", "world\n", "bytes 14-19/20"],
    ["bytes=15-1000", "orld\n", "bytes 15-19/20"],
    ["bytes=-100", HELLO, "bytes 0-19/20"],
  ];
  for (const [range, body, contentRange] of cases) {
    const response = await send("/hello.txt", { Range: range });
    assert.is(response.status, 206, range);
    assert.is(response.body, body, range);
    assert.is(response.headers["content-range"], contentRange, range);
    assert.is(response.headers["content-length"], String(body.length), range);
  }
});

test("serveStatic() answers 416 with 'bytes */size' to a range past the end, and ignores a malformed one", async () => {
  for (const range of ["bytes=20-", "bytes=100-200", "bytes=-0"]) {
    const response = await send("/hello.txt", { Range: range });
    assert.is(response.status, 416, range);
    assert.is(response.headers["content-range"], "bytes */20", range);
  }
  assert.is((await send("/empty.txt", { Range: "bytes=0-" })).status, 416);
  for (const range of ["bytes=5-2", "items=0-1", "bytes=a-b", "bytes=-"]) {
    const response = await send("/hello.txt", { Range: range });
    assert.is(response.status, 200, range);
    assert.is(response.body, HELLO, range);
  }
});

test("serveStatic() answers several ranges as multipart/byteranges", async () => {
  const response = await send("/hello.txt", { Range: "bytes=0-4,-6" });
  assert.is(response.status, 206);
  const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(response.headers["content-type"]!)?.[1];
  assert.ok(boundary, response.headers["content-type"]);
  assert.is(Number(response.headers["content-length"]), response.body.length);
  assert.is(
    response.body,
    `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 0-4/20\r\n\r\nhello` +
      `\r\n--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 14-19/20\r\n\r\nworld\n` +
      `\r\n--${boundary}--\r\n`,
  );
});

test("serveStatic() honours Range only under a matching If-Range (strong ETag or the exact date)", async () => {
  const { headers } = await send("/hello.txt");
  const etag = headers["etag"]!;
  for (const ifRange of [etag, LAST_MODIFIED]) {
    assert.is((await send("/hello.txt", { Range: "bytes=0-4", "If-Range": ifRange })).status, 206, ifRange);
  }
  for (const ifRange of ['"stale"', `W/${etag}`, "Sun, 05 May 2024 00:00:00 GMT"]) {
    const response = await send("/hello.txt", { Range: "bytes=0-4", "If-Range": ifRange });
    assert.is(response.status, 200, ifRange);
    assert.is(response.body, HELLO, ifRange);
  }
});

test("serveStatic() sends precompressed .br and .gz siblings by Accept-Encoding, with Vary and their own ETag", async () => {
  const br = await send("/style.css", { "Accept-Encoding": "gzip, deflate, br" });
  assert.is(br.headers["content-encoding"], "br");
  assert.is(br.headers["content-type"], "text/css; charset=utf-8");
  assert.is(br.headers["vary"], "accept-encoding");
  assert.is(brotliDecompressSync(bytes(br.body)).toString(), CSS);
  assert.is(Number(br.headers["content-length"]), (files["style.css.br"] as Uint8Array).length);
  const gz = await send("/style.css", { "Accept-Encoding": "gzip;q=1, br;q=0.5" });
  assert.is(gz.headers["content-encoding"], "gzip");
  assert.is(gunzipSync(bytes(gz.body)).toString(), CSS);
  const identity = await send("/style.css", { "Accept-Encoding": "br;q=0, gzip;q=0" });
  assert.is(identity.headers["content-encoding"], undefined);
  assert.is(identity.body, CSS);
  assert.is(identity.headers["vary"], "accept-encoding");
  assert.is.not(br.headers["etag"], gz.headers["etag"]);
  assert.is.not(gz.headers["etag"], identity.headers["etag"]);
  // Each representation revalidates against its own tag.
  const revalidated = await send("/style.css", { "Accept-Encoding": "br", "If-None-Match": br.headers["etag"]! });
  assert.is(revalidated.status, 304);
});

test("serveStatic() compresses text on the fly (Brotli, gzip) with a weak ETag, and never a Range answer", async () => {
  const br = await send("/big.txt", { "Accept-Encoding": "br, gzip" });
  assert.is(br.status, 200);
  assert.is(br.headers["content-encoding"], "br");
  assert.is(br.headers["vary"], "accept-encoding");
  assert.match(br.headers["etag"]!, /^W\//);
  assert.is(brotliDecompressSync(bytes(br.body)).toString(), BIG);
  assert.ok(br.body.length < BIG.length / 4, `${br.body.length} bytes`);
  const gz = await send("/big.txt", { "Accept-Encoding": "gzip" });
  assert.is(gz.headers["content-encoding"], "gzip");
  assert.is(gunzipSync(bytes(gz.body)).toString(), BIG);
  assert.is((await send("/big.txt", { "Accept-Encoding": "gzip", "If-None-Match": gz.headers["etag"]! })).status, 304);
  const ranged = await send("/big.txt", { "Accept-Encoding": "br, gzip", Range: "bytes=0-2" });
  assert.is(ranged.status, 206);
  assert.is(ranged.headers["content-encoding"], undefined);
  assert.is(ranged.body, "All");
  // A PNG is not compressed, whatever the client accepts.
  assert.is((await send("/logo.png", { "Accept-Encoding": "br, gzip" })).headers["content-encoding"], undefined);
});

test("serveStatic() streams a file larger than one read, whole and as a range across reads", async () => {
  const large = Buffer.from(files["large.bin"] as Uint8Array);
  const whole = await send("/large.bin");
  assert.is(whole.status, 200);
  assert.is(whole.headers["content-type"], "application/octet-stream");
  assert.ok(bytes(whole.body).equals(large), `${whole.body.length} bytes`);
  const range = await send("/large.bin", { Range: "bytes=60000-200000" });
  assert.is(range.status, 206);
  assert.is(range.headers["content-range"], "bytes 60000-200000/300000");
  assert.ok(bytes(range.body).equals(large.subarray(60000, 200001)), `${range.body.length} bytes`);
});

test("serveStatic() answers HEAD with the GET headers and no body", async () => {
  const response = await send("/hello.txt", {}, "HEAD");
  assert.is(response.status, 200);
  assert.is(response.body, "");
  assert.is(response.headers["content-length"], String(HELLO.length));
  assert.is(response.headers["content-type"], "text/plain; charset=utf-8");
  assert.ok(response.headers["etag"]);
});

test("serveStatic() answers 405 with Allow to other methods; with a fallback they go to it", async () => {
  for (const method of ["POST", "PUT", "DELETE", "OPTIONS"]) {
    const response = await send("/hello.txt", { "Content-Length": "0" }, method);
    assert.is(response.status, 405, method);
    assert.is(response.headers["allow"], "GET, HEAD", method);
  }
  const fallback = await send("/fb/hello.txt", { "Content-Length": "0" }, "POST");
  assert.is(fallback.body, "fallback POST /fb/hello.txt");
});

test("serveStatic() answers a directory with its index.html, redirects to the slash, and lists nothing", async () => {
  assert.is((await send("/sub/")).body, files["sub/index.html"]);
  const redirect = await send("/sub?x=1");
  assert.is(redirect.status, 301);
  assert.is(redirect.headers["location"], "/sub/?x=1");
  // A path that starts with two slashes must not become a redirect to another host.
  const doubled = await send("//sub");
  assert.ok(doubled.status === 404 || doubled.headers["location"] === "/sub/", JSON.stringify(doubled.headers));
  assert.is((await send("/bare/")).status, 404);
  assert.is((await send("/bare/file.txt")).status, 200);
  assert.is((await send("/hello.txt/")).status, 404);
});

test("serveStatic() sends missing files to the fallback handler when it has one, 404 otherwise", async () => {
  const missing = await send("/nothing-here.txt");
  assert.is(missing.status, 404);
  assert.is(missing.body, "Not Found\n");
  assert.is((await send("/fb/nothing-here.txt")).body, "fallback GET /fb/nothing-here.txt");
  assert.is((await send("/fb/hello.txt")).body, HELLO);
});

test("serveStatic() refuses bad options with the option's name", () => {
  assert.throws(() => serveStatic(""), /'root' must be a directory path/);
  assert.throws(() => serveStatic(site, { cacheControl: "a\r\nb" }), /'cacheControl' must be a header value/);
  assert.throws(() => serveStatic(site, { index: "../x" }), /'index' must be a file name/);
  assert.throws(() => serveStatic(site, { compres: true } as never), /did you mean 'compress'/);
});

test.run();
