import { test } from "uvu";
import * as assert from "uvu/assert";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import {
  get,
  HttpError,
  isBodyTooLargeError,
  isHttpError,
  isNetworkError,
  isRedirectError,
  isTimeoutError,
  NetworkError,
  TimeoutError,
} from "anynet/http";
import { announceSkip } from "../_helpers/env.ts";
import { CLIENT_TRANSPORTS } from "../_helpers/http_servers.ts";
import { hasOpenssl, makeTestPki } from "../_helpers/tls_pki.ts";

test("the guards recognise errors by name, so they work across realms and package copies", () => {
  // An error from another realm is not an instance of this realm's class: simulate one.
  const foreign = Object.assign(new Error("x"), { name: "HttpError", status: 502 });
  assert.not.instance(foreign, HttpError);
  assert.ok(isHttpError(foreign));
  assert.ok(isTimeoutError(Object.assign(new Error("x"), { name: "TimeoutError", kind: "deadline" })));
  assert.ok(isNetworkError(Object.assign(new Error("x"), { name: "NetworkError", reason: "dns" })));
  assert.ok(isRedirectError(Object.assign(new Error("x"), { name: "RedirectError" })));
  assert.ok(isBodyTooLargeError(Object.assign(new Error("x"), { name: "BodyTooLargeError" })));
});

test("the guards reject look-alikes and non-errors", () => {
  // The DOM's own TimeoutError (AbortSignal.timeout) has no 'kind': not ours.
  assert.not.ok(isTimeoutError(new DOMException("timed out", "TimeoutError")));
  assert.not.ok(isHttpError({ name: "HttpError" }));
  for (const value of [undefined, null, "HttpError", 42, new Error("plain")]) {
    assert.not.ok(isHttpError(value) || isTimeoutError(value) || isNetworkError(value) || isRedirectError(value));
  }
});

test("errors carry their cause and a message that names method and URL", () => {
  const cause = new Error("ECONNRESET");
  const network = new NetworkError({ reason: "reset", detail: "connection reset", method: "GET", url: "http://h/p" }, {
    cause,
  });
  assert.is(network.cause, cause);
  assert.is(network.message, "GET http://h/p failed: connection reset");
  const timeout = new TimeoutError({ kind: "timeout", ms: 1500, method: "PUT", url: "http://h/p" });
  assert.is(timeout.message, "PUT http://h/p timed out after 1500 ms (per-attempt 'timeout')");
  const http = new HttpError({
    status: 418,
    statusText: "I'm a teapot",
    method: "GET",
    url: "http://h/",
    headers: new Headers(),
    bodyPreview: "short\\nand stout",
  });
  assert.match(http.message, /^GET http:\/\/h\/ failed: HTTP 418 I'm a teapot: short/);
});

// The same failure must read the same on Node, Deno and Bun, whose own words differ
// (Bun's refused connection is "Unable to connect. Is the computer able to access the
// url?"): each case names the message every runtime must give, ports aside. The
// runtime's own error stays the cause.

/** Listens on port 0 of `host` and returns the port. */
async function listening(server: net.Server, host = "127.0.0.1"): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

function closeAll(...servers: net.Server[]): Promise<void> {
  return Promise.all(servers.map((server) =>
    new Promise<void>((resolve) => {
      (server as http.Server).closeAllConnections?.();
      server.close(() => resolve());
    })
  )).then(() => {});
}

/** What `get(url)` (no retries) failed with: name, reason and message. */
async function failureVia(url: string, options: Parameters<typeof get>[1]): Promise<Error & { reason?: string }> {
  try {
    await (await get(url, { retry: 0, timeout: 3000, ...options })).text();
  } catch (error) {
    return error as Error & { reason?: string };
  }
  throw new Error(`GET ${url} succeeded`);
}

/**
 * What `get(url)` failed with; on Node through each transport (node:http and fetch), which
 * must fail alike. Node's fetch takes no 'ca': with one, only node:http is asked.
 */
async function failure(url: string, options: Parameters<typeof get>[1] = {}): Promise<Error & { reason?: string }> {
  const transports = options?.ca === undefined ? CLIENT_TRANSPORTS : ["auto" as const];
  const [first, ...others] = await Promise.all(
    transports.map((transport) => failureVia(url, { ...options, transport })),
  );
  for (const [i, other] of others.entries()) {
    const what = `transport '${transports[i + 1]}' against '${transports[0]}'`;
    assert.is(`${other.name}: ${other.message}`, `${first.name}: ${first.message}`, what);
    assert.is(other.reason, first.reason, what);
  }
  return first;
}

function assertNetworkError(error: Error & { reason?: string }, reason: string, message: string): void {
  assert.ok(isNetworkError(error), String(error));
  assert.is(error.message, message);
  assert.is(error.reason, reason, message);
  assert.ok(error.cause !== undefined, "the runtime's own error is kept as the cause");
}

test("a refused connection reads the same on every runtime", async () => {
  const closed = http.createServer();
  const port = await listening(closed);
  await closeAll(closed);
  const url = `http://127.0.0.1:${port}/`;
  assertNetworkError(
    await failure(url),
    "refused",
    `GET ${url} failed: connection refused by 127.0.0.1:${port} (is the server running?)`,
  );
});

test("a DNS failure reads the same on every runtime", async () => {
  assertNetworkError(
    await failure("http://no-such-host.invalid/"),
    "dns",
    "GET http://no-such-host.invalid/ failed: DNS lookup failed: cannot resolve host 'no-such-host.invalid'",
  );
});

test("a connection closed (FIN) or reset (RST) before the answer reads the same on every runtime", async () => {
  const servers = [
    http.createServer((req) => req.socket.destroy()),
    net.createServer((socket) => socket.once("data", () => socket.end())),
    net.createServer((socket) => socket.once("data", () => socket.resetAndDestroy())),
  ];
  try {
    for (const server of servers) {
      const port = await listening(server);
      const url = `http://127.0.0.1:${port}/`;
      assertNetworkError(
        await failure(url),
        "reset",
        `GET ${url} failed: 127.0.0.1:${port} closed or reset the connection before it answered`,
      );
    }
  } finally {
    await closeAll(...servers);
  }
});

test("an answer that is not valid HTTP reads the same on every runtime", async () => {
  const answers = [
    "HTTP/1.1 abc OK\r\n\r\n",
    "HTTP/1.1 200 OK\r\nBad Header\r\nContent-Length: 1\r\n\r\nx",
    "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nx",
  ];
  const servers = answers.map((answer) => net.createServer((socket) => socket.once("data", () => socket.end(answer))));
  try {
    for (const server of servers) {
      const port = await listening(server);
      const url = `http://127.0.0.1:${port}/`;
      const error = await failure(url);
      assertNetworkError(error, "other", `GET ${url} failed: 127.0.0.1:${port} did not answer with valid HTTP`);
    }
  } finally {
    await closeAll(...servers);
  }
});

test("a body that breaks off or is malformed after the headers reads the same on every runtime", async () => {
  const servers = [
    http.createServer((req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("0123456789", () => setTimeout(() => req.socket.destroy(), 50));
    }),
    net.createServer((socket) =>
      socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nx\r\n0\r\n\r\n"))
    ),
  ];
  try {
    for (const server of servers) {
      const port = await listening(server);
      const url = `http://127.0.0.1:${port}/`;
      assertNetworkError(
        await failure(url),
        "body",
        `GET ${url} failed: the response body broke off: the connection closed, or the body was not valid HTTP, ` +
          "before its end",
      );
    }
  } finally {
    await closeAll(...servers);
  }
});

test("https:// to a plain HTTP port reads the same on every runtime", async () => {
  const plain = http.createServer((_req, res) => res.end("plain"));
  try {
    const port = await listening(plain);
    const url = `https://127.0.0.1:${port}/`;
    assertNetworkError(
      await failure(url),
      "tls",
      `GET ${url} failed: TLS failed with 127.0.0.1:${port}: the peer does not speak TLS on this port; is it plain HTTP?`,
    );
  } finally {
    await closeAll(plain);
  }
});

test("a timeout reads the same on every runtime", async () => {
  const silent = http.createServer(() => {});
  try {
    const port = await listening(silent);
    const url = `http://127.0.0.1:${port}/`;
    const error = await failure(url, { timeout: 300 });
    assert.ok(isTimeoutError(error), String(error));
    assert.is(error.message, `GET ${url} timed out after 300 ms (per-attempt 'timeout')`);
  } finally {
    await closeAll(silent);
  }
});

const openssl = hasOpenssl();
if (!openssl) announceSkip("openssl is not installed: the TLS certificate wording tests are skipped");

(openssl ? test : test.skip)(
  "an untrusted certificate and one for another host read the same on every runtime",
  async () => {
    const pki = makeTestPki();
    const handler = (_req: http.IncomingMessage, res: http.ServerResponse) => res.end("secure");
    const servers = [
      https.createServer({ cert: pki.cert, key: pki.key }, handler),
      https.createServer({ cert: pki.cert, key: pki.key }, handler),
    ];
    try {
      const port = await listening(servers[0]);
      for (
        const [url, options] of [[`https://localhost:${port}/`, {}], [`https://localhost:${port}/`, {
          ca: pki.otherCaCert,
        }]] as const
      ) {
        assertNetworkError(
          await failure(url, options),
          "tls",
          `GET ${url} failed: TLS failed with localhost:${port}: the certificate is not trusted; ` +
            "give the CA that issued it with the 'ca' option (--ca in the CLI)",
        );
      }
      // The certificate names localhost and 127.0.0.1; 127.0.0.2 is the same machine under another name.
      const other = await listening(servers[1], "127.0.0.2");
      const url = `https://127.0.0.2:${other}/`;
      assertNetworkError(
        await failure(url, { ca: pki.caCert }),
        "tls",
        `GET ${url} failed: TLS failed with 127.0.0.2:${other}: the certificate is not valid for this host name`,
      );
    } finally {
      await closeAll(...servers);
      pki.cleanup();
    }
  },
);

test.run();
