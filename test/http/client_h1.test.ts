import { test } from "uvu";
import * as assert from "uvu/assert";
import { get, head, isNetworkError } from "anynet/http";
import { announceSkip, testRuntime } from "../_helpers/env.ts";
import { scriptedServer } from "../_helpers/http_raw.ts";

// Node's own transport reads HTTP/1.1 itself: it must refuse what is not HTTP, accept what
// is, and reuse a connection only when the response left it clean. (Deno and Bun use their
// fetch, whose parsers are their own.)

const onNode = testRuntime === "node";
if (!onNode) announceSkip("the HTTP/1.1 parser and pool tests are for Node's own transport (fetch elsewhere)");
const nodeTest = onNode ? test : test.skip;

/** What `get()` of the one answer failed with, and the code of the parser's own error. */
async function failureOf(answer: string): Promise<{ error: Error & { reason?: string }; code: unknown; url: string }> {
  const server = await scriptedServer(() => ({ bytes: answer }));
  try {
    const url = `${server.url}/`;
    try {
      await (await get(url, { retry: 0, timeout: 3000 })).text();
    } catch (error) {
      // NetworkError ← fetch-style TypeError ← the parser's HttpParseError.
      const code = ((error as Error).cause as Error | undefined)?.cause as { code?: unknown } | undefined;
      return { error: error as Error & { reason?: string }, code: code?.code, url };
    }
    throw new Error(`the answer was accepted: ${JSON.stringify(answer)}`);
  } finally {
    await server.close();
  }
}

const BAD_HEADS: [string, string, RegExp][] = [
  ["a status code of four digits", "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n", /^HPE_INVALID_STATUS$/],
  ["another protocol", "HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n", /^HPE_INVALID_STATUS$/],
  ["a control byte in the reason", "HTTP/1.1 200 O\x01K\r\nContent-Length: 0\r\n\r\n", /^HPE_INVALID_STATUS$/],
  ["an obs-fold", "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 0\r\n\r\n", /^HPE_INVALID_HEADER_TOKEN$/],
  ["a space in a name", "HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n", /^HPE_INVALID_HEADER_TOKEN$/],
  ["a space before the colon", "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", /^HPE_INVALID_HEADER_TOKEN$/],
  [
    "a control byte in a value",
    "HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 0\r\n\r\n",
    /^HPE_INVALID_HEADER_TOKEN$/,
  ],
  ["a bare CR in a value", "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n", /^HPE_INVALID_HEADER_TOKEN$/],
  ["lines ending in a bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", /^HPE_LF_EXPECTED$/],
  [
    "two Content-Lengths that differ",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
    /^HPE_UNEXPECTED_CONTENT_LENGTH$/,
  ],
  ["a list of Content-Lengths that differ", "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nxx", /^HPE_UNEXPECTED/],
  ["a signed Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\nx", /^HPE_INVALID_CONTENT_LENGTH$/],
  [
    "Content-Length with Transfer-Encoding",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
    /^HPE_UNEXPECTED_CONTENT_LENGTH$/,
  ],
  [
    "a transfer coding other than chunked",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nx",
    /^HPE_INVALID_TRANSFER/,
  ],
  [
    "chunked twice",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    /^HPE_INVALID_TRANSFER/,
  ],
  ["a head over 16 KiB", `HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(17 * 1024)}\r\n\r\n`, /^HPE_HEADER_OVERFLOW$/],
  ["a protocol switch nobody asked for", "HTTP/1.1 101 Switching Protocols\r\n\r\n", /^HPE_INVALID_STATUS$/],
];

nodeTest("a response head that is not valid HTTP/1.1 is refused, with the parser's code as the cause", async () => {
  for (const [what, answer, code] of BAD_HEADS) {
    const failure = await failureOf(answer);
    assert.ok(isNetworkError(failure.error), `${what}: ${failure.error}`);
    assert.is(failure.error.reason, "other", what);
    assert.match(failure.error.message, /did not answer with valid HTTP$/, what);
    assert.match(String(failure.code), code, what);
  }
});

nodeTest("a chunked body that breaks the framing fails as a broken body", async () => {
  const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (
    const [what, body] of [
      ["a size that is not hex", "zz\r\nx\r\n0\r\n\r\n"],
      ["a size too large", "fffffffffffffff\r\nx\r\n"],
      ["data longer than its size", "1\r\nxy\r\n0\r\n\r\n"],
      ["a control byte in an extension", "1;a=\x01\r\nx\r\n0\r\n\r\n"],
    ]
  ) {
    const failure = await failureOf(chunked + body);
    assert.ok(isNetworkError(failure.error), `${what}: ${failure.error}`);
    assert.is(failure.error.reason, "body", what);
  }
});

nodeTest(
  "what HTTP/1.1 allows is read: no reason phrase, interim responses, extensions, trailers, blanks",
  async () => {
    const answers = [
      "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n1;name=value\r\no\r\n1 \r\nk\r\n0\r\nX-Trailer: t\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\nX-Blanks: \t spaced \t\r\n\r\nok",
    ];
    const server = await scriptedServer((n) => ({ bytes: answers[n] }));
    try {
      for (let i = 0; i < answers.length; i++) {
        const response = await get(`${server.url}/`, { retry: 0 });
        assert.is(response.status, 200, answers[i]);
        assert.is(await response.text(), "ok", answers[i]);
        if (i === 3) assert.is(response.headers.get("x-blanks"), "spaced");
      }
      // All on one connection: each response ended cleanly where its framing said.
      assert.is(server.connections.length, 1);
    } finally {
      await server.close();
    }
  },
);

nodeTest(
  "a connection is reused after a framed response, and not after Connection: close or a body ended by close",
  async () => {
    const answers: { bytes: string; close?: boolean }[] = [
      { bytes: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na" },
      { bytes: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n" },
      // HEAD: the length describes a body that is not sent.
      { bytes: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" },
      { bytes: "HTTP/1.1 204 No Content\r\n\r\n" },
      // Connection: close, though the server leaves the connection open: the client closes it.
      { bytes: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nc" },
      // No length: the body ends with the connection.
      { bytes: "HTTP/1.1 200 OK\r\n\r\nd", close: true },
      // Bytes past the response's end: the connection is out of step, not reused.
      { bytes: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\neEXTRA" },
      { bytes: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nf" },
    ];
    const server = await scriptedServer((n) => answers[n]);
    try {
      const url = `${server.url}/`;
      assert.is(await (await get(url)).text(), "a");
      assert.is(await (await get(url)).text(), "b");
      assert.is((await head(url)).status, 200);
      assert.is((await get(url)).status, 204);
      assert.is(server.connections.length, 1, "framed responses share one connection");
      assert.is(await (await get(url)).text(), "c");
      assert.is(await (await get(url)).text(), "d");
      assert.is(server.connections.length, 2);
      assert.is(await (await get(url)).text(), "e");
      assert.is(await (await get(url)).text(), "f");
      assert.is(
        server.connections.length,
        4,
        "a new connection after close, after a body ended by close, after extra bytes",
      );
    } finally {
      await server.close();
    }
  },
);

nodeTest("a body left unread keeps its connection out of the pool; a cancelled one closes it", async () => {
  const big = "x".repeat(256 * 1024);
  const server = await scriptedServer((n) => ({
    bytes: n === 0
      ? `HTTP/1.1 200 OK\r\nContent-Length: ${big.length + 1}\r\n\r\n${big}`
      : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
  }));
  try {
    const unread = await get(`${server.url}/`);
    assert.is(unread.status, 200);
    // The first body never ends (one byte is missing): the next request needs a connection of its own.
    assert.is(await (await get(`${server.url}/`)).text(), "ok");
    assert.is(server.connections.length, 2);
    const closed = new Promise((resolve) => server.connections[0].once("close", resolve));
    await unread.body!.cancel();
    await closed;
  } finally {
    await server.close();
  }
});

test.run();
