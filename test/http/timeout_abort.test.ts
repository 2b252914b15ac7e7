import { test } from "uvu";
import * as assert from "uvu/assert";
import { get, isTimeoutError } from "anynet/http";
import { spawn } from "node:child_process";
import { createSecureServer, type Http2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { announceSkip, root, testRuntime } from "../_helpers/env.ts";
import { CLIENT_TRANSPORTS, closedWithin, rawServer } from "../_helpers/http_servers.ts";
import { hasOpenssl, makeTestPki } from "../_helpers/tls_pki.ts";

// What a timeout aborts a request with when it goes through fetch: on Node the abort undici
// hands to a per-request dispatcher (the request carries no signal), elsewhere an
// AbortSignal. These tests run in a process of their own, so the first requests below are
// the process's first, and they watch what anynet hands fetch. On Node, get() goes through
// node:http unless asked for fetch: the stalled-body test runs on both.

interface FetchSpy {
  /** The `init` of every fetch call, in order. */
  inits: (RequestInit & { dispatcher?: unknown })[];
  restore(): void;
}

/** Replaces `globalThis.fetch` with one that records each call's `init` and calls the real one. */
function spyOnFetch(): FetchSpy {
  const real = globalThis.fetch;
  const inits: FetchSpy["inits"] = [];
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    inits.push(init ?? {});
    return real(input, init);
  }) as typeof fetch;
  return { inits, restore: () => (globalThis.fetch = real) };
}

/** What a request's `init` carries to abort it with. */
function abortedBy(init: RequestInit & { dispatcher?: unknown }): string {
  const by = [init.signal !== undefined && "signal", init.dispatcher !== undefined && "dispatcher"].filter(Boolean);
  return by.join("+") || "nothing";
}

/** `promise`, or a rejection naming `what` if it has not settled after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} had not ended after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// A server whose /stall answers with headers and part of a body, then nothing; every
// other path answers at once.
const stallingServer = () =>
  rawServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    if (req.url === "/stall") res.write("first part ");
    else res.end("ok");
  });

test("on Node, get() through fetch with a timeout gives fetch a dispatcher and no signal once a request has shown the hook works; elsewhere a signal", async () => {
  const server = await stallingServer();
  const spy = spyOnFetch();
  try {
    for (let i = 0; i < 3; i++) {
      assert.is(await (await get(`${server.url}/`, { timeout: 5000, transport: "fetch" })).text(), "ok");
    }
  } finally {
    spy.restore();
    await server.close();
  }
  const seen = spy.inits.map(abortedBy);
  if (testRuntime === "node") {
    // A request keeps the signal until undici has handed over an abort function once. The
    // hook needs undici's global dispatcher, which Node sets up when it loads undici (for
    // the first fetch, or earlier: a Headers or a Response is enough).
    const hookedFirst = ["signal+dispatcher", "dispatcher", "dispatcher"];
    const hookedSecond = ["signal", "signal+dispatcher", "dispatcher"];
    assert.ok(
      String(seen) === String(hookedFirst) || String(seen) === String(hookedSecond),
      `requests were aborted by ${seen.join(", ")}`,
    );
  } else {
    assert.equal(seen, ["signal", "signal", "signal"]);
  }
});

for (const transport of CLIENT_TRANSPORTS) {
  test(`a request that stalls mid-body times out at its limit and its connection is closed while the client runs on (transport ${transport})`, async () => {
    const server = await stallingServer();
    const spy = spyOnFetch();
    try {
      // Warm-up: on Node, these prove the hook, so the stalled request below carries no signal.
      for (let i = 0; i < 2; i++) await (await get(`${server.url}/`, { timeout: 5000, transport })).text();
      const started = performance.now();
      const response = await get(`${server.url}/stall`, { timeout: 300, retry: 0, transport });
      assert.is(response.status, 200);
      try {
        // Without a working abort the read would wait for undici's own 300 s body timeout.
        await within(response.text(), 2000, "reading the stalled body");
        assert.unreachable("a body that never ends was read to its end");
      } catch (error) {
        assert.ok(isTimeoutError(error), String(error));
        assert.is((error as { kind: string }).kind, "timeout");
      }
      const ms = performance.now() - started;
      assert.ok(ms >= 300 && ms < 2000, `timed out after ${Math.round(ms)} ms`);
      // This process is the client and is still running: only the abort can close it.
      const stalled = server.seen.find((req) => req.url === "/stall")!;
      await closedWithin(stalled.socket, 2000);
      if (testRuntime !== "node") assert.is(abortedBy(spy.inits.at(-1)!), "signal");
      else if (transport === "fetch") assert.is(abortedBy(spy.inits.at(-1)!), "dispatcher");
      // Node's own transport never calls fetch.
      else assert.is(spy.inits.length, 0);
    } finally {
      spy.restore();
      await server.close();
    }
  });
}

const openssl = hasOpenssl();
if (testRuntime !== "node") {
  announceSkip("the abort hook's HTTP/2 test is for Node only, the one runtime with the hook");
} else if (!openssl) announceSkip("openssl is not installed: the HTTP/2 test of the abort hook is skipped");
const nodeTlsTest = testRuntime === "node" && openssl ? test : test.skip;

nodeTlsTest(
  "on Node, get() through fetch and the hook speaks the HTTP version fetch does (HTTP/2 from Node 26)",
  async () => {
    const pki = makeTestPki();
    const sessions = new Set<Http2Session>();
    const server = createSecureServer(
      { cert: pki.cert, key: pki.key, allowHTTP1: true },
      (req, res) => res.end(req.httpVersion),
    ).on("session", (session) => sessions.add(session));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `https://localhost:${(server.address() as AddressInfo).port}/`;
    try {
      // The client trusts the test CA from its start (NODE_EXTRA_CA_CERTS): fetch cannot take
      // a 'ca' option.
      const child = spawn(process.execPath, [join(root, "test", "http", "fixtures_http_version.mjs"), url], {
        cwd: root,
        env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.caPath },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout!.setEncoding("utf8").on("data", (s: string) => (out += s));
      child.stderr!.setEncoding("utf8").on("data", (s: string) => (err += s));
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      const code = await within(exited, 15_000, "the client").finally(() => child.kill("SIGKILL"));
      assert.is(code, 0, err);
      const [fetched, ...got] = out.trim().split(" ");
      assert.equal(got, [fetched, fetched, fetched], `fetch and get() answered ${out.trim()}`);
      // From Node 26 on, fetch offers HTTP/2, which the hook must not lose.
      if (Number(process.versions.node.split(".")[0]) >= 26) assert.is(fetched, "2.0");
    } finally {
      for (const session of sessions) session.destroy();
      await new Promise((resolve) => server.close(resolve));
      pki.cleanup();
    }
  },
);

test.run();
