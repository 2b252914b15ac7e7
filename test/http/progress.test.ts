import { test } from "uvu";
import * as assert from "uvu/assert";
import { get, post, type Progress, request } from "anynet/http";
import { detectRuntime, VERSION } from "anynet";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as zlib from "node:zlib";
import { announceSkip, testRuntime } from "../_helpers/env.ts";
import { CLIENT_TRANSPORTS, rawServer } from "../_helpers/http_servers.ts";
import { hasOpenssl, makeTestPki } from "../_helpers/tls_pki.ts";

// Progress events, response.timings and the User-Agent, on every transport of the runtime.

const SIZE = 300_000;
const payload = new Uint8Array(SIZE).map((_, i) => i % 251);

/** What the server saw of each request: its User-Agent, framing and body size. */
interface Seen {
  ua: string | undefined;
  length: string | undefined;
  chunked: boolean;
  bytes: number;
  type: string | undefined;
}

const server = await rawServer((req, res) => {
  const url = new URL(req.url!, "http://x");
  if (url.pathname === "/known" || url.pathname === "/chunked") {
    // In several writes, so that the client reads several chunks.
    res.writeHead(200, url.pathname === "/known" ? { "content-length": String(SIZE) } : {});
    for (let at = 0; at < SIZE; at += 50_000) res.write(payload.subarray(at, at + 50_000));
    res.end();
  } else if (url.pathname === "/gzip") {
    res.writeHead(200, { "content-encoding": "gzip" });
    res.end(zlib.gzipSync(payload));
  } else if (url.pathname === "/empty") {
    res.writeHead(200, { "content-length": "0" });
    res.end();
  } else {
    let bytes = 0;
    req.on("data", (chunk: Buffer) => (bytes += chunk.byteLength));
    req.on("end", () => {
      const seen: Seen = {
        ua: req.headers["user-agent"],
        length: req.headers["content-length"],
        chunked: req.headers["transfer-encoding"] === "chunked",
        bytes,
        type: req.headers["content-type"],
      };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(seen));
    });
  }
});

/** Checks a run of events: counts that only grow, to `size`, the last one at 100%. */
function checkEvents(events: Progress[], size: number, total: number | undefined): void {
  // A runtime may hand over a body that is all there in one chunk (Bun does, up to 256 KiB and more).
  assert.ok(events.length >= 1, "no events");
  for (let i = 1; i < events.length; i++) {
    assert.ok(events[i].transferred >= events[i - 1].transferred, "the count went back");
  }
  for (const event of events.slice(0, -1)) {
    assert.is(event.total, total);
    if (total === undefined) assert.is(event.percent, undefined);
    else assert.is(event.percent, (event.transferred / total) * 100);
  }
  assert.equal(events.at(-1), { transferred: size, total: size, percent: 100 });
  assert.is(events.filter((event) => event.percent === 100).length, 1, "one event at 100%");
}

for (const transport of CLIENT_TRANSPORTS) {
  test(`onDownloadProgress counts a body of known length, an unknown one and a decoded one (${transport})`, async () => {
    const known: Progress[] = [];
    const bytes = await (await get(`${server.url}/known`, {
      transport,
      onDownloadProgress: (p) => known.push(p),
    })).bytes();
    assert.is(bytes.byteLength, SIZE);
    checkEvents(known, SIZE, SIZE);

    // Read through the body stream, with no length announced.
    const unknown: Progress[] = [];
    const response = await get(`${server.url}/chunked`, { transport, onDownloadProgress: (p) => unknown.push(p) });
    let read = 0;
    for await (const chunk of response.body!) read += chunk.byteLength;
    assert.is(read, SIZE);
    checkEvents(unknown, SIZE, undefined);

    // A gzip body's Content-Length counts encoded bytes: the decoded total is not known.
    const decoded: Progress[] = [];
    assert.is(
      (await (await get(`${server.url}/gzip`, { transport, onDownloadProgress: (p) => decoded.push(p) }))
        .text()).length,
      SIZE,
    );
    assert.is(decoded.at(-1)!.transferred, SIZE);
    assert.is(decoded[0].total, undefined);

    const empty: Progress[] = [];
    await (await get(`${server.url}/empty`, { transport, onDownloadProgress: (p) => empty.push(p) })).text();
    assert.equal(empty, [{ transferred: 0, total: 0, percent: 100 }]);
  });

  test(`a progress callback that throws fails the request, unretried, with an error naming it (${transport})`, async () => {
    const before = server.seen.length;
    try {
      await (await get(`${server.url}/known`, {
        transport,
        retry: 3,
        onDownloadProgress: () => {
          throw new Error("boom");
        },
      })).bytes();
      assert.unreachable("the request succeeded");
    } catch (error) {
      assert.is((error as Error).name, "ProgressCallbackError");
      assert.match(
        (error as Error).message,
        /^GET http:.*\/known failed: the 'onDownloadProgress' callback threw: boom$/,
      );
      assert.is(((error as Error).cause as Error).message, "boom");
    }
    assert.is(server.seen.length - before, 1, "retried");
    let events = 0;
    try {
      await post(`${server.url}/echo`, {
        transport,
        body: payload,
        onUploadProgress: () => {
          events++;
          throw new TypeError("upload boom");
        },
      });
      assert.unreachable("the upload succeeded");
    } catch (error) {
      assert.match((error as Error).message, /'onUploadProgress' callback threw: upload boom$/);
    }
    assert.is(events, 1, "called again after it threw");
  });

  test(`onUploadProgress counts a body of known size and a stream as they are sent (${transport})`, async () => {
    const known: Progress[] = [];
    const response = await post(`${server.url}/echo`, {
      transport,
      body: payload,
      onUploadProgress: (p) => known.push(p),
    });
    const seen = await response.json<Seen>();
    assert.is(seen.bytes, SIZE);
    // Deno's fetch sends every stream body chunked, whatever length it was told.
    if (testRuntime === "deno") assert.ok(seen.chunked);
    else assert.is(seen.length, String(SIZE));
    checkEvents(known, SIZE, SIZE);

    const stream: Progress[] = [];
    let pieces = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pieces === 5) return controller.close();
        controller.enqueue(payload.subarray(pieces * 60_000, ++pieces * 60_000));
      },
    });
    const streamed = await (await post(`${server.url}/echo`, {
      transport,
      body,
      onUploadProgress: (p) => stream.push(p),
    })).json<Seen>();
    assert.is(streamed.bytes, SIZE);
    checkEvents(stream, SIZE, undefined);

    // A string or form body keeps the type fetch gives it.
    const events: Progress[] = [];
    const text = await (await post(`${server.url}/echo`, {
      transport,
      body: "hello",
      onUploadProgress: (p) => events.push(p),
    })).json<Seen>();
    assert.equal(events, [{ transferred: 5, total: 5, percent: 100 }]);
    assert.is(text.type, "text/plain;charset=UTF-8");
    const form = await (await post(`${server.url}/echo`, {
      transport,
      body: new URLSearchParams({ a: "1" }),
      onUploadProgress: () => {},
    })).json<Seen>();
    assert.equal([form.type, form.bytes], ["application/x-www-form-urlencoded;charset=UTF-8", 3]);
  });

  test(`response.timings: start, firstByte and end in order; a new connection's connect on Node's transport (${transport})`, async () => {
    const before = Date.now();
    const response = await get(`${server.url}/known`, { transport });
    const { start, firstByte } = response.timings;
    // performance.timeOrigin + now() and Date.now() are different clocks: a little apart.
    assert.ok(start >= before - 50 && start <= Date.now() + 50, `start ${start}`);
    assert.ok(firstByte !== undefined && firstByte >= 0, `firstByte ${firstByte}`);
    assert.is(response.timings.end, undefined);
    await response.bytes();
    const { end } = response.timings;
    assert.ok(end !== undefined && end >= firstByte!, `end ${end} before firstByte ${firstByte}`);
    if (testRuntime === "node" && transport === "auto") {
      // Another server, so that the connection is new.
      const fresh = await rawServer((_req, res) => res.end("x"));
      try {
        const first = await get(fresh.url);
        await first.text();
        const t = first.timings;
        assert.is(t.dns, undefined, "no lookup for an IP address");
        assert.ok(t.connect !== undefined && t.connect >= 0 && t.connect <= t.firstByte!, JSON.stringify(t));
        assert.is(t.tls, undefined);
        const reused = await get(fresh.url);
        await reused.text();
        assert.is(reused.timings.connect, undefined, "a reused connection has no connect phase");
      } finally {
        await fresh.close();
      }
    } else {
      assert.equal([response.timings.dns, response.timings.connect, response.timings.tls], [
        undefined,
        undefined,
        undefined,
      ]);
    }
  });

  test(`the User-Agent is anynet's on every runtime; a header of the caller's replaces it (${transport})`, async () => {
    const runtime = detectRuntime();
    const expected = `anynet/${VERSION} (${runtime.name} ${runtime.version})`;
    const plain = await (await request(`${server.url}/echo`, { transport, method: "POST" })).json<Seen>();
    assert.is(plain.ua, expected);
    const withHeaders = await (await post(`${server.url}/echo`, { transport, headers: { "x-a": "1" } })).json<Seen>();
    assert.is(withHeaders.ua, expected);
    const hooked = await (await post(`${server.url}/echo`, {
      transport,
      hooks: { beforeRequest: [(c) => void (c.headers = new Headers({ "x-b": "2" }))] },
    })).json<Seen>();
    assert.is(hooked.ua, expected);
    const own = await (await post(`${server.url}/echo`, { transport, headers: { "User-Agent": "mine/1" } })).json<
      Seen
    >();
    assert.is(own.ua, "mine/1");
  });
}

test("the progress options are checked before any I/O", async () => {
  for (const name of ["onDownloadProgress", "onUploadProgress"]) {
    try {
      await get(`${server.url}/known`, { [name]: "yes" });
      assert.unreachable(`${name} accepted a string`);
    } catch (error) {
      assert.instance(error, TypeError);
      assert.match((error as Error).message, new RegExp(`^Cannot send the request: '${name}' must be a function`));
    }
  }
});

test("response.timings on Node's transport over TLS: dns, connect, tls, firstByte and end in order", async () => {
  if (testRuntime !== "node" || !hasOpenssl()) {
    if (testRuntime === "node") announceSkip("openssl is not installed");
    return;
  }
  const pki = makeTestPki();
  const secure = https.createServer({ cert: pki.cert, key: pki.key }, (_req, res) => res.end("secure"));
  await new Promise<void>((resolve) => secure.listen(0, "127.0.0.1", resolve));
  try {
    const port = (secure.address() as AddressInfo).port;
    // By name, so that there is a lookup (localhost resolves to 127.0.0.1 here).
    const response = await get(`https://localhost:${port}/`, { ca: pki.caCert });
    assert.is(await response.text(), "secure");
    const t = response.timings;
    const phases = [t.dns, t.connect, t.tls, t.firstByte, t.end];
    assert.ok(phases.every((mark) => mark !== undefined), JSON.stringify(t));
    for (let i = 1; i < phases.length; i++) assert.ok(phases[i]! >= phases[i - 1]!, JSON.stringify(t));
  } finally {
    secure.closeAllConnections();
    await new Promise<void>((resolve) => secure.close(() => resolve()));
    pki.cleanup();
  }
});

test.after(() => server.close());
test.run();
