import { test } from "uvu";
import * as assert from "uvu/assert";
import { createRestApi, del, get, type HttpServer, patch, post, put, request, serve } from "anynet/http";
import { connect } from "anynet/net";

let server: HttpServer;
let keyed: HttpServer;

test.before(async () => {
  server = await serve(createRestApi({ maxBodyBytes: 2048 }), { port: 0, maxBodyBytes: 2048 });
  keyed = await serve(createRestApi({ apiKey: "s3cret" }), { port: 0 });
});
test.after(async () => {
  await Promise.all([server.close(), keyed.close()]);
});

const noThrow = { throwHttpErrors: false, retry: 0 } as const;

test("createRestApi() serves posts, comments and users as JSON", async () => {
  const post1 = await (await get(`${server.url}/posts/1`)).json() as { id: number; userId: number; title: string };
  assert.is(post1.id, 1);
  assert.is(post1.userId, 1);
  assert.type(post1.title, "string");
  const comments = await (await get(`${server.url}/posts/1/comments`)).json() as { postId: number }[];
  assert.is(comments.length, 5);
  assert.ok(comments.every((c) => c.postId === 1));
  const user = await (await get(`${server.url}/users/3`)).json() as { id: number; email: string };
  assert.is(user.id, 3);
  assert.match(user.email, /@/);
  const byUser = await (await get(`${server.url}/posts`, { searchParams: { userId: 2 } })).json() as {
    userId: number;
  }[];
  assert.is(byUser.length, 10);
  assert.ok(byUser.every((p) => p.userId === 2));
});

test("createRestApi() creates, replaces, patches and deletes posts", async () => {
  const created = await post(`${server.url}/posts`, { json: { userId: 1, title: "t", body: "b" } });
  assert.is(created.status, 201);
  const { id } = await created.json() as { id: number };
  assert.ok(id > 100);
  assert.equal(await (await put(`${server.url}/posts/${id}`, { json: { userId: 2, title: "T", body: "B" } })).json(), {
    userId: 2,
    id,
    title: "T",
    body: "B",
  });
  assert.equal(await (await patch(`${server.url}/posts/${id}`, { json: { title: "P" } })).json(), {
    userId: 2,
    id,
    title: "P",
    body: "B",
  });
  assert.is((await del(`${server.url}/posts/${id}`).then(async (r) => (await r.text(), r))).status, 200);
  assert.is((await get(`${server.url}/posts/${id}`, noThrow).then(async (r) => (await r.text(), r))).status, 404);
});

test("createRestApi() answers 400 naming the field, and for malformed JSON", async () => {
  const wrongType = await post(`${server.url}/posts`, { ...noThrow, json: { userId: 1, title: 42, body: "b" } });
  assert.is(wrongType.status, 400);
  assert.equal(await wrongType.json(), { error: "'title' must be a string: got 42", field: "title" });
  const missing = await post(`${server.url}/posts`, { ...noThrow, json: { title: "t", body: "b" } });
  assert.equal((await missing.json() as { field: string }).field, "userId");
  const malformed = await post(`${server.url}/posts`, {
    ...noThrow,
    body: "{oops",
    headers: { "content-type": "application/json" },
  });
  assert.is(malformed.status, 400);
  assert.match((await malformed.json() as { error: string }).error, /malformed JSON body/);
});

test("createRestApi() answers 404 for unknown routes and ids, 405 for wrong methods", async () => {
  for (const path of ["/nope", "/posts/abc", "/posts/9999", "/users/0", "/posts/1/likes"]) {
    const response = await get(`${server.url}${path}`, noThrow);
    assert.is(response.status, 404, path);
    assert.type((await response.json() as { error: string }).error, "string");
  }
  const wrong = await request(`${server.url}/users/1`, { ...noThrow, method: "DELETE" });
  assert.is(wrong.status, 405);
  assert.is(wrong.headers.get("allow"), "GET, HEAD");
  await wrong.text();
});

test("createRestApi() answers 413 for oversized bodies, declared or chunked", async () => {
  const big = { userId: 1, title: "t", body: "x".repeat(5000) };
  const declared = await post(`${server.url}/posts`, { ...noThrow, json: big });
  assert.is(declared.status, 413);
  await declared.text();
  const text = JSON.stringify(big);
  const chunked = await post(`${server.url}/posts`, { ...noThrow, body: new Blob([text]).stream() });
  assert.is(chunked.status, 413);
  await chunked.text();
});

test("createRestApi({ apiKey }) needs Bearer or X-API-Key", async () => {
  const none = await get(`${keyed.url}/posts/1`, noThrow);
  assert.is(none.status, 401);
  assert.match(none.headers.get("www-authenticate") ?? "", /Bearer/);
  await none.text();
  const wrong = await get(`${keyed.url}/posts/1`, { ...noThrow, auth: { bearer: "nope" } });
  assert.is(wrong.status, 401);
  await wrong.text();
  assert.is(
    (await get(`${keyed.url}/posts/1`, { auth: { bearer: "s3cret" } }).then(async (r) => (await r.text(), r))).status,
    200,
  );
  assert.is(
    (await get(`${keyed.url}/posts/1`, { auth: { apiKey: "s3cret" } }).then(async (r) => (await r.text(), r))).status,
    200,
  );
});

test("serve() turns a handler error into 500 and close() is graceful", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const s = await serve(async (req) => {
    if (new URL(req.url).pathname === "/boom") throw new Error("kaboom");
    await gate;
    return new Response("done");
  }, { port: 0 });
  // Without onError the failure is written to the console (caught here to check it).
  const logged: unknown[][] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  let boom;
  try {
    boom = await get(`${s.url}/boom`, noThrow);
  } finally {
    console.error = consoleError;
  }
  assert.is(boom.status, 500);
  assert.is(await boom.text(), "Internal Server Error\n");
  assert.is(logged.length, 1);
  assert.is(logged[0][0], "serve: GET /boom failed:");
  assert.is((logged[0][1] as Error).message, "kaboom");
  const slow = get(`${s.url}/slow`, { retry: 0 });
  await new Promise((r) => setTimeout(r, 100));
  const closed = s.close();
  release();
  assert.is(await (await slow).text(), "done");
  await closed;
});

test("serve() closes when its signal aborts, and onError shapes handler failures", async () => {
  const controller = new AbortController();
  const s = await serve(() => {
    throw new Error("broken");
  }, {
    port: 0,
    signal: controller.signal,
    onError: (error) => new Response(`sorry: ${(error as Error).message}`, { status: 503 }),
  });
  const response = await get(s.url, { ...noThrow });
  assert.is(response.status, 503);
  assert.is(await response.text(), "sorry: broken");
  controller.abort();
  await s.close(); // resolves once the abort-triggered close is done
  try {
    await get(s.url, { retry: 0, timeout: 2000 });
    assert.unreachable("the server still answers");
  } catch (error) {
    assert.is((error as { name: string }).name, "NetworkError");
  }
});

test("serve()'s server is async-disposable: after an 'await using' block its port refuses connections", async () => {
  let port: number;
  {
    await using s = await serve(() => new Response("up"), { port: 0 });
    port = s.addr.port;
    assert.is(await (await get(s.url, { retry: 0 })).text(), "up");
  }
  let refused: unknown;
  try {
    const conn = await connect({ hostname: "127.0.0.1", port, timeout: 3000 });
    conn.close();
  } catch (error) {
    refused = error;
  }
  assert.ok(refused, `port ${port} still accepts connections after the block`);
  assert.is((refused as { code?: string }).code, "ECONNREFUSED", String(refused));
});

test("serve(): a handler result that is not a Response is a handler error (500) on every runtime", async () => {
  // Left to the runtimes, Bun answers 200 with a welcome page, Deno 500 and Node drops the connection.
  const results: Record<string, unknown> = { "/undefined": undefined, "/string": "text", "/object": { ok: true } };
  const s = await serve((req) => results[new URL(req.url).pathname] as Response, {
    port: 0,
    onError: (error) => new Response(`failed: ${(error as Error).message}`, { status: 500 }),
  });
  try {
    const expected: Record<string, string> = {
      "/undefined": "failed: the handler returned undefined instead of a Response",
      "/string": "failed: the handler returned a string ('text') instead of a Response",
      "/object": "failed: the handler returned an object (Object) instead of a Response",
    };
    for (const [path, body] of Object.entries(expected)) {
      const response = await get(`${s.url}${path}`, noThrow);
      assert.is(response.status, 500, path);
      assert.is(await response.text(), body);
    }
  } finally {
    await s.close();
  }
});

test("serve() keeps its own host when the request target looks like another host", async () => {
  const net = await import("node:net");
  const s = await serve((req) => new Response(new URL(req.url).host + " " + new URL(req.url).pathname), { port: 0 });
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(s.addr.port, "127.0.0.1", () => {
        socket.write("GET //evil.example/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      });
      let data = "";
      socket.setEncoding("utf8").on("data", (chunk: string) => (data += chunk)).on("end", () => resolve(data)).on(
        "error",
        reject,
      );
    });
    assert.match(answer, /^HTTP\/1\.1 200/);
    assert.not.match(answer, /evil\.example /);
  } finally {
    await s.close();
  }
});

test("serve() rejects a bad port before listening", async () => {
  try {
    await serve(() => new Response(), { port: 70000 });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, RangeError);
    assert.match((error as Error).message, /'port' must be an integer from 0 to 65535: got 70000/);
  }
  try {
    await serve(() => new Response(), { prot: 0 } as never);
    assert.unreachable("a misspelt option was ignored");
  } catch (error) {
    assert.instance(error, TypeError);
    assert.match((error as Error).message, /^Cannot serve: unknown option 'prot' \(did you mean 'port'\?\)/);
  }
});

test.run();
