import { test } from "uvu";
import * as assert from "uvu/assert";
import { get, type HttpServer, isBodyTooLargeError, isNetworkError, isTimeoutError, post, serve } from "anynet/http";
import * as httpModule from "anynet/http";
import { announceSkip } from "../_helpers/env.ts";
import { runCli } from "../_helpers/cli.ts";
import { CLIENT_TRANSPORTS, type RawServer, rawServer } from "../_helpers/http_servers.ts";
import { hasOpenssl, makeTestPki, type TestPki } from "../_helpers/tls_pki.ts";

const secrets = {
  authorization: "Bearer top-secret",
  cookie: "session=abc",
  "proxy-authorization": "Basic cHJveHk6cHc=",
};

function echoHeaders(req: Request): Response {
  const pick = (name: string) => req.headers.get(name);
  return Response.json({
    authorization: pick("authorization"),
    cookie: pick("cookie"),
    proxyAuthorization: pick("proxy-authorization"),
    apiKey: pick("x-api-key"),
    other: pick("x-other"),
  });
}

for (const transport of CLIENT_TRANSPORTS) {
  test(`a redirect to another origin drops Authorization, Cookie, Proxy-Authorization and the API-key header (transport ${transport})`, async () => {
    const target = await serve(echoHeaders, { hostname: "127.0.0.1", port: 0 });
    // Same address, different host name: a different origin as far as credentials go.
    const elsewhere = `http://localhost:${target.addr.port}/`;
    const redirector = await serve((req) => {
      const path = new URL(req.url).pathname;
      const location = path === "/away" ? elsewhere : "/echo";
      return path === "/echo" ? echoHeaders(req) : new Response(null, { status: 302, headers: { location } });
    }, { port: 0 });
    try {
      const away = await (await get(`${redirector.url}/away`, {
        headers: { ...secrets, "x-other": "kept" },
        auth: { apiKey: "k" },
        transport,
      }))
        .json();
      assert.equal(away, { authorization: null, cookie: null, proxyAuthorization: null, apiKey: null, other: "kept" });
      const bearer = await (await get(`${redirector.url}/away`, { auth: { bearer: "t" }, transport })).json() as {
        authorization: string | null;
      };
      assert.is(bearer.authorization, null);
      const home =
        await (await get(`${redirector.url}/home`, { headers: { ...secrets }, auth: { apiKey: "k" }, transport }))
          .json();
      assert.equal(home, {
        authorization: secrets.authorization,
        cookie: secrets.cookie,
        proxyAuthorization: secrets["proxy-authorization"],
        apiKey: "k",
        other: null,
      });
    } finally {
      await Promise.all([target.close(), redirector.close()]);
    }
  });
}

/** A target that answers 200, and a redirector on another port (so another origin) that sends there with `/STATUS`. */
async function twoOrigins(): Promise<{ target: RawServer; redirector: RawServer; close(): Promise<void> }> {
  const target = await rawServer((_req, res) => res.end("landed"));
  const redirector = await rawServer((req, res) => {
    const [, status, where] = (req.url ?? "").split("/");
    // `/STATUS/here` redirects within the origin, `/STATUS` to the target.
    res.writeHead(Number(status), { location: where === "here" ? "/200" : `${target.url}/landed` });
    res.end();
  });
  return { target, redirector, close: () => Promise.all([target.close(), redirector.close()]).then(() => {}) };
}

// The headers that carry credentials by name, dropped by default (SENSITIVE_HEADERS).
const CREDENTIAL_HEADER_NAMES = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "x-api-key",
  "api-key",
  "apikey",
  "x-auth-token",
  "x-access-token",
  "private-token",
  "x-goog-api-key",
  "x-vault-token",
  "x-amz-security-token",
  "ocp-apim-subscription-key",
];

// Each in upper, lower or mixed case: header names are case-insensitive.
const credentialHeaders: Record<string, string> = Object.fromEntries(
  CREDENTIAL_HEADER_NAMES.map((name, i) => {
    const cased = [
      name.toUpperCase(),
      name,
      name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()),
    ][i % 3];
    return [cased, `secret-${i}`];
  }),
);

test("SENSITIVE_HEADERS lists the credential headers dropped by default", () => {
  assert.equal([...(httpModule.SENSITIVE_HEADERS ?? [])].sort(), [...CREDENTIAL_HEADER_NAMES].sort());
});

test("a redirect to another origin drops every header that carries credentials by name, in any case (301, 302, 303, 307, 308)", async () => {
  const { target, redirector, close } = await twoOrigins();
  try {
    for (const status of [301, 302, 303, 307, 308]) {
      const response = await get(`${redirector.url}/${status}`, {
        headers: { ...credentialHeaders, "X-Other": "kept" },
      });
      assert.is(await response.text(), "landed");
      assert.is(response.redirects, 1);
      const sent = redirector.seen.at(-1)!.headers;
      const landed = target.seen.at(-1)!.headers;
      for (const name of CREDENTIAL_HEADER_NAMES) {
        assert.ok(sent[name] !== undefined, `${status}: ${name} was not sent to the first origin`);
        assert.is(landed[name], undefined, `${status}: ${name} reached the other origin`);
      }
      assert.is(landed["x-other"], "kept", `${status}: a plain header was dropped`);
    }
  } finally {
    await close();
  }
});

test("the auth header and sensitiveHeaders are dropped too; keepSensitiveHeaders lets one through; within the origin all stay", async () => {
  const { target, redirector, close } = await twoOrigins();
  try {
    for (const status of [301, 302, 303, 307, 308]) {
      await (await get(`${redirector.url}/${status}`, {
        headers: { "X-Custom-Secret": "c", "X-API-Key": "k", "X-Auth-Token": "t" },
        auth: { apiKey: "tenant", header: "X-Tenant-Key" },
        sensitiveHeaders: ["x-CUSTOM-secret"],
        keepSensitiveHeaders: ["X-Api-Key"],
      })).text();
      const landed = target.seen.at(-1)!.headers;
      assert.is(landed["x-tenant-key"], undefined, `${status}: the auth header reached the other origin`);
      assert.is(landed["x-custom-secret"], undefined, `${status}: a sensitiveHeaders header reached the other origin`);
      assert.is(landed["x-auth-token"], undefined, `${status}: X-Auth-Token reached the other origin`);
      assert.is(landed["x-api-key"], "k", `${status}: keepSensitiveHeaders did not keep X-API-Key`);
      const before = redirector.seen.length;
      await (await get(`${redirector.url}/${status}/here`, { headers: credentialHeaders })).text();
      assert.is(redirector.seen.length, before + 2);
      const again = redirector.seen.at(-1)!.headers;
      for (const name of CREDENTIAL_HEADER_NAMES) {
        assert.ok(again[name] !== undefined, `${status}: ${name} dropped in-origin`);
      }
    }
    for (const [option, value] of [["sensitiveHeaders", "x-key"], ["keepSensitiveHeaders", ["bad name"]]] as const) {
      try {
        await get(redirector.url, { [option]: value });
        assert.unreachable(`${option}: ${JSON.stringify(value)} was accepted`);
      } catch (error) {
        assert.instance(error, TypeError);
        assert.match(
          (error as Error).message,
          new RegExp(`^Cannot send the request: '${option}' must be an array of header names: got `),
        );
      }
    }
  } finally {
    await close();
  }
});

test("anynet get: -H credential headers and --api-key do not follow a redirect to another origin", async () => {
  const { target, redirector, close } = await twoOrigins();
  try {
    const run = await runCli([
      "get",
      `${redirector.url}/302`,
      "-H",
      "X-Auth-Token: t",
      "-H",
      "x-access-token: a",
      "-H",
      "Private-Token: p",
      "--api-key",
      "k",
    ]);
    assert.is(run.code, 0, run.stderr);
    assert.is(run.stdout, "landed");
    assert.is(redirector.seen.at(-1)!.headers["x-auth-token"], "t");
    const landed = target.seen.at(-1)!.headers;
    for (const name of ["x-auth-token", "x-access-token", "private-token", "x-api-key"]) {
      assert.is(landed[name], undefined, `${name} reached the other origin`);
    }
  } finally {
    await close();
  }
});

test("credentials in the URL are sent as Basic auth on every runtime, shown nowhere, and dropped on leaving the origin", async () => {
  const target = await serve(echoHeaders, { hostname: "127.0.0.1", port: 0 });
  const redirector = await serve((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/echo") return echoHeaders(req);
    const location = path === "/away" ? `http://localhost:${target.addr.port}/` : "/echo";
    return new Response(null, { status: 302, headers: { location } });
  }, { hostname: "127.0.0.1", port: 0 });
  const withCredentials = (path: string) => `http://us%40er:p%3Aw@127.0.0.1:${redirector.addr.port}${path}`;
  try {
    const direct = await get(withCredentials("/echo"));
    // "us@er:p:w", percent-decoded as RFC 3986 userinfo is, in Basic form.
    assert.is((await direct.json() as { authorization: string }).authorization, `Basic ${btoa("us@er:p:w")}`);
    assert.is(direct.url, `http://127.0.0.1:${redirector.addr.port}/echo`);
    const home = await (await get(withCredentials("/home"))).json() as { authorization: string };
    assert.is(home.authorization, `Basic ${btoa("us@er:p:w")}`);
    const away = await (await get(withCredentials("/away"))).json() as { authorization: string | null };
    assert.is(away.authorization, null);
    try {
      await get(withCredentials("/echo"), { auth: { bearer: "t" } });
      assert.unreachable("credentials in both the URL and 'auth' were accepted");
    } catch (error) {
      assert.instance(error, TypeError);
      assert.match((error as Error).message, /in the URL or in 'auth', not both/);
    }
  } finally {
    await Promise.all([target.close(), redirector.close()]);
  }
});

test("https:// to a plain HTTP port is a TLS NetworkError that says the peer does not speak TLS", async () => {
  const plain = await serve(() => new Response("plain"), { hostname: "127.0.0.1", port: 0 });
  try {
    await get(`https://127.0.0.1:${plain.addr.port}/`, { retry: 0, timeout: 5000 });
    assert.unreachable("a TLS request to a plain HTTP server succeeded");
  } catch (error) {
    assert.ok(isNetworkError(error), String(error));
    assert.is((error as { reason: string }).reason, "tls");
    assert.match(
      (error as Error).message,
      /TLS failed with 127\.0\.0\.1:\d+: the peer does not speak TLS on this port; is it plain HTTP\?$/,
    );
  } finally {
    await plain.close();
  }
});

const openssl = hasOpenssl();
if (!openssl) announceSkip("openssl is not installed: the TLS tests are skipped");
const tlsTest = openssl ? test : test.skip;

let pki: TestPki | undefined;
let tlsServer: HttpServer | undefined;

tlsTest("a certificate from an unknown CA is rejected as a TLS NetworkError; giving its CA makes it work", async () => {
  pki = makeTestPki();
  tlsServer = await serve(
    async (req) => new Response(`secure ${req.method} ${req.method === "POST" ? await req.text() : ""}`),
    {
      port: 0,
      tls: { cert: pki.cert, key: pki.key },
    },
  );
  const url = `https://localhost:${tlsServer.addr.port}/`;
  try {
    await get(url, { retry: 0 });
    assert.unreachable("an untrusted certificate was accepted");
  } catch (error) {
    assert.ok(isNetworkError(error), String(error));
    assert.is((error as { reason: string }).reason, "tls");
    assert.match(
      (error as Error).message,
      /TLS failed with localhost:\d+: the certificate is not trusted; give the CA .* 'ca' option/,
    );
  }
  // TLS failures are not retried: the certificate will not change.
  const response = await get(url, { ca: pki.caCert, retry: 0 });
  assert.is(await response.text(), "secure GET ");
  const posted = await post(url, { ca: pki.caCert, body: "payload" });
  assert.is(await posted.text(), "secure POST payload");
  // A wrong CA is no better than none.
  try {
    await get(url, { ca: pki!.otherCaCert, retry: 0 });
    assert.unreachable("a certificate from another CA was accepted");
  } catch (error) {
    assert.is((error as { reason: string }).reason, "tls");
  }
});

tlsTest("anynet get --ca FILE trusts the CA; without it the error names TLS", async () => {
  const url = `https://localhost:${tlsServer!.addr.port}/`;
  const trusted = await runCli(["get", url, "--ca", pki!.caPath]);
  assert.is(trusted.code, 0, trusted.stderr);
  assert.is(trusted.stdout, "secure GET ");
  const untrusted = await runCli(["get", url, "--retries", "0"]);
  assert.is(untrusted.code, 1);
  assert.match(
    untrusted.stderr,
    /^anynet get: GET https:\/\/localhost:(\d+)\/ failed: TLS failed with localhost:\1: the certificate is not trusted; .*\n$/,
  );
});

tlsTest("with extra CAs, timeouts, redirects and maxBodyBytes still apply", async () => {
  let release!: () => void;
  const stalled = new Promise<void>((resolve) => (release = resolve));
  const server = await serve((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/stall") return stalled.then(() => new Response("late"));
    if (path === "/hop") return new Response(null, { status: 302, headers: { location: "/big" } });
    return new Response("z".repeat(10_000));
  }, { port: 0, tls: { cert: pki!.cert, key: pki!.key } });
  const url = `https://localhost:${server.addr.port}`;
  try {
    try {
      await get(`${url}/stall`, { ca: pki!.caCert, timeout: 200, retry: 0 });
      assert.unreachable();
    } catch (error) {
      assert.ok(isTimeoutError(error), String(error));
    }
    const hopped = await get(`${url}/hop`, { ca: pki!.caCert });
    assert.is(hopped.redirects, 1);
    assert.is((await hopped.text()).length, 10_000);
    try {
      await (await get(`${url}/big`, { ca: pki!.caCert, maxBodyBytes: 100 })).text();
      assert.unreachable();
    } catch (error) {
      assert.ok(isBodyTooLargeError(error), String(error));
    }
  } finally {
    release();
    await server.close();
  }
});

test.after(async () => {
  await tlsServer?.close();
  pki?.cleanup();
});

test.run();
