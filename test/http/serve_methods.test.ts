import { test } from "uvu";
import * as assert from "uvu/assert";
import { type HttpServer, serve } from "anynet/http";
import { testRuntime } from "../_helpers/env.ts";
import { RawConnection } from "../_helpers/http_raw.ts";

let server: HttpServer;
const seen: string[] = [];

test.before(async () => {
  server = await serve((request) => {
    seen.push(request.method);
    return new Response(`handled ${request.method}\n`);
  }, {
    port: 0,
    errorResponse: (status, message) => Response.json({ status, error: message }, { status }),
  });
});
test.after(() => server.close());

/** Sends `requestLine` and returns the status and body, or "closed" if the connection ends without an answer. */
async function send(requestLine: string, host = "x"): Promise<{ status: number; body: string } | "closed"> {
  const connection = await RawConnection.open(server.addr.port);
  try {
    connection.write(`${requestLine}\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    const response = await connection.response().catch(() => undefined);
    if (!response) return "closed";
    return { status: response.status, body: response.body };
  } finally {
    connection.destroy();
  }
}

test("serve() answers 501 itself to CONNECT, TRACE and TRACK, with the errorResponse body, and keeps serving", async () => {
  const cases: [string, string, string][] = [
    ["CONNECT example.com:443 HTTP/1.1", "example.com:443", "CONNECT is not supported: this server opens no tunnels"],
    ["TRACE / HTTP/1.1", "x", "TRACE is not supported"],
  ];
  // Bun's parser closes the connection on TRACK, a method it does not know.
  if (testRuntime !== "bun") cases.push(["TRACK / HTTP/1.1", "x", "TRACK is not supported"]);
  for (const [line, host, error] of cases) {
    const answer = await send(line, host);
    assert.equal(answer, { status: 501, body: JSON.stringify({ status: 501, error }) }, line);
  }
  // A TRACE used to end the process on Node (fetch's Request throws on it).
  assert.equal(await send("GET /still-up HTTP/1.1"), { status: 200, body: "handled GET\n" });
  assert.equal(seen.filter((method) => method !== "GET"), []);
});

test("serve() answers 501 to a method it does not know, lower case included (Bun's parser refuses it first)", async () => {
  for (const method of ["get", "Post", "FOO", "M_SEARCH"]) {
    const answer = await send(`${method} / HTTP/1.1`);
    if (testRuntime === "bun") {
      // Bun's parser closes the connection without an answer, or answers a bare 400.
      assert.ok(
        answer === "closed" || (answer.status === 400 && answer.body === ""),
        `${method}: ${JSON.stringify(answer)}`,
      );
      continue;
    }
    assert.equal(
      answer,
      {
        status: 501,
        body: JSON.stringify({ status: 501, error: `unknown method '${method}' (methods are case-sensitive)` }),
      },
      method,
    );
  }
  assert.not.ok(seen.some((method) => method !== method.toUpperCase() || method === "FOO"), seen.join(" "));
});

test("serve() hands the handler every method Node's parser knows, beyond the usual ones", async () => {
  for (const method of ["PROPFIND", "PURGE", "REPORT", "OPTIONS", "QUERY"]) {
    assert.equal(await send(`${method} / HTTP/1.1`), { status: 200, body: `handled ${method}\n` }, method);
  }
});

test.run();
