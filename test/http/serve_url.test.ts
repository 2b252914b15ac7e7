import { test } from "uvu";
import * as assert from "uvu/assert";
import { type HttpServer, serve } from "anynet/http";
import { testRuntime } from "../_helpers/env.ts";
import { RawConnection, type RawResponse } from "../_helpers/http_raw.ts";

let server: HttpServer;
let calls = 0;

test.before(async () => {
  server = await serve((request) => {
    calls++;
    // Throws (a 500) if the URL is not a valid absolute URL.
    const parsed = new URL(request.url);
    return Response.json({ url: request.url, href: parsed.href });
  }, { port: 0 });
});
test.after(() => server.close());

async function send(requestLine: string, headerLines: string[]): Promise<RawResponse> {
  const connection = await RawConnection.open(server.addr.port);
  try {
    connection.write([requestLine, ...headerLines, "Connection: close", "", ""].join("\r\n"));
    return await connection.response();
  } finally {
    connection.destroy();
  }
}

test("serve() gives the handler a valid absolute URL whatever the Host header and request target", async () => {
  const own = `http://127.0.0.1:${server.addr.port}`;
  const cases: [string, string[], string][] = [
    // No Host (HTTP/1.0) or an empty one: the server's own address.
    ["GET /p?q=1 HTTP/1.0", [], `${own}/p?q=1`],
    ["GET /p HTTP/1.1", ["Host:"], `${own}/p`],
    // A valid Host, normalised as a URL would be.
    ["GET /p HTTP/1.1", ["Host: [::1]"], "http://[::1]/p"],
    ["GET /p HTTP/1.1", ["Host: [::1]:8080"], "http://[::1]:8080/p"],
    ["GET /p HTTP/1.1", ["Host: X.Example:080"], "http://x.example/p"],
    ["GET /p HTTP/1.1", ["Host: my_service:3000"], "http://my_service:3000/p"],
    // Absolute-form targets keep their path; the host is the Host header's.
    ["GET http://other.example/p?q HTTP/1.1", ["Host: x"], "http://x/p?q"],
    ["GET https://other.example:8443/p HTTP/1.1", ["Host: x"], "http://x/p"],
    // A path that looks like an authority stays a path.
    ["GET //evil.example/x HTTP/1.1", ["Host: x"], "http://x//evil.example/x"],
  ];
  if (testRuntime !== "bun") cases.push(["OPTIONS * HTTP/1.1", ["Host: x"], "http://x/*"]);
  for (const [line, headers, expected] of cases) {
    const response = await send(line, headers);
    const what = `${line} ${JSON.stringify(headers)}`;
    assert.is(response.status, 200, `${what}: ${response.body}`);
    const { url, href } = JSON.parse(response.body) as { url: string; href: string };
    assert.is(url, expected, what);
    assert.is(href, url, what);
  }
});

test("serve() answers 400 to a Host header that is not a valid host[:port], or to two of them", async () => {
  const before = calls;
  const hosts = [["a b"], ["a/b"], ["a?b"], ["a#b"], ["x@y"], ["x:99999"], ["exa%mple"], ["999.1.1.1"], ["x", "y"]];
  for (const values of hosts) {
    const response = await send("GET /p HTTP/1.1", values.map((value) => `Host: ${value}`));
    assert.is(response.status, 400, JSON.stringify(values));
    // Deno's own parser refuses two Host headers before serve() sees them, with an empty body.
    if (testRuntime === "deno" && values.length > 1) continue;
    assert.match(
      response.body,
      /^Bad Request: the Host header is not a valid host\[:port\], or there is more than one\n$/,
    );
  }
  assert.is(calls, before, "the handler saw a request with an invalid Host");
});

test("serve(): an HTTP/1.1 request without Host gets 400 on Node and Bun; Deno cannot tell it from HTTP/1.0", async () => {
  const response = await send("GET /p HTTP/1.1", []);
  if (testRuntime === "deno") {
    // Deno.serve does not expose the request's HTTP version, so serve() cannot apply the rule there.
    assert.is(response.status, 200);
    assert.is((JSON.parse(response.body) as { url: string }).url, `http://127.0.0.1:${server.addr.port}/p`);
  } else {
    assert.is(response.status, 400);
    // Bun's parser answers this one itself, with an empty body.
    if (testRuntime === "node") assert.is(response.body, "Bad Request: an HTTP/1.1 request needs a Host header\n");
  }
});

test("serve(): Bun's own parser refuses 'OPTIONS *' with 400 before serve() sees it", async () => {
  if (testRuntime !== "bun") return;
  const response = await send("OPTIONS * HTTP/1.1", ["Host: x"]);
  assert.is(response.status, 400);
});

test.run();
