/**
 * The HTTP client through a real proxy that anynet did not write: tinyproxy (Debian
 * package `tinyproxy`), started once for the file on 127.0.0.1 in the foreground, one
 * instance open and one wanting Basic credentials, in front of anynet's serve() over
 * http and https. Checked: http goes in absolute-form and is forwarded, https goes
 * through a CONNECT tunnel with the server's certificate checked, the proxy's credentials
 * never reach the server (on Deno too, whose own fetch would pass them on), a time limit
 * holds inside a tunnel, `NO_PROXY` and `noProxy` send the request direct, and a proxy
 * that wants credentials (407), refuses a tunnel, or is down gives a NetworkError that
 * says so. The proxy variables are tried through the CLI, in a process of their own,
 * where the runtime's own fetch would read them too.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import process from "node:process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type HttpServer, isNetworkError, request, serve } from "anynet/http";
import { runCli } from "../_helpers/cli.ts";
import { announceSkip, testRuntime } from "../_helpers/env.ts";
import { closedPort } from "../_helpers/http_servers.ts";
import { hasCommand } from "../_helpers/net_process.ts";
import { hasOpenssl, makeTestPki, type TestPki } from "../_helpers/tls_pki.ts";

const USER = "alice";
// "s3cr%33t" is "s3cr3t" percent-encoded: the client must decode it before sending it.
const PASSWORD = "s3cr3t";

interface Tinyproxy {
  port: number;
  process: ChildProcess;
  logFile: string;
}

interface Fixture {
  dir: string;
  pki: TestPki;
  open: Tinyproxy;
  guarded: Tinyproxy;
  http: HttpServer;
  https: HttpServer;
  /** What the servers saw: path → the request's headers. */
  seen: Map<string, Headers>;
}

let fixture: Fixture | undefined;

// Deno's and Bun's own fetch would send every request below to 127.0.0.1 direct, even one
// given a proxy: anynet's choice must win. (Read by anynet at the first request, by Deno
// when it makes a client.)
process.env.NO_PROXY = "127.0.0.1,localhost";
const available = hasCommand("tinyproxy") && hasOpenssl();

/** Resolves once something accepts connections on `port`, or rejects after `ms`. */
async function untilListening(port: number, child: ChildProcess, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tinyproxy exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`tinyproxy did not listen on ${port} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function startTinyproxy(dir: string, name: string, extra: string[]): Promise<Tinyproxy> {
  const port = await closedPort();
  const logFile = join(dir, `${name}.log`);
  const config = join(dir, `${name}.conf`);
  writeFileSync(
    config,
    [
      `Port ${port}`,
      "Listen 127.0.0.1",
      "Timeout 10",
      `LogFile "${logFile}"`,
      "LogLevel Connect",
      `PidFile "${join(dir, `${name}.pid`)}"`,
      "MaxClients 20",
      "Allow 127.0.0.1",
      ...extra,
    ].join("\n") + "\n",
  );
  const child = spawn("tinyproxy", ["-d", "-c", config], { stdio: "ignore" });
  await untilListening(port, child);
  return { port, process: child, logFile };
}

async function stopTinyproxy(proxy: Tinyproxy | undefined): Promise<void> {
  if (proxy === undefined || proxy.process.exitCode !== null) return;
  const ended = new Promise((resolve) => proxy.process.once("close", resolve));
  proxy.process.kill("SIGTERM");
  await ended;
}

function proxyLog(proxy: Tinyproxy): string {
  try {
    return readFileSync(proxy.logFile, "utf8");
  } catch {
    return "";
  }
}

test.before(async () => {
  if (!available) return;
  const dir = mkdtempSync(join(tmpdir(), "anynet-tinyproxy-"));
  const pki = makeTestPki();
  const seen = new Map<string, Headers>();
  const handler = (request: Request) => {
    const path = new URL(request.url).pathname;
    seen.set(path, request.headers);
    if (path === "/slow") {
      return new Promise<Response>((resolve) => setTimeout(() => resolve(new Response("late")), 300));
    }
    return new Response(`hello ${path}`);
  };
  const partial: Partial<Fixture> = { dir, pki, seen };
  try {
    partial.http = await serve(handler, { hostname: "127.0.0.1", port: 0 });
    partial.https = await serve(handler, { hostname: "127.0.0.1", port: 0, tls: { cert: pki.cert, key: pki.key } });
    [partial.open, partial.guarded] = await Promise.all([
      startTinyproxy(dir, "open", []),
      startTinyproxy(dir, "guarded", [`BasicAuth ${USER} ${PASSWORD}`]),
    ]);
    fixture = partial as Fixture;
  } catch (error) {
    await cleanup(partial);
    throw error;
  }
});

async function cleanup(parts: Partial<Fixture>): Promise<void> {
  await Promise.all([stopTinyproxy(parts.open), stopTinyproxy(parts.guarded)]);
  await parts.http?.close();
  await parts.https?.close();
  parts.pki?.cleanup();
  if (parts.dir !== undefined) rmSync(parts.dir, { recursive: true, force: true });
}

test.after(async () => {
  if (fixture !== undefined) await cleanup(fixture);
});

/** The fixture, or undefined after saying why the test is skipped. */
function ready(): Fixture | undefined {
  if (fixture === undefined) {
    announceSkip("tinyproxy or openssl is not installed (Debian packages: tinyproxy, openssl)");
  }
  return fixture;
}

function urlOf(server: HttpServer, path: string, host = "127.0.0.1"): string {
  return `${server.url.replace("127.0.0.1", host).replace(/\/$/, "")}${path}`;
}

/** Runs `send`, which must fail, and returns its error. */
async function failure(send: Promise<unknown>): Promise<Error> {
  try {
    await send;
  } catch (error) {
    return error as Error;
  }
  throw new Error("the request succeeded");
}

test("request() sends http through tinyproxy in absolute-form; the proxy's credentials stay with the proxy", async () => {
  const f = ready();
  if (!f) return;
  const proxy = `http://${USER}:s3cr%33t@127.0.0.1:${f.guarded.port}`;
  const response = await request(urlOf(f.http, "/plain"), { proxy, retry: 0 });
  assert.is(await response.text(), "hello /plain");
  const headers = f.seen.get("/plain")!;
  assert.match(headers.get("via") ?? "", /tinyproxy/, "the request did not pass through tinyproxy");
  assert.is(headers.get("proxy-authorization"), null);
  assert.match(proxyLog(f.guarded), new RegExp(`GET http://127\\.0\\.0\\.1:${f.http.addr.port}/plain HTTP/1\\.1`));
  if (testRuntime === "node") {
    const refused = await failure(request(urlOf(f.http, "/x"), { proxy, transport: "fetch" }));
    assert.instance(refused, TypeError);
    assert.match(refused.message, /'proxy' needs the default transport here/);
  }
});

test("request() reaches https through a CONNECT tunnel, the server's certificate checked against its host", async () => {
  const f = ready();
  if (!f) return;
  // Deno's own fetch would hand these credentials on to the server inside the tunnel.
  const proxy = `http://${USER}:s3cr%33t@127.0.0.1:${f.guarded.port}`;
  const url = urlOf(f.https, "/secure", "localhost");
  const response = await request(url, { proxy, ca: f.pki.caCert, retry: 0 });
  assert.is(await response.text(), "hello /secure");
  // Inside the tunnel nothing carries the proxy's credentials, and no proxy could add Via.
  const headers = f.seen.get("/secure")!;
  assert.is(headers.get("proxy-authorization"), null);
  assert.is(headers.get("via"), null);
  assert.match(proxyLog(f.guarded), new RegExp(`CONNECT localhost:${f.https.addr.port} HTTP/1\\.1`));
  // The time limit holds inside the tunnel too.
  const late = await failure(
    request(urlOf(f.https, "/slow", "localhost"), { proxy, ca: f.pki.caCert, retry: 0, timeout: 100 }),
  );
  assert.is(late.name, "TimeoutError", String(late));
  // Through the tunnel the certificate is still verified: without the test CA it fails.
  const untrusted = await failure(request(urlOf(f.https, "/untrusted", "localhost"), { proxy, retry: 0 }));
  assert.ok(isNetworkError(untrusted), String(untrusted));
  assert.is(untrusted.reason, "tls", untrusted.message);
});

test("a proxy that wants credentials gives a NetworkError saying proxy authentication is required (http and https)", async () => {
  const f = ready();
  if (!f) return;
  const proxy = `http://127.0.0.1:${f.guarded.port}`;
  for (const url of [urlOf(f.http, "/no-credentials"), urlOf(f.https, "/no-credentials", "localhost")]) {
    const error = await failure(request(url, { proxy, ca: f.pki.caCert, retry: 3 }));
    assert.ok(isNetworkError(error), String(error));
    assert.is(error.reason, "proxy", error.message);
    assert.is(error.proxyStatus, 407, error.message);
    assert.is(error.proxy, proxy);
    assert.match(error.message, /proxy authentication required/);
  }
  // tinyproxy answers wrong credentials with 401; through a tunnel that is the proxy's refusal too.
  const wrong = await failure(
    request(urlOf(f.https, "/wrong", "localhost"), {
      proxy: `http://${USER}:wrong@127.0.0.1:${f.guarded.port}`,
      ca: f.pki.caCert,
      retry: 0,
    }),
  );
  assert.ok(isNetworkError(wrong), String(wrong));
  assert.is(wrong.reason, "proxy", wrong.message);
  assert.is(wrong.proxyStatus, 401, wrong.message);
  assert.not.ok(f.seen.has("/no-credentials"));
});

test("a tunnel the proxy refuses, and a proxy that is down, are NetworkErrors about the proxy", async () => {
  const f = ready();
  if (!f) return;
  const nothing = await closedPort();
  const refused = await failure(
    request(`https://127.0.0.1:${nothing}/`, { proxy: `http://127.0.0.1:${f.open.port}`, retry: 0 }),
  );
  assert.ok(isNetworkError(refused), String(refused));
  assert.is(refused.reason, "proxy", refused.message);
  assert.ok((refused.proxyStatus ?? 0) >= 400, refused.message);
  assert.match(
    refused.message,
    new RegExp(`refused to open a tunnel to 127\\.0\\.0\\.1:${nothing}: ${refused.proxyStatus}`),
  );
  const down = await failure(request(urlOf(f.http, "/down"), { proxy: `http://127.0.0.1:${nothing}`, retry: 0 }));
  assert.ok(isNetworkError(down), String(down));
  assert.is(down.reason, "proxy", down.message);
  assert.is(down.proxyStatus, undefined);
  assert.match(down.message, new RegExp(`connection refused by the proxy http://127\\.0\\.0\\.1:${nothing}`));
});

test("noProxy and proxy: false send the request direct; other hosts and ports still go through the proxy", async () => {
  const f = ready();
  if (!f) return;
  const proxy = `http://127.0.0.1:${f.open.port}`;
  const port = f.http.addr.port;
  const cases: [string, RequestInit & { noProxy?: string | string[]; proxy?: string | false }, boolean][] = [
    ["/np-host", { proxy, noProxy: "127.0.0.1" }, false],
    ["/np-cidr", { proxy, noProxy: ["10.0.0.0/8", "127.0.0.0/8"] }, false],
    ["/np-port", { proxy, noProxy: `127.0.0.1:${port}` }, false],
    ["/np-other-port", { proxy, noProxy: `127.0.0.1:${port + 1}` }, true],
    ["/np-other-host", { proxy, noProxy: "example.com" }, true],
    ["/np-off", { proxy: false }, false],
  ];
  for (const [path, options, viaProxy] of cases) {
    await (await request(urlOf(f.http, path), { ...options, retry: 0 } as Parameters<typeof request>[1])).text();
    assert.is(/tinyproxy/.test(f.seen.get(path)?.get("via") ?? ""), viaProxy, path);
  }
});

test("the CLI reads the proxy variables as curl does, and anynet's choice wins over the runtime's own", async () => {
  const f = ready();
  if (!f) return;
  const open = `http://127.0.0.1:${f.open.port}`;
  const down = `http://127.0.0.1:${await closedPort()}`;
  const port = f.http.addr.port;
  const [lower, direct, flagged] = await Promise.all([
    // Lower case wins, and HTTPS_PROXY is for https only.
    runCli(["get", urlOf(f.http, "/env-lower"), "--retries", "0"], {
      env: { http_proxy: open, HTTP_PROXY: down, HTTPS_PROXY: down, NO_PROXY: "", no_proxy: "" },
    }),
    // A NO_PROXY entry with a port (which Deno's own reading does not know) sends it direct.
    runCli(["get", urlOf(f.http, "/env-direct"), "--retries", "0"], {
      env: { HTTP_PROXY: down, http_proxy: down, NO_PROXY: `127.0.0.1:${port}`, no_proxy: "" },
    }),
    // --noproxy replaces NO_PROXY and keeps the proxy variables.
    runCli(["get", urlOf(f.http, "/flag-direct"), "--retries", "0", "--noproxy", "example.com,127.0.0.0/8"], {
      env: { HTTP_PROXY: down, http_proxy: "", NO_PROXY: "", no_proxy: "" },
    }),
  ]);
  assert.is(lower.code, 0, lower.stderr);
  assert.match(f.seen.get("/env-lower")?.get("via") ?? "", /tinyproxy/);
  assert.is(direct.code, 0, direct.stderr);
  assert.is(f.seen.get("/env-direct")?.get("via"), null);
  assert.is(flagged.code, 0, flagged.stderr);
  assert.is(f.seen.get("/flag-direct")?.get("via"), null);
});

test.run();
