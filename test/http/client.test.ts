import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  get,
  head,
  HttpError,
  isBodyTooLargeError,
  isHttpError,
  isNetworkError,
  isRedirectError,
  isTimeoutError,
  post,
  put,
  request,
} from "anynet/http";
import { spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { root, testRuntime } from "../_helpers/env.ts";
import { closedPort, closedWithin, quickRetry, rawServer, withServe } from "../_helpers/http_servers.ts";

test("get() returns status, headers and JSON from serve()", async () => {
  await withServe(
    (req) => Response.json({ path: new URL(req.url).pathname, q: new URL(req.url).searchParams.get("a") }),
    async (server) => {
      const response = await get(`${server.url}/hello`, { searchParams: { a: 1, b: undefined } });
      assert.is(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /application\/json/);
      assert.equal(await response.json(), { path: "/hello", q: "1" });
    },
  );
});

test("request() sends json bodies and auth headers; baseUrl joins paths", async () => {
  await withServe(async (req) =>
    Response.json({
      method: req.method,
      path: new URL(req.url).pathname,
      type: req.headers.get("content-type"),
      auth: req.headers.get("authorization"),
      key: req.headers.get("x-token"),
      body: req.method === "GET" ? null : await req.json(),
    }), async (server) => {
    const a = await (await post("posts", { baseUrl: `${server.url}/api`, json: { x: 1 }, auth: { bearer: "t0k" } }))
      .json();
    assert.equal(a, {
      method: "POST",
      path: "/api/posts",
      type: "application/json",
      auth: "Bearer t0k",
      key: null,
      body: { x: 1 },
    });
    const b = await (await get(`${server.url}/`, { auth: { basic: { username: "ann", password: "pässword" } } }))
      .json() as { auth: string };
    assert.is(b.auth, "Basic " + btoa(String.fromCharCode(...new TextEncoder().encode("ann:pässword"))));
    const c = await (await get(`${server.url}/`, { auth: { apiKey: "k1", header: "X-Token" } })).json() as {
      key: string;
    };
    assert.is(c.key, "k1");
  });
});

test("a 404 raises HttpError with status, method, URL and the start of the body", async () => {
  await withServe(() => new Response("no such thing here", { status: 404 }), async (server) => {
    try {
      await get(`${server.url}/missing`);
      assert.unreachable("should have thrown");
    } catch (error) {
      assert.ok(isHttpError(error));
      assert.instance(error, HttpError);
      const e = error as HttpError;
      assert.is(e.status, 404);
      assert.is(e.method, "GET");
      assert.is(e.url, `${server.url}/missing`);
      assert.is(e.bodyPreview, "no such thing here");
      assert.match(e.message, /GET .*\/missing failed: HTTP 404.*no such thing here/);
    }
    const response = await get(`${server.url}/missing`, { throwHttpErrors: false });
    assert.is(response.status, 404);
    assert.is(await response.text(), "no such thing here");
    try {
      await response.raiseForStatus();
      assert.unreachable();
    } catch (error) {
      assert.ok(isHttpError(error));
    }
  });
});

test("bad arguments raise TypeError/RangeError before any I/O", async () => {
  const cases: [() => Promise<unknown>, RegExp][] = [
    [() => get("not a url"), /invalid URL 'not a url'/],
    [() => get("ftp://example.com/"), /must be http or https/],
    [() => get("http://127.0.0.1:22/"), /port 22 is blocked by fetch/],
    [() => get("http://127.0.0.1:8/", { timeout: -1 }), /'timeout' must be a positive number/],
    // A timer cannot wait longer than 2^31 - 1 ms: a larger limit would fire at once.
    [() => get("http://127.0.0.1:8/", { timeout: 1e12 }), /'timeout' .* at most 2147483647 .*: got 1000000000000/],
    [() => get("http://127.0.0.1:8/", { deadline: 3e9 }), /'deadline' .* at most 2147483647 .*: got 3000000000/],
    [() => get("http://127.0.0.1:8/", { retry: 1.5 }), /'retry.limit' must be an integer/],
    [() => post("http://127.0.0.1:8/", { json: {}, body: "x" }), /'json' or 'body', not both/],
    [() => request("http://127.0.0.1:8/", { method: "BAD METHOD" }), /invalid method/],
    // Node and Deno refused these late, like a network failure (and retried TRACE); Bun sent them.
    [() => request("http://127.0.0.1:8/", { method: "TRACE" }), /method 'TRACE' is forbidden by fetch/],
    [() => request("http://127.0.0.1:8/", { method: "connect" }), /method 'connect' is forbidden by fetch/],
    [() => request("http://127.0.0.1:8/", { method: "TRACK" }), /method 'TRACK' is forbidden by fetch/],
    [() => get("http://127.0.0.1:8/", { body: "x" }), /GET request cannot have a body/],
    // What fetch does not name as a body: Node sends an object as "[object Object]" and an
    // array as "1,2", Bun an array as bytes, Deno fails mid-request. Refused everywhere.
    [
      () => post("http://127.0.0.1:8/", { body: { a: 1 } as never }),
      /'body' must be .*: got an object \(Object\) \(send an object with 'json'\)/,
    ],
    [() => post("http://127.0.0.1:8/", { body: [1, 2] as never }), /'body' must be .*: got an object \(Array\)/],
    [() => post("http://127.0.0.1:8/", { body: 42 as never }), /'body' must be .*: got number 42/],
    [() => post("http://127.0.0.1:8/", { body: () => ({}) as never }), /what the 'body' function returned must be/],
    [() => post("http://127.0.0.1:8/", { json: { n: 1n } }), /'json' cannot be written as JSON: /],
    [
      () => get("http://127.0.0.1:8/", { hooks: { beforeRequest: (() => {}) as never } }),
      /'hooks.beforeRequest' must be an array of functions/,
    ],
    [
      () => get("http://127.0.0.1:8/", { hooks: { afterResponse: [1] as never } }),
      /'hooks.afterResponse' must be an array of functions/,
    ],
    [
      () => get("http://127.0.0.1:8/", { hooks: { beforeResponse: [] } as never }),
      /unknown option 'hooks.beforeResponse' \(/,
    ],
    // A misspelt option would otherwise be ignored, and the default used in silence.
    [
      () => get("http://127.0.0.1:8/", { timout: 500 } as never),
      /unknown option 'timout' \(did you mean 'timeout'\?\)/,
    ],
    [
      () => get("http://127.0.0.1:8/", { credentials: "include" } as never),
      /unknown option 'credentials' \(there are method, /,
    ],
  ];
  for (const [call, message] of cases) {
    try {
      await call();
      assert.unreachable(String(message));
    } catch (error) {
      assert.ok(error instanceof TypeError || error instanceof RangeError, String(error));
      assert.match((error as Error).message, message);
    }
  }
});

test("a 503 is retried with backoff; Retry-After in seconds is honoured", async () => {
  const times: number[] = [];
  await withServe(() => {
    times.push(Date.now());
    return times.length < 3
      ? new Response("busy", { status: 503, headers: times.length === 2 ? { "retry-after": "0" } : {} })
      : new Response("finally");
  }, async (server) => {
    const retries: string[] = [];
    const response = await get(server.url, {
      retry: quickRetry,
      hooks: {
        beforeRetry: [(c) => void retries.push(`${c.retry}/${c.limit} ${c.delay} ${(c.error as HttpError).status}`)],
      },
    });
    assert.is(await response.text(), "finally");
    assert.equal(retries, ["1/2 5 503", "2/2 0 503"]);
  });
});

test("Retry-After as an HTTP date is honoured, and one past maxRetryAfter is not waited for", async () => {
  let calls = 0;
  await withServe(() => {
    calls++;
    return new Response("busy", { status: 503, headers: { "retry-after": new Date(Date.now() + 1500).toUTCString() } });
  }, async (server) => {
    const delays: number[] = [];
    try {
      await get(server.url, {
        retry: { ...quickRetry, limit: 1 },
        hooks: { beforeRetry: [(c) => void delays.push(c.delay)] },
      });
      assert.unreachable();
    } catch (error) {
      assert.ok(isHttpError(error));
    }
    assert.is(calls, 2);
    assert.ok(delays[0] > 0 && delays[0] <= 1500, String(delays[0]));
    calls = 0;
    try {
      await get(server.url, { retry: { ...quickRetry, maxRetryAfter: 100 } });
      assert.unreachable();
    } catch (error) {
      assert.is((error as HttpError).status, 503);
    }
    assert.is(calls, 1);
  });
});

test("Retry-After past the deadline is not waited for", async () => {
  let calls = 0;
  await withServe(
    () => (calls++, new Response("later", { status: 429, headers: { "retry-after": "5" } })),
    async (server) => {
      const started = Date.now();
      try {
        await get(server.url, { deadline: 1000 });
        assert.unreachable();
      } catch (error) {
        assert.is((error as HttpError).status, 429);
      }
      assert.is(calls, 1);
      assert.ok(Date.now() - started < 900);
    },
  );
});

test("POST is not retried by default; it is when asked", async () => {
  let calls = 0;
  await withServe(() => (calls++, new Response("down", { status: 503 })), async (server) => {
    try {
      await post(server.url, { json: { a: 1 }, retry: quickRetry });
      assert.unreachable();
    } catch (error) {
      assert.is((error as HttpError).status, 503);
    }
    assert.is(calls, 1);
    calls = 0;
    await post(server.url, { json: { a: 1 }, retry: { ...quickRetry, methods: ["POST"] }, throwHttpErrors: false })
      .then((r) => r.text());
    assert.is(calls, 3);
  });
});

test("a 400 is not retried", async () => {
  let calls = 0;
  await withServe(() => (calls++, new Response("bad", { status: 400 })), async (server) => {
    await get(server.url, { retry: quickRetry }).catch(() => {});
    assert.is(calls, 1);
  });
});

test("a refused connection is a NetworkError with reason 'refused', retried", async () => {
  const port = await closedPort();
  const retries: number[] = [];
  try {
    await get(`http://127.0.0.1:${port}/`, {
      retry: quickRetry,
      hooks: { beforeRetry: [(c) => void retries.push(c.retry)] },
    });
    assert.unreachable();
  } catch (error) {
    assert.ok(isNetworkError(error), String(error));
    assert.is((error as { reason: string }).reason, "refused");
    assert.match((error as Error).message, /connection refused/);
    assert.ok((error as Error).cause !== undefined);
  }
  assert.equal(retries, [1, 2]);
});

test("a DNS failure is a NetworkError with reason 'dns'", async () => {
  try {
    await get("http://no-such-host.invalid/", { retry: 0 });
    assert.unreachable();
  } catch (error) {
    assert.ok(isNetworkError(error), String(error));
    assert.is((error as { reason: string }).reason, "dns");
  }
});

test("a connection reset is a NetworkError with reason 'reset'", async () => {
  const server = await rawServer((req) => req.socket.destroy());
  try {
    await get(server.url, { retry: 0 });
    assert.unreachable();
  } catch (error) {
    assert.ok(isNetworkError(error), String(error));
    assert.is((error as { reason: string }).reason, "reset");
  } finally {
    await server.close();
  }
});

test("a body that breaks off after the headers is a NetworkError with reason 'body' on every runtime", async () => {
  // Node and Bun call this a reset, Deno a body error: the client names it one way.
  const server = await rawServer((req, res) => {
    res.writeHead(200, { "content-length": "100" });
    res.write("0123456789", () => setTimeout(() => req.socket.destroy(), 50));
  });
  try {
    const response = await get(server.url, { retry: 0 });
    assert.is(response.status, 200);
    await response.text();
    assert.unreachable("a body 90 bytes short was read as complete");
  } catch (error) {
    assert.ok(isNetworkError(error), String(error));
    assert.is((error as { reason: string }).reason, "body");
    assert.match((error as Error).message, /failed: the response body broke off: /);
  } finally {
    await server.close();
  }
});

test("timeout fires on a server that never answers; TimeoutError says which limit", async () => {
  const server = await rawServer(() => {});
  try {
    const started = Date.now();
    try {
      await get(server.url, { timeout: 150, retry: 0 });
      assert.unreachable();
    } catch (error) {
      assert.ok(isTimeoutError(error), String(error));
      assert.is((error as { kind: string }).kind, "timeout");
      assert.match((error as Error).message, /timed out after 150 ms/);
    }
    assert.ok(Date.now() - started < 3000);
    // The request is aborted, not abandoned: its connection is closed.
    await closedWithin(server.seen[0].socket, 2000);
    // Timeouts are not retried unless asked.
    assert.is(server.seen.length, 1);
    await get(server.url, { timeout: 100, retry: { ...quickRetry, retryOnTimeout: true, limit: 1 } }).catch(() => {});
    assert.is(server.seen.length, 3);
  } finally {
    await server.close();
  }
});

test("a deadline that leaves no room for the next wait ends the retries as a deadline TimeoutError", async () => {
  const server = await rawServer(() => {});
  try {
    const started = performance.now();
    try {
      // The first attempt times out after 100 ms; the next wait (2 s, no jitter) cannot fit
      // before the 1 s deadline, so the deadline is what stops the request, at once.
      await get(server.url, {
        timeout: 100,
        deadline: 1000,
        retry: { limit: 5, retryOnTimeout: true, backoffBase: 2000, jitter: false },
      });
      assert.unreachable();
    } catch (error) {
      assert.ok(isTimeoutError(error), String(error));
      assert.is((error as { kind: string }).kind, "deadline");
      assert.ok(isTimeoutError((error as Error).cause), "the last attempt's timeout is the cause");
      assert.is(((error as Error).cause as { kind: string }).kind, "timeout");
    }
    // Not waited out: a wait for the backoff would have run into the deadline (1000 ms).
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1000, `the retries ended after ${elapsed.toFixed(0)} ms, not at once`);
    // At most the one attempt (on a loaded machine its request may not have reached the
    // server within its 100 ms).
    assert.ok(server.seen.length <= 1, `${server.seen.length} attempts reached the server`);
  } finally {
    await server.close();
  }
});

test("timeout covers the body: a server that stalls mid-body times out", async () => {
  const server = await rawServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("first part ");
  });
  try {
    const response = await get(server.url, { timeout: 200, retry: 0 });
    assert.is(response.status, 200);
    try {
      await response.text();
      assert.unreachable();
    } catch (error) {
      assert.ok(isTimeoutError(error), String(error));
    }
    await closedWithin(server.seen[0].socket, 2000);
  } finally {
    await server.close();
  }
});

test("the deadline bounds all attempts and waits", async () => {
  const server = await rawServer(() => {});
  try {
    const started = Date.now();
    try {
      await get(server.url, { timeout: 10_000, deadline: 250 });
      assert.unreachable();
    } catch (error) {
      assert.ok(isTimeoutError(error), String(error));
      assert.is((error as { kind: string }).kind, "deadline");
      assert.match((error as Error).message, /deadline of 250 ms/);
    }
    assert.ok(Date.now() - started < 3000);
  } finally {
    await server.close();
  }
});

test("the caller's signal cancels a backoff wait", async () => {
  let calls = 0;
  await withServe(() => (calls++, new Response("busy", { status: 503 })), async (server) => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = get(server.url, {
      retry: { backoffBase: 60_000, backoffMax: 60_000, jitter: false },
      signal: controller.signal,
      hooks: { beforeRetry: [() => void setTimeout(() => controller.abort(new Error("stop now")), 20)] },
    });
    try {
      await pending;
      assert.unreachable();
    } catch (error) {
      assert.is((error as Error).message, "stop now");
    }
    assert.is(calls, 1);
    assert.ok(Date.now() - started < 5000);
  });
});

test("the caller's signal cancels a request in flight", async () => {
  const server = await rawServer(() => {});
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    try {
      await get(server.url, { signal: controller.signal });
      assert.unreachable();
    } catch (error) {
      assert.is((error as Error).name, "AbortError");
    }
  } finally {
    await server.close();
  }
});

test("redirects are followed up to maxRedirects", async () => {
  await withServe((req) => {
    const n = Number(new URL(req.url).pathname.slice(1));
    return n > 0 ? new Response(null, { status: 302, headers: { location: `/${n - 1}` } }) : new Response("landed");
  }, async (server) => {
    const response = await get(`${server.url}/3`);
    assert.is(await response.text(), "landed");
    assert.is(response.redirects, 3);
    assert.is(response.url, `${server.url}/0`);
    try {
      await get(`${server.url}/3`, { maxRedirects: 2 });
      assert.unreachable();
    } catch (error) {
      assert.ok(isRedirectError(error), String(error));
      assert.match((error as Error).message, /too many redirects/);
    }
  });
});

test("calls without options repeated to one URL send the same request each time, redirects still the client's", async () => {
  const seen: string[] = [];
  await withServe((req) => {
    const path = new URL(req.url).pathname;
    seen.push(`${req.method} ${path} ${req.headers.get("user-agent")}`);
    return path === "/from" ? new Response(null, { status: 302, headers: { location: "/to" } }) : new Response("here");
  }, async (server) => {
    for (let call = 0; call < 3; call++) {
      const response = await get(`${server.url}/from`);
      assert.is(await response.text(), "here");
      assert.is(response.redirects, 1);
      assert.is(response.url, `${server.url}/to`);
      assert.is((await head(`${server.url}/to`)).status, 200);
    }
  });
  assert.is(seen.length, 9);
  const agent = seen[0].split(" ").slice(2).join(" ");
  assert.match(agent, /^anynet\//);
  assert.equal(seen, [0, 1, 2].flatMap(() => [`GET /from ${agent}`, `GET /to ${agent}`, `HEAD /to ${agent}`]));
});

test("303 turns POST into GET; 307 keeps method and body", async () => {
  await withServe(async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/see-other") return new Response(null, { status: 303, headers: { location: "/echo" } });
    if (path === "/temporary") return new Response(null, { status: 307, headers: { location: "/echo" } });
    return Response.json({ method: req.method, body: await req.text() });
  }, async (server) => {
    assert.equal(await (await post(`${server.url}/see-other`, { body: "data" })).json(), { method: "GET", body: "" });
    assert.equal(await (await post(`${server.url}/temporary`, { body: "data" })).json(), {
      method: "POST",
      body: "data",
    });
  });
});

test("maxBodyBytes aborts a body that grows too large", async () => {
  const big = "x".repeat(64 * 1024);
  const server = await rawServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" }); // chunked: no declared length
    res.write(big);
    res.end(big);
  });
  try {
    try {
      await (await get(server.url, { maxBodyBytes: 1000 })).text();
      assert.unreachable();
    } catch (error) {
      assert.ok(isBodyTooLargeError(error), String(error));
    }
    const ok = await (await get(server.url, { maxBodyBytes: 200_000 })).text();
    assert.is(ok.length, 2 * big.length);
    const stream = (await get(server.url, { maxBodyBytes: 1000 })).body!;
    try {
      for await (const _ of stream as unknown as AsyncIterable<Uint8Array>) { /* read */ }
      assert.unreachable();
    } catch (error) {
      assert.ok(isBodyTooLargeError(error), String(error));
    }
  } finally {
    await server.close();
  }
});

test("json() validates and names bad JSON", async () => {
  await withServe(() => new Response("{not json"), async (server) => {
    try {
      await (await get(server.url)).json();
      assert.unreachable();
    } catch (error) {
      assert.instance(error, SyntaxError);
      assert.match((error as Error).message, /not valid JSON/);
    }
  });
  await withServe(() => Response.json({ id: "1" }), async (server) => {
    const check = (v: unknown) => {
      if (typeof (v as { id?: unknown }).id !== "number") throw new TypeError("id must be a number");
      return v as { id: number };
    };
    try {
      await (await get(server.url)).json(check);
      assert.unreachable();
    } catch (error) {
      assert.is((error as Error).message, "id must be a number");
    }
  });
});

test("a stream body is not retried without a factory; a factory makes it retryable", async () => {
  const bodies: string[] = [];
  await withServe(async (req) => {
    bodies.push(await req.text());
    return new Response("busy", { status: 503 });
  }, async (server) => {
    const stream = () => new Blob(["streamed"]).stream();
    await request(server.url, { method: "PUT", body: stream(), retry: quickRetry }).catch(() => {});
    assert.is(bodies.length, 1);
    await request(server.url, { method: "PUT", body: stream, retry: quickRetry }).catch(() => {});
    assert.equal(bodies, ["streamed", "streamed", "streamed", "streamed"]);
  });
});

test("a body factory that fails on a retry ends the request with its own error, unretried", async () => {
  let calls = 0;
  await withServe(() => new Response("busy", { status: 503 }), async (server) => {
    try {
      await put(`${server.url}/`, {
        body: () => (++calls === 1 ? "first" : ({ not: "a body" }) as never),
        retry: quickRetry,
      });
      assert.unreachable("the bad second body was sent");
    } catch (error) {
      assert.instance(error, TypeError);
      assert.match((error as Error).message, /what the 'body' function returned must be/);
    }
    assert.is(calls, 2);
  });
});

test("hooks: beforeRequest edits headers, afterResponse sees each response", async () => {
  await withServe((req) => new Response(req.headers.get("x-hook") ?? "none"), async (server) => {
    const seen: number[] = [];
    const response = await get(server.url, {
      hooks: {
        beforeRequest: [(c) => c.headers.set("x-hook", `attempt ${c.attempt}`)],
        afterResponse: [(r) => void seen.push(r.status)],
      },
    });
    assert.is(await response.text(), "attempt 0");
    assert.equal(seen, [200]);
  });
});

test("head() and a 204 have no body; serve() keeps repeated Set-Cookie headers", async () => {
  await withServe((req) => {
    if (new URL(req.url).pathname === "/empty") return new Response(null, { status: 204 });
    const headers = new Headers({ "content-type": "text/plain" });
    headers.append("set-cookie", "a=1");
    headers.append("set-cookie", "b=2");
    return new Response("some body", { headers });
  }, async (server) => {
    const headResponse = await head(server.url);
    assert.is(headResponse.status, 200);
    assert.is((await headResponse.bytes()).byteLength, 0);
    const empty = await get(`${server.url}/empty`);
    assert.is(empty.status, 204);
    assert.is(await empty.text(), "");
    const full = await get(server.url);
    assert.equal(full.headers.getSetCookie(), ["a=1", "b=2"]);
    assert.is(await full.text(), "some body");
  });
});

test("the longest timeout a timer allows (2^31 - 1 ms) does not fire at once", async () => {
  // The request's deadline lands on the next 25 ms slot, up to 25 ms past what one timer
  // can wait: the slot's timer must get there in two steps, not overflow and fire now.
  const slowly = () => new Promise<Response>((resolve) => setTimeout(() => resolve(new Response("in time")), 100));
  await withServe(slowly, async (server) => {
    const response = await get(`${server.url}/`, { timeout: 2 ** 31 - 1, retry: 0 });
    assert.is(await response.text(), "in time");
  });
});

for (const read of ["read", "unread"]) {
  test(`a finished client exits at once: nothing the client keeps holds the process (body ${read})`, async () => {
    await withServe(() => new Response("fine"), async (server) => {
      const script = join(root, "test", "http", "fixtures_exit_after_get.mjs");
      const args = [script, `${server.url}/`, read];
      const started = Date.now();
      const child = spawn(process.execPath, testRuntime === "deno" ? ["run", "-A", ...args] : args, {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout!.setEncoding("utf8").on("data", (s: string) => (out += s));
      const code = await new Promise<number | null>((resolve) => {
        // Far below the request's 60 s timeout, far above a runtime's start-up.
        const guard = setTimeout(() => child.kill("SIGKILL"), 15_000);
        child.on("exit", (c) => {
          clearTimeout(guard);
          resolve(c);
        });
      });
      const ms = Date.now() - started;
      assert.is(code, 0, `the client should exit by itself with 0 (got ${code} after ${ms} ms)`);
      assert.is(out.trim(), read === "read" ? "fine" : "200");
      // The server keeps idle connections for seconds: an exit this soon is not its doing.
      assert.ok(ms < 4000, `the client took ${ms} ms to exit`);
    });
  });
}

test("a process's first request times out and is aborted too (on Node, before the abort hook is proven)", async () => {
  const server = await rawServer(() => {});
  try {
    const script = join(root, "test", "http", "fixtures_first_request_timeout.mjs");
    const args = testRuntime === "deno" ? ["run", "-A", script, server.url] : [script, server.url];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let text = "";
        const guard = setTimeout(() => reject(new Error(`no answer from the child in 15 s: '${text}'`)), 15_000);
        child.stdout!.setEncoding("utf8").on("data", (s: string) => {
          text += s;
          if (text.includes("\n")) {
            clearTimeout(guard);
            resolve(text.trim());
          }
        });
      });
      const [name, kind, ms] = out.split(" ");
      assert.is(`${name} ${kind}`, "TimeoutError timeout", out);
      assert.ok(Number(ms) >= 300 && Number(ms) < 3000, `timed out after ${ms} ms`);
      assert.is(server.seen.length, 1);
      // The child is still running: the connection is closed by the abort, not by an exit.
      await closedWithin(server.seen[0].socket, 1500);
    } finally {
      child.kill("SIGKILL");
    }
  } finally {
    await server.close();
  }
});

test.run();
