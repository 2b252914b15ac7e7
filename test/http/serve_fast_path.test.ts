// What serve()'s fast path must not change: the handler's request is a real Request (on
// Node it is read lazily from node:http), a body known in full goes out with its length
// rather than chunked (so HTTP/1.0 keep-alive works), and a streamed body still streams.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type HttpServer, serve } from "anynet/http";
import { announceSkip, testRuntime } from "../_helpers/env.ts";
import { RawConnection, type RawResponse } from "../_helpers/http_raw.ts";

let server: HttpServer;
/** Resolved by the handler of /wait once it is waiting for the client to leave. */
let waiting: () => void = () => {};
/** Resolved with whether /wait's request.signal aborted. */
let leftSeen: (aborted: boolean) => void = () => {};

const encoder = new TextEncoder();

test.before(async () => {
  server = await serve(async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/inspect") {
      const copy = request.clone();
      const facts = {
        isRequest: request instanceof Request,
        copyIsRequest: copy instanceof Request,
        tag: Object.prototype.toString.call(request),
        method: request.method,
        url: request.url,
        header: request.headers.get("x-probe"),
        signal: request.signal instanceof AbortSignal && !request.signal.aborted,
        hasBody: request.body !== null,
        copyText: await copy.text(),
        text: await request.text(),
        bodyUsed: request.bodyUsed,
      };
      return Response.json(facts);
    }
    if (path === "/wait") {
      const aborted = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 5000);
        request.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      waiting();
      leftSeen(await aborted);
      return new Response("too late\n");
    }
    if (path === "/text") return new Response("héllo\n");
    if (path === "/json") return Response.json({ ok: true });
    if (path === "/bytes") return new Response(new Uint8Array(1024).fill(120));
    if (path === "/empty") return new Response("");
    if (path === "/none") return new Response(null, { status: 204 });
    if (path === "/stream") {
      return new Response(
        new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(encoder.encode("first "));
            await new Promise((resolve) => setTimeout(resolve, 200));
            controller.enqueue(encoder.encode("second"));
            controller.close();
          },
        }),
      );
    }
    return new Response("not found\n", { status: 404 });
  }, { port: 0 });
});
test.after(() => server.close());

/** Sends the requests on one connection, one after the other, and reads each answer. */
async function onOneConnection(requests: string[]): Promise<{ responses: RawResponse[]; open: boolean }> {
  const connection = await RawConnection.open(server.addr.port);
  try {
    const responses: RawResponse[] = [];
    for (const request of requests) {
      connection.received = "";
      connection.write(request);
      responses.push(await connection.response(5000));
    }
    return { responses, open: !(await connection.closesWithin(100)) };
  } finally {
    connection.destroy();
  }
}

test("the handler's request is a real Request: instanceof, clone(), headers, body, signal", async () => {
  const response = await fetch(`${server.url}/inspect?x=1`, {
    method: "POST",
    headers: { "x-probe": "yes", "content-type": "text/plain" },
    body: "the body",
  });
  assert.equal(await response.json(), {
    isRequest: true,
    copyIsRequest: true,
    tag: "[object Request]",
    method: "POST",
    url: `${server.url}/inspect?x=1`,
    header: "yes",
    signal: true,
    hasBody: true,
    copyText: "the body",
    text: "the body",
    bodyUsed: true,
  });
  const get = await (await fetch(`${server.url}/inspect`)).json();
  assert.equal([get.isRequest, get.method, get.hasBody, get.text, get.bodyUsed], [true, "GET", false, "", false]);
});

// Deno's own request.signal aborts even after a successful answer (see AdapterServer.forwardSignal),
// so serve() leaves it as Deno made it and this is not serve()'s to promise there.
if (testRuntime === "deno") {
  announceSkip("request.signal on Deno is Deno.serve's own (it aborts even after an answer): not serve()'s to promise");
}
(testRuntime === "deno" ? test.skip : test)(
  "request.signal aborts when the client leaves before the answer",
  async () => {
    const started = new Promise<void>((resolve) => (waiting = resolve));
    const seen = new Promise<boolean>((resolve) => (leftSeen = resolve));
    const connection = await RawConnection.open(server.addr.port);
    connection.write("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n");
    await started;
    connection.destroy();
    assert.is(await seen, true);
  },
);

test("a body known in full is sent with Content-Length, not chunked; an empty one with 0; a 204 with none", async () => {
  const paths = ["/text", "/json", "/bytes", "/empty", "/none"];
  const { responses, open } = await onOneConnection(paths.map((path) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
  const framing = responses.map((r) => [r.status, r.headers["content-length"], r.headers["transfer-encoding"]]);
  assert.equal(framing, [
    [200, String(encoder.encode("héllo\n").byteLength), undefined],
    [200, String('{"ok":true}'.length), undefined],
    [200, "1024", undefined],
    [200, "0", undefined],
    [204, undefined, undefined],
  ]);
  // The raw connection reads latin1: the UTF-8 bytes of "héllo\n", one character each.
  assert.is(responses[0].body, String.fromCharCode(...encoder.encode("héllo\n")));
  assert.ok(open, "the connection stays open after the answers");
});

test("an HTTP/1.0 client asking for keep-alive gets Content-Length and keeps its connection (Bun closes it)", async () => {
  const request = (path: string) => `GET ${path} HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`;
  const connection = await RawConnection.open(server.addr.port);
  try {
    connection.write(request("/json"));
    const first = await connection.response(5000);
    assert.is(first.headers["content-length"], String('{"ok":true}'.length));
    assert.is(first.body, '{"ok":true}');
    if (testRuntime === "bun") {
      // Bun.serve itself ends HTTP/1.0 connections after one answer, with or without anynet.
      assert.ok(await connection.closesWithin(2000));
      return;
    }
    assert.is(first.headers["connection"]?.toLowerCase(), "keep-alive");
    connection.received = "";
    connection.write(request("/bytes"));
    const second = await connection.response(5000);
    assert.equal([second.status, second.headers["content-length"]], [200, "1024"]);
  } finally {
    connection.destroy();
  }
});

test("a streamed body still streams (chunked, every part, the first before the last exists)", async () => {
  const connection = await RawConnection.open(server.addr.port);
  try {
    connection.write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    const deadline = Date.now() + 5000;
    while (!connection.received.includes("first ") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.ok(connection.received.includes("first "), "the first part arrives");
    assert.not.ok(connection.received.includes("second"), "the first part is not held back for the last");
    const response = await connection.response(5000);
    assert.is(response.body, "first second");
    assert.is(response.headers["content-length"], undefined);
  } finally {
    connection.destroy();
  }
});

test.run();
