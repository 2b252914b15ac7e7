// What serve()'s fast path must not change: the handler's request is a real Request (on
// Node it is read lazily from node:http), a body known in full goes out with its length
// rather than chunked (so HTTP/1.0 keep-alive works), and a streamed body still streams.
// FastResponse is a Response to any code, and serve() writes it with the same framing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FastResponse, type HttpServer, serve } from "anynet/http";
import { announceSkip, testRuntime } from "../_helpers/env.ts";
import { RawConnection, type RawResponse } from "../_helpers/http_raw.ts";

let server: HttpServer;
/** Resolved by the handler of /wait once it is waiting for the client to leave. */
let waiting: () => void = () => {};
/** Resolved with whether /wait's request.signal aborted. */
let leftSeen: (aborted: boolean) => void = () => {};

const encoder = new TextEncoder();
/** 1 MiB in a pattern that shows a lost, repeated or misplaced part. */
const mebibyte = Uint8Array.from({ length: 1024 * 1024 }, (_, i) => (i * 7 + (i >> 12)) % 251);

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
    if (path === "/1m") return new Response(mebibyte);
    if (path === "/fast/1m") return new FastResponse(mebibyte);
    if (path === "/fast/text") {
      return new FastResponse("héllo\n", { status: 201, statusText: "Made", headers: [["x-kind", "fast"]] });
    }
    if (path === "/fast/json") return FastResponse.json({ ok: true }, { headers: { "x-kind": "json" } });
    if (path === "/fast/buffer") return new FastResponse(new Uint8Array(1024).fill(121).buffer);
    if (path === "/fast/none") return new FastResponse(null, { status: 204, headers: { "x-kind": "none" } });
    if (path === "/fast/late") {
      const response = new FastResponse("late", { headers: { "content-type": "text/x-late", "content-length": "99" } });
      response.headers.set("x-late", "1");
      return response;
    }
    if (path === "/fast/read") {
      const response = new FastResponse(encoder.encode("read once"));
      assert.ok(response.body instanceof ReadableStream);
      return response;
    }
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

test("FastResponse is a Response: instanceof, status, headers, text(), json(), clone(), body, null-body statuses", async () => {
  const response = new FastResponse("héllo", { status: 201, statusText: "Made", headers: { "x-a": "1" } });
  assert.ok(response instanceof Response);
  assert.is(Object.prototype.toString.call(response), "[object Response]");
  assert.equal([response.status, response.statusText, response.ok, response.type, response.url, response.redirected], [
    201,
    "Made",
    true,
    "default",
    "",
    false,
  ]);
  assert.is(response.headers.get("x-a"), "1");
  // Whatever the runtime's own Response gives a string body (Bun gives none).
  assert.is(response.headers.get("content-type"), new Response("x").headers.get("content-type"));
  const copy = response.clone();
  assert.ok(copy instanceof Response);
  assert.is(await copy.text(), "héllo");
  assert.is(response.bodyUsed, false);
  assert.ok(response.body instanceof ReadableStream);
  assert.is(await response.text(), "héllo");
  assert.is(response.bodyUsed, true);
  assert.ok(
    await response.text().then(() => false, (error) => error instanceof TypeError),
    "a read body cannot be read again",
  );

  const json = FastResponse.json({ n: 1 }, { status: 202 });
  assert.equal([json.status, json.headers.get("content-type"), await json.json()], [
    202,
    Response.json(1).headers.get("content-type"),
    { n: 1 },
  ]);
  const bytes = new FastResponse(new Uint8Array([1, 2, 3]).buffer);
  assert.equal([bytes.headers.get("content-type"), [...new Uint8Array(await bytes.arrayBuffer())]], [null, [1, 2, 3]]);

  for (const status of [204, 205, 304]) {
    const empty = new FastResponse(null, { status });
    assert.equal([empty.status, empty.body, await empty.text()], [status, null, ""]);
    // As the runtime's own Response does (Bun's accepts a body here).
    const refuses = (make: () => Response) => {
      try {
        make();
        return false;
      } catch (error) {
        return error instanceof TypeError;
      }
    };
    assert.is(refuses(() => new FastResponse("body", { status })), refuses(() => new Response("body", { status })));
  }
  assert.throws(() => new FastResponse("x", { status: 600 }), RangeError);
  const streamed = new FastResponse(new ReadableStream({ start: (c) => (c.enqueue(encoder.encode("s")), c.close()) }));
  assert.is(await streamed.text(), "s");
});

test("serve() writes a FastResponse with Content-Length and the exact bytes, headers set late included", async () => {
  const paths = ["/fast/text", "/fast/json", "/fast/buffer", "/fast/none", "/fast/late", "/fast/read"];
  const { responses, open } = await onOneConnection(paths.map((path) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
  const seen: (string | number | undefined)[][] = responses.map((
    r,
  ) => [r.status, r.headers["content-length"], r.headers["transfer-encoding"], r.body]);
  if (testRuntime === "deno" && seen[5][2] === "chunked") seen[5].splice(1, 2, "9", undefined);
  assert.equal(seen, [
    [201, String(encoder.encode("héllo\n").byteLength), undefined, String.fromCharCode(...encoder.encode("héllo\n"))],
    [200, String('{"ok":true}'.length), undefined, '{"ok":true}'],
    [200, "1024", undefined, "y".repeat(1024)],
    [204, undefined, undefined, ""],
    [200, "4", undefined, "late"],
    // A body whose stream was taken out: Deno's own server may stream it (chunked) or know
    // its length, depending on whether serve() touched the response; the bytes are the same.
    [200, "9", undefined, "read once"],
  ]);
  assert.equal(responses.map((r) => r.headers["x-kind"]), ["fast", "json", undefined, "none", undefined, undefined]);
  assert.equal(
    [responses[1].headers["content-type"]?.split(";")[0], responses[0].headers["content-type"]?.toLowerCase()],
    ["application/json", "text/plain;charset=utf-8"],
  );
  assert.equal([responses[4].headers["content-type"], responses[4].headers["x-late"]], ["text/x-late", "1"]);
  assert.ok(open, "the connection stays open after the answers");
});

test("a 1 MiB answer arrives whole and exact, from a Response and from a FastResponse", async () => {
  for (const path of ["/1m", "/fast/1m"]) {
    const response = await fetch(`${server.url}${path}`);
    assert.is(response.headers.get("content-length"), String(mebibyte.byteLength), path);
    const body = new Uint8Array(await response.arrayBuffer());
    assert.ok(body.byteLength === mebibyte.byteLength && body.every((byte, i) => byte === mebibyte[i]), path);
  }
});

test.run();
