/**
 * The proxy choice on its own (src/http/_proxy_choice.ts): which variable wins, how a
 * `NO_PROXY` list matches (names, domains, IPs, CIDR, ports, `*`), and how a proxy URL is
 * read. No proxy and no network: the environment is a record here.
 *
 * @module
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { importPrivate } from "../_helpers/private_module.ts";

const loading = importPrivate<typeof import("../../src/http/_proxy_choice.ts")>("http/_proxy_choice");

/** The proxy origin chosen for `url` under the variables `vars`, or "direct". */
async function chosen(vars: Record<string, string>, url: string): Promise<string> {
  const { environmentProxyFor, proxyTargetOf, readProxyEnvironment } = await loading;
  const environment = readProxyEnvironment((name) => vars[name]);
  return environmentProxyFor(environment, proxyTargetOf(url))?.origin ?? "direct";
}

test("readProxyEnvironment() takes http_proxy for http and https_proxy for https, lower case first", async () => {
  const vars = {
    http_proxy: "http://lower:3128",
    HTTP_PROXY: "http://upper:3128",
    HTTPS_PROXY: "http://secure:8080",
  };
  assert.is(await chosen(vars, "http://example.com/"), "http://lower:3128");
  assert.is(await chosen(vars, "https://example.com/"), "http://secure:8080");
  assert.is(await chosen({ HTTP_PROXY: "http://upper:3128" }, "http://example.com/"), "http://upper:3128");
  // An empty variable counts as unset: the upper-case one decides.
  assert.is(await chosen({ http_proxy: "", HTTP_PROXY: "http://upper:3128" }, "http://a/"), "http://upper:3128");
  assert.is(await chosen({ HTTP_PROXY: "http://upper:3128" }, "https://example.com/"), "direct");
});

test("readProxyEnvironment() falls back to ALL_PROXY, and says whether any variable is set", async () => {
  const { readProxyEnvironment } = await loading;
  assert.is(await chosen({ ALL_PROXY: "http://all:1080" }, "https://example.com/"), "http://all:1080");
  assert.is(await chosen({ all_proxy: "all:1080", https_proxy: "s:1" }, "https://x/"), "http://s:1");
  assert.is(readProxyEnvironment(() => undefined).named, false);
  assert.is(readProxyEnvironment((name) => (name === "NO_PROXY" ? "*" : undefined)).named, true);
});

test("NO_PROXY matches a name, the names under it, with or without a leading dot, in any case", async () => {
  const proxy = { HTTP_PROXY: "http://p:3128" };
  for (const list of ["example.com", ".example.com", "*.example.com", "EXAMPLE.com."]) {
    const vars = { ...proxy, NO_PROXY: `other.org, ${list}` };
    assert.is(await chosen(vars, "http://example.com/"), "direct", list);
    assert.is(await chosen(vars, "http://api.Example.COM/"), "direct", list);
    assert.is(await chosen(vars, "http://notexample.com/"), "http://p:3128", list);
    assert.is(await chosen(vars, "http://example.com.evil.net/"), "http://p:3128", list);
  }
  // no_proxy wins over NO_PROXY, as curl reads them.
  assert.is(await chosen({ ...proxy, no_proxy: "a.test", NO_PROXY: "b.test" }, "http://b.test/"), "http://p:3128");
});

test("NO_PROXY matches IP addresses, CIDR blocks (IPv4 and IPv6) and never resolves a name", async () => {
  const vars = { HTTP_PROXY: "http://p:3128", NO_PROXY: "10.0.0.0/8,192.168.1.7,[fd00::]/8 ::1" };
  assert.is(await chosen(vars, "http://10.20.30.40/"), "direct");
  assert.is(await chosen(vars, "http://11.0.0.1/"), "http://p:3128");
  assert.is(await chosen(vars, "http://192.168.1.7:8080/"), "direct");
  assert.is(await chosen(vars, "http://192.168.1.8/"), "http://p:3128");
  assert.is(await chosen(vars, "http://[fd12::1]/"), "direct");
  assert.is(await chosen(vars, "http://[fe80::1]/"), "http://p:3128");
  assert.is(await chosen(vars, "http://[::1]:3000/"), "direct");
  // A name is compared as text, never looked up.
  assert.is(await chosen(vars, "http://localhost/"), "http://p:3128");
  assert.is(await chosen({ ...vars, NO_PROXY: "127.0.0.0/33" }, "http://127.0.0.1/"), "http://p:3128");
});

test("NO_PROXY entries with a port match that port only; '*' matches everything", async () => {
  const vars = { HTTPS_PROXY: "http://p:3128", NO_PROXY: "example.com:8443,127.0.0.1:9000,[::1]:9001" };
  assert.is(await chosen(vars, "https://example.com:8443/"), "direct");
  assert.is(await chosen(vars, "https://example.com/"), "http://p:3128");
  assert.is(await chosen(vars, "https://127.0.0.1:9000/"), "direct");
  assert.is(await chosen(vars, "https://127.0.0.1:9002/"), "http://p:3128");
  assert.is(await chosen(vars, "https://[::1]:9001/"), "direct");
  assert.is(await chosen({ HTTPS_PROXY: "http://p:3128", NO_PROXY: "*" }, "https://anything.at.all/"), "direct");
});

test("parseProxyUrl() reads host:port as http, decodes credentials and builds Proxy-Authorization", async () => {
  const { parseProxyUrl } = await loading;
  const bare = parseProxyUrl("127.0.0.1:3128", "HTTP_PROXY");
  assert.equal([bare.origin, bare.hostname, bare.port, bare.authorization], [
    "http://127.0.0.1:3128",
    "127.0.0.1",
    3128,
    undefined,
  ]);
  assert.is(parseProxyUrl("http://proxy.test", "p").port, 80);
  const withCredentials = parseProxyUrl(new URL("http://al%40ice:p%3Ass%20w@[::1]:8080/"), "p");
  assert.equal(withCredentials.credentials, { username: "al@ice", password: "p:ss w" });
  assert.is(withCredentials.authorization, `Basic ${btoa("al@ice:p:ss w")}`);
  assert.is(withCredentials.hostname, "::1");
  assert.is(withCredentials.origin, "http://[::1]:8080");
});

test("parseProxyUrl() refuses what is no http proxy, naming the source and hiding the password", async () => {
  const { parseProxyUrl, readProxyEnvironment } = await loading;
  assert.throws(() => parseProxyUrl("socks5://127.0.0.1:1080", "ALL_PROXY"), /ALL_PROXY must be an http:\/\/ proxy/);
  assert.throws(() => parseProxyUrl("http://h:1/path", "'proxy'"), /'proxy' must be a proxy's address alone/);
  assert.throws(() => parseProxyUrl("http://[::1", "'proxy'"), /'proxy' is not a proxy URL: got 'http:\/\/\[::1'/);
  try {
    parseProxyUrl("https://user:hunter2@h:1", "HTTPS_PROXY");
    assert.unreachable("an https proxy was taken");
  } catch (error) {
    assert.instance(error, TypeError);
    assert.not.match((error as Error).message, /hunter2/);
  }
  assert.throws(() => readProxyEnvironment((name) => (name === "HTTPS_PROXY" ? "ftp://x" : undefined)), /HTTPS_PROXY/);
});

test.run();
