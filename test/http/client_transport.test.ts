import { test } from "uvu";
import * as assert from "uvu/assert";
import { get, post } from "anynet/http";
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import * as zlib from "node:zlib";
import { announceSkip, testRuntime } from "../_helpers/env.ts";
import { CLIENT_TRANSPORTS, closedPort, rawServer } from "../_helpers/http_servers.ts";

// What the client's transports share: the same answers whichever carries the request (on
// Node the node:http transport and fetch; elsewhere fetch), a real Response as `raw`, and
// bodies that stream with backpressure both ways.

test("the transport option is checked before any I/O; on Node, 'ca' needs the node:http transport", async () => {
  const port = await closedPort();
  for (const bad of ["node", "", 1, null]) {
    try {
      await get(`http://127.0.0.1:${port}/`, { transport: bad as "fetch" });
      assert.unreachable(`transport ${String(bad)} was accepted`);
    } catch (error) {
      assert.instance(error, TypeError);
      assert.match((error as Error).message, /^Cannot send the request: 'transport' must be "auto" or "fetch": got /);
    }
  }
  if (testRuntime !== "node") return; // Deno's and Bun's fetch take CAs (security.test.ts).
  const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  try {
    await get(`https://127.0.0.1:${port}/`, { transport: "fetch", ca });
    assert.unreachable("Node's fetch was given a CA");
  } catch (error) {
    assert.instance(error, TypeError);
    assert.match((error as Error).message, /'ca' needs the default transport here/);
  }
});

const text = "anynet ".repeat(2000);
const encoders: Record<string, (bytes: Uint8Array) => Uint8Array> = {
  gzip: zlib.gzipSync,
  br: zlib.brotliCompressSync,
  // Deno's fetch leaves deflate alone (client_body_limits.test.ts): it is decoded elsewhere.
  ...(testRuntime === "deno" ? {} : { deflate: zlib.deflateSync }),
};

for (const transport of CLIENT_TRANSPORTS) {
  test(`bodies are decoded as fetch decodes them and raw is a real Response (transport ${transport})`, async () => {
    const server = await rawServer((req, res) => {
      const coding = req.url!.slice(1);
      const encode = encoders[coding];
      if (encode === undefined) {
        res.writeHead(200, { "content-type": "text/plain", "x-answer": "plain", "set-cookie": ["a=1", "b=2"] });
        res.end(text);
        return;
      }
      res.writeHead(200, { "content-type": "text/plain", "content-encoding": coding });
      res.end(encode(new TextEncoder().encode(text)));
    });
    try {
      for (const coding of Object.keys(encoders)) {
        const response = await get(`${server.url}/${coding}`, { transport });
        assert.is(response.headers.get("content-encoding"), coding);
        assert.is(await response.text(), text, coding);
        assert.is((await (await get(`${server.url}/${coding}`, { transport })).bytes()).byteLength, text.length);
      }
      const response = await get(`${server.url}/plain`, { transport });
      const raw = response.raw;
      assert.instance(raw, Response);
      assert.is(raw.status, 200);
      assert.is(raw.url, `${server.url}/plain`);
      assert.is(raw.headers.get("x-answer"), "plain");
      assert.equal(response.headers.getSetCookie(), ["a=1", "b=2"]);
      // The Response's body is the response's one body: read through either, once.
      assert.is(await response.text(), text);
      // Headers read first (which may build the Response), body read after: still whole.
      const again = await get(`${server.url}/plain`, { transport });
      assert.is(again.headers.get("content-type"), "text/plain");
      assert.is(await again.json().catch(() => "not json"), "not json");
      const viaRaw = await get(`${server.url}/plain`, { transport });
      assert.is(await viaRaw.raw.text(), text);
    } finally {
      await server.close();
    }
  });

  test(`a stream body goes out no faster than the server reads it, and a response body streams in chunks (transport ${transport})`, async () => {
    const total = 32 * 1024 * 1024;
    const chunk = new Uint8Array(64 * 1024);
    const server = await rawServer((req, res) => {
      if (req.method === "GET") {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        let sent = 0;
        const more = () => {
          if (sent++ === 8) return res.end();
          res.write(chunk, () => setTimeout(more, 5));
        };
        return more();
      }
      // Reads the upload only after a while: until then the client must wait.
      setTimeout(() => {
        let received = 0;
        req.on("data", (data: Uint8Array) => (received += data.byteLength));
        req.on("end", () => res.end(String(received)));
      }, 400);
    });
    try {
      let pulled = 0;
      const upload = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled >= total) return controller.close();
          pulled += chunk.byteLength;
          controller.enqueue(chunk.slice());
        },
      });
      const answer = post(`${server.url}/upload`, { body: upload, transport, timeout: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Sockets and buffers hold a few MiB at most; without backpressure all 32 MiB are read.
      assert.ok(pulled < total / 2, `${pulled} bytes were taken from the stream before the server read any`);
      assert.is(await (await answer).text(), String(total));
      const download = await get(`${server.url}/download`, { transport });
      const reader = download.body!.getReader();
      let chunks = 0;
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks++;
        bytes += value.byteLength;
      }
      assert.is(bytes, 8 * chunk.byteLength);
      assert.ok(chunks >= 2, `the body came in ${chunks} chunk(s)`);
    } finally {
      await server.close();
    }
  });
}

test("sequential requests share one keep-alive connection", async () => {
  const server = await rawServer((_req, res) => res.end("same"));
  try {
    for (let i = 0; i < 5; i++) assert.is(await (await get(`${server.url}/`)).text(), "same");
    assert.is(new Set(server.seen.map((req) => req.socket)).size, 1);
  } finally {
    await server.close();
  }
});

if (testRuntime !== "node") announceSkip("the idle-connection test is for Node's own transport (fetch elsewhere)");
(testRuntime === "node" ? test : test.skip)(
  "on Node, an idle pooled connection is closed by the client before the server's Keep-Alive timeout",
  async () => {
    const sockets: Socket[] = [];
    const server = http.createServer((req, res) => {
      sockets.push(req.socket);
      res.end("idle next");
    });
    // Announced as "Keep-Alive: timeout=2": a client should let the connection go a little sooner.
    server.keepAliveTimeout = 2000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      assert.is(await (await get(url)).text(), "idle next");
      const started = Date.now();
      // The client's FIN (the server sees the end of its stream) before the server's own close at 2 s.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("the idle connection was still open after 1.8 s")), 1800);
        sockets[0].once("end", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      assert.ok(Date.now() - started >= 500, `closed after ${Date.now() - started} ms: too soon for an idle timeout`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  },
);

test.run();
