import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  get,
  type HttpError,
  isBodyTooLargeError,
  isHttpError,
  isRedirectError,
  isTimeoutError,
  post,
  request,
} from "anynet/http";
import { announceSkip } from "../_helpers/env.ts";
import {
  hasPython,
  type PythonServer,
  startPythonFixture,
  startPythonNoAccept,
  startPythonStatic,
} from "../_helpers/http_python.ts";
import { quickRetry } from "../_helpers/http_servers.ts";

const python = hasPython();
if (!python) announceSkip("python3 is not installed: the tests against python's http.server are skipped");
const pyTest = python ? test : test.skip;

let fixture: PythonServer | undefined;
let staticServer: PythonServer | undefined;
let dir: string | undefined;

test.before(async () => {
  if (!python) return;
  dir = mkdtempSync(join(tmpdir(), "anynet-py-"));
  writeFileSync(join(dir, "hello.json"), JSON.stringify({ served: "by python -m http.server" }));
  [fixture, staticServer] = await Promise.all([startPythonFixture(), startPythonStatic(dir)]);
});

test.after(async () => {
  await Promise.all([fixture?.stop(), staticServer?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let unique = 0;
const id = () => `t${Date.now()}-${unique++}`;

pyTest("get() reads a file from python -m http.server, and a 404 from it is an HttpError", async () => {
  const response = await get(`${staticServer!.url}/hello.json`);
  assert.is(response.status, 200);
  assert.equal(await response.json(), { served: "by python -m http.server" });
  try {
    await get(`${staticServer!.url}/missing.txt`);
    assert.unreachable();
  } catch (error) {
    assert.ok(isHttpError(error));
    assert.is((error as HttpError).status, 404);
  }
});

pyTest("status handling and JSON against python", async () => {
  assert.equal(await (await post(`${fixture!.url}/json`, { body: "abc" })).json(), {
    hello: "python",
    method: "POST",
    body: "abc",
  });
  for (const status of [400, 401, 403, 500]) {
    try {
      await get(`${fixture!.url}/status/${status}`, { retry: 0 });
      assert.unreachable();
    } catch (error) {
      assert.is((error as HttpError).status, status);
      assert.is((error as HttpError).bodyPreview, `status ${status} from python`);
    }
  }
  const created = await get(`${fixture!.url}/status/201`);
  assert.is(created.status, 201);
  await created.text();
});

pyTest("a 503 from python is retried, with and without Retry-After", async () => {
  const plain = id();
  assert.is(await (await get(`${fixture!.url}/flaky/${plain}/2`, { retry: quickRetry })).text(), "recovered after 2");
  const delays: number[] = [];
  const withHeader = id();
  const response = await get(`${fixture!.url}/flaky/${withHeader}/1?retry_after=1`, {
    retry: quickRetry,
    hooks: { beforeRetry: [(c) => void delays.push(c.delay)] },
  });
  assert.is(await response.text(), "recovered after 1");
  assert.equal(delays, [1000]);
});

pyTest("POST to a failing python endpoint is not retried", async () => {
  const key = id();
  try {
    await post(`${fixture!.url}/flaky/${key}/5`, { body: "x", retry: quickRetry });
    assert.unreachable();
  } catch (error) {
    assert.is((error as HttpError).status, 503);
  }
  // The count route is itself counted under its own key; read the POST's count.
  assert.is(await (await get(`${fixture!.url}/count/${key}`)).text(), "1");
});

pyTest("timeouts against python: never answering, stalling mid-body, and the deadline", async () => {
  try {
    await get(`${fixture!.url}/hang`, { timeout: 200, retry: 0 });
    assert.unreachable();
  } catch (error) {
    assert.ok(isTimeoutError(error), String(error));
    assert.is((error as { kind: string }).kind, "timeout");
  }
  const stalled = await get(`${fixture!.url}/stall`, { timeout: 300, retry: 0 });
  try {
    await stalled.text();
    assert.unreachable();
  } catch (error) {
    assert.ok(isTimeoutError(error), String(error));
  }
  try {
    await get(`${fixture!.url}/hang`, {
      timeout: 150,
      deadline: 400,
      retry: { ...quickRetry, retryOnTimeout: true, limit: 10 },
    });
    assert.unreachable();
  } catch (error) {
    assert.ok(isTimeoutError(error), String(error));
    assert.is((error as { kind: string }).kind, "deadline");
  }
});

pyTest("redirect limits against python", async () => {
  const response = await get(`${fixture!.url}/redirect/3`);
  assert.is(await response.text(), "redirects done");
  try {
    await get(`${fixture!.url}/redirect/4`, { maxRedirects: 3 });
    assert.unreachable();
  } catch (error) {
    assert.ok(isRedirectError(error), String(error));
  }
});

pyTest("credentials are dropped on python's redirect to another origin (127.0.0.1 → localhost)", async () => {
  const port = new URL(fixture!.url).port;
  const to = encodeURIComponent(`http://localhost:${port}/headers`);
  const headers = {
    authorization: "Bearer s",
    cookie: "a=b",
    "proxy-authorization": "Basic eDp5",
    "X-Auth-Token": "t",
    "X-API-Key": "k2",
    "x-trace": "t1",
  };
  const away = await (await get(`${fixture!.url}/away?to=${to}`, { headers, auth: { apiKey: "k", header: "X-Key" } }))
    .json() as Record<string, string>;
  for (const name of ["authorization", "cookie", "proxy-authorization", "x-auth-token", "x-api-key", "x-key"]) {
    assert.is(away[name], undefined, name);
  }
  assert.is(away["x-trace"], "t1");
  const home =
    await (await get(`${fixture!.url}/away?to=/headers`, { headers, auth: { apiKey: "k", header: "X-Key" } }))
      .json() as Record<string, string>;
  assert.is(home.authorization, "Bearer s");
  assert.is(home["x-auth-token"], "t");
  assert.is(home["x-key"], "k");
});

pyTest("maxBodyBytes stops a python body without a declared length", async () => {
  try {
    await (await get(`${fixture!.url}/big/100000`, { maxBodyBytes: 50_000 })).bytes();
    assert.unreachable();
  } catch (error) {
    assert.ok(isBodyTooLargeError(error), String(error));
  }
  assert.is((await (await get(`${fixture!.url}/big/100000`, { maxBodyBytes: 100_000 })).bytes()).byteLength, 100_000);
});

pyTest("HEAD against python has no body", async () => {
  const response = await request(`${fixture!.url}/json`, { method: "HEAD" });
  assert.is(response.status, 200);
  assert.is((await response.bytes()).byteLength, 0);
});

pyTest("a timeout fires at its limit while the connection is still being made (full backlog)", async () => {
  const server = await startPythonNoAccept();
  const port = Number(new URL(server.url).port);
  const fillers: Socket[] = [];
  try {
    // Warm up the client first: on Node the first request sets up fetch's dispatcher.
    await (await get(`${fixture!.url}/status/200`)).text();
    for (let i = 0; i < 4; i++) fillers.push(connect(port, "127.0.0.1").on("error", () => {}));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    try {
      await get(`${server.url}/`, { timeout: 300, retry: 0 });
      assert.unreachable();
    } catch (error) {
      assert.ok(isTimeoutError(error), String(error));
    }
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 2000, `the 300 ms timeout fired after ${elapsed} ms`);
  } finally {
    for (const socket of fillers) socket.destroy();
    await server.stop();
  }
});

test.run();
