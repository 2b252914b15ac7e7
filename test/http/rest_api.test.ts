import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  createRestApi,
  del,
  get,
  type HttpResponse,
  type HttpServer,
  patch,
  post,
  put,
  request,
  restApiErrorResponse,
  serve,
} from "anynet/http";
import { connect } from "anynet/net";
import { RawConnection } from "../_helpers/http_raw.ts";

let server: HttpServer;
let keyed: HttpServer;

test.before(async () => {
  const errorResponse = restApiErrorResponse;
  server = await serve(createRestApi({ maxBodyBytes: 2048 }), { port: 0, maxBodyBytes: 2048, errorResponse });
  keyed = await serve(createRestApi({ apiKey: "s3cret" }), { port: 0, errorResponse });
});
test.after(async () => {
  await Promise.all([server.close(), keyed.close()]);
});

const noThrow = { throwHttpErrors: false, retry: 0 } as const;
const asJson = { "content-type": "application/json" } as const;

/** Checks that `response` is a JSON error with `status`, and returns its body. */
async function jsonError(
  response: HttpResponse,
  status: number,
  what: string,
): Promise<{ error: string; field?: string }> {
  assert.is(response.status, status, what);
  assert.is(response.headers.get("content-type"), "application/json; charset=utf-8", what);
  const body = await response.json() as { error: string; field?: string };
  assert.type(body.error, "string", what);
  return body;
}

/** Nested arrays, `depth` deep, as JSON text. */
function nested(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

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
  const chunked = await post(`${server.url}/posts`, {
    ...noThrow,
    body: new Blob([text]).stream(),
    headers: asJson,
  });
  assert.is(chunked.status, 413);
  await chunked.text();
});

test("createRestApi() answers a GET without reading its headers (each runtime builds them on first use)", async () => {
  const api = createRestApi();
  const untouched = (url: string, method = "GET") => {
    const request = new Request(url, { method });
    Object.defineProperty(request, "headers", {
      get() {
        throw new Error(`${method} ${url} read the request's headers`);
      },
    });
    return request;
  };
  for (const url of ["http://api.test/posts/1", "http://api.test/posts?_limit=2", "http://api.test/users/1"]) {
    const response = await api(untouched(url), { remoteAddr: { hostname: "127.0.0.1", port: 1 } });
    assert.is(response.status, 200, url);
    await response.text();
  }
  // A body to read needs them: its declared length and type are checked first.
  const info = { remoteAddr: { hostname: "127.0.0.1", port: 1 } };
  const failed = await Promise.resolve(api(untouched("http://api.test/posts", "POST"), info)).then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.match(String(failed), /POST http:\/\/api\.test\/posts read the request's headers/);
});

test("createRestApi() served with restApiErrorResponse answers every error as JSON, serve()'s own included", async () => {
  const big = JSON.stringify({ userId: 1, title: "t", body: "x".repeat(5000) });
  // Declared over serve()'s limit (answered by serve() before the API runs), then chunked.
  await jsonError(await post(`${server.url}/posts`, { ...noThrow, body: big, headers: asJson }), 413, "declared");
  await jsonError(
    await post(`${server.url}/posts`, { ...noThrow, body: new Blob([big]).stream(), headers: asJson }),
    413,
    "chunked",
  );
  await jsonError(await get(`${server.url}/nope`, noThrow), 404, "route");
  await jsonError(await request(`${server.url}/users`, { ...noThrow, method: "POST" }), 405, "method");
  await jsonError(await get(`${keyed.url}/posts/1`, noThrow), 401, "key");
  await jsonError(await post(`${server.url}/posts`, { ...noThrow, json: { title: 1 } }), 400, "field");
  await jsonError(
    await post(`${server.url}/posts`, { ...noThrow, body: "{}", headers: { "content-type": "text/plain" } }),
    415,
    "type",
  );
  // A method serve() refuses itself (fetch cannot send it).
  const raw = await RawConnection.open(server.addr.port);
  try {
    raw.write("TRACE /posts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const traced = await raw.response();
    assert.is(traced.status, 501);
    assert.is(traced.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(JSON.parse(traced.body), { error: "TRACE is not supported" });
  } finally {
    raw.destroy();
  }
});

test("restApiErrorResponse shapes serve()'s 408 for a slow body and 500 for a failing handler", async () => {
  const api = createRestApi();
  const s = await serve((req, info) => {
    if (new URL(req.url).pathname === "/boom") throw new Error("kaboom");
    return api(req, info);
  }, {
    port: 0,
    bodyTimeout: 500,
    errorResponse: restApiErrorResponse,
    onError: () => restApiErrorResponse(500, "internal error"),
  });
  try {
    await jsonError(await get(`${s.url}/boom`, noThrow), 500, "handler error");
    const raw = await RawConnection.open(s.addr.port);
    try {
      raw.write("POST /posts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
      const slow = await raw.response(10_000);
      assert.is(slow.status, 408);
      assert.equal(JSON.parse(slow.body), { error: "the request body did not arrive within 500 ms" });
    } finally {
      raw.destroy();
    }
  } finally {
    await s.close();
  }
});

test("createRestApi() takes JSON bodies only: text/plain or no Content-Type is 415; parameters and +json are fine", async () => {
  const fields = JSON.stringify({ userId: 1, title: "t", body: "b" });
  for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/jsonp", undefined]) {
    const response = await post(`${server.url}/posts`, {
      ...noThrow,
      // Bytes, so that fetch adds no Content-Type of its own (it adds text/plain for a string).
      body: new TextEncoder().encode(fields),
      headers: type ? { "content-type": type } : {},
    });
    const { error } = await jsonError(response, 415, String(type));
    assert.match(error, /^the body must be JSON \(Content-Type: application\/json\): got /);
  }
  for (const type of ["application/json; charset=utf-8", "Application/JSON", "application/vnd.api+json"]) {
    const response = await post(`${server.url}/posts`, { ...noThrow, body: fields, headers: { "content-type": type } });
    assert.is(response.status, 201, type);
    await response.text();
  }
  const patched = await patch(`${server.url}/posts/3`, {
    ...noThrow,
    body: JSON.stringify({ title: "merged" }),
    headers: { "content-type": "application/merge-patch+json" },
  });
  assert.is(patched.status, 200);
  assert.is((await patched.json() as { title: string }).title, "merged");
});

test("createRestApi() checks own keys only: __proto__, toString and constructor are unknown fields", async () => {
  const sneaky = '{"__proto__": {"userId": 1, "title": "t", "body": "b"}}';
  const created = await post(`${server.url}/posts`, { ...noThrow, body: sneaky, headers: asJson });
  const body = await jsonError(created, 400, "__proto__");
  assert.equal(body, { error: 'unknown field "__proto__" (expected userId, title, body)', field: "__proto__" });
  for (const field of ["toString", "constructor", "hasOwnProperty"]) {
    const response = await patch(`${server.url}/posts/4`, { ...noThrow, body: `{"${field}": "x"}`, headers: asJson });
    assert.is((await jsonError(response, 400, field)).field, field);
  }
  const post4 = await (await get(`${server.url}/posts/4`)).json() as Record<string, unknown>;
  assert.equal(Object.keys(post4).sort(), ["body", "id", "title", "userId"]);
});

test("createRestApi() refuses JSON nested deeper than 32 levels, and GET /posts keeps working", async () => {
  const s = await serve(createRestApi(), { port: 0, errorResponse: restApiErrorResponse });
  try {
    for (const text of [`{"title": ${nested(20_000)}}`, `{"toString": ${nested(20_000)}}`, nested(33)]) {
      const response = await patch(`${s.url}/posts/2`, { ...noThrow, body: text, headers: asJson });
      assert.equal(await jsonError(response, 400, text.slice(0, 20)), {
        error: "the JSON body nests deeper than 32 levels",
      });
    }
    // 32 levels parse; the value is then refused as a field of the wrong type.
    const deep = await patch(`${s.url}/posts/2`, { ...noThrow, body: `{"title": ${nested(31)}}`, headers: asJson });
    assert.equal(await jsonError(deep, 400, "31 deep"), {
      error: "'title' must be a string: got an array",
      field: "title",
    });
    const list = await get(`${s.url}/posts`, noThrow);
    assert.is(list.status, 200);
    assert.is((await list.json() as unknown[]).length, 100);
  } finally {
    await s.close();
  }
});

test("createRestApi({ maxStoreBytes }) answers 507 past the limit, and takes posts again after a delete", async () => {
  const s = await serve(createRestApi({ maxStoreBytes: 100_000 }), { port: 0, errorResponse: restApiErrorResponse });
  try {
    const fields = { userId: 1, title: "t", body: "x".repeat(5000) };
    const ids: number[] = [];
    let full: HttpResponse | undefined;
    for (let i = 0; i < 100 && !full; i++) {
      const response = await post(`${s.url}/posts`, { ...noThrow, json: fields });
      if (response.status === 201) ids.push((await response.json() as { id: number }).id);
      else full = response;
    }
    assert.ok(full, "100 posts of 5 kB fitted in a store of 100 kB");
    assert.ok(ids.length >= 5 && ids.length < 20, `${ids.length} posts fitted`);
    const { error } = await jsonError(full, 507, "full");
    assert.match(
      error,
      /^the store is full: it holds at most 100000 bytes of posts \(\d+ in use, this post needs \d+\); delete posts to make room$/,
    );
    // Growing a post is a write too.
    const grown = await put(`${s.url}/posts/1`, { ...noThrow, json: { ...fields, body: "y".repeat(9000) } });
    await jsonError(grown, 507, "grown");
    assert.is((await del(`${s.url}/posts/${ids[0]}`)).status, 200);
    const again = await post(`${s.url}/posts`, { ...noThrow, json: fields });
    assert.is(again.status, 201);
    await again.text();
  } finally {
    await s.close();
  }
});

test("GET /posts answers a bounded page: at most 100 posts and 1 MiB, X-Total-Count and a next link", async () => {
  const s = await serve(createRestApi(), { port: 0, errorResponse: restApiErrorResponse });
  try {
    // 20 posts of 60 kB each after the 100 seeded ones.
    for (let i = 0; i < 20; i++) {
      const created = await post(`${s.url}/posts`, {
        json: { userId: 2, title: `big ${i}`, body: "z".repeat(60_000) },
      });
      await created.text();
    }
    const first = await get(`${s.url}/posts`);
    assert.is(first.headers.get("x-total-count"), "120");
    assert.is((await first.json() as unknown[]).length, 100);
    assert.ok(first.headers.get("link")?.includes("_start=100"), first.headers.get("link") ?? "no link");
    const second = await get(`${s.url}/posts?_start=100`);
    const page = await second.json() as { id: number }[];
    // 1 MiB holds 17 of the 60 kB posts.
    assert.ok(page.length > 1 && page.length < 20, `${page.length} posts on the second page`);
    assert.is(page[0].id, 101);
    assert.match(second.headers.get("link") ?? "", new RegExp(`^</posts\\?_start=${100 + page.length}>; rel="next"$`));
    const small = await get(`${s.url}/posts?userId=1&_limit=3`);
    assert.equal((await small.json() as { id: number }[]).map((p) => p.id), [1, 2, 3]);
    assert.is(small.headers.get("x-total-count"), "10");
    assert.match(small.headers.get("link") ?? "", /_start=3/);
    for (const query of ["_limit=0", "_limit=101", "_start=-1", "_limit=x"]) {
      const bad = await get(`${s.url}/posts?${query}`, noThrow);
      assert.is((await jsonError(bad, 400, query)).field, query.split("=")[0]);
    }
  } finally {
    await s.close();
  }
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
