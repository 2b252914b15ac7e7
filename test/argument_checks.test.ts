// Each argument check the areas share (src/_argument_checks.ts), seen through a public
// function that uses it: what it accepts, and the exact error it raises for what it
// refuses. The module is private, so the package's own entry points carry it here, as
// they do for users.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, listen } from "anynet/net";
import { serveEcho } from "anynet/echo";
import { request, retryPolicy, serve } from "anynet/http";
import { buildUdpFrame, decodeFrame, PcapWriter } from "anynet/packet";
import { startProxy, tcping } from "anynet/tools";

type ErrorClass = typeof TypeError | typeof RangeError;

/** Runs `call` (sync or async) and checks the error's exact class and message. */
async function refused(call: () => unknown, Kind: ErrorClass, message: string): Promise<void> {
  let caught: unknown;
  try {
    await call();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== undefined, `expected ${Kind.name}: ${message}`);
  assert.is((caught as Error).constructor, Kind, (caught as Error).message);
  assert.is((caught as Error).message, message);
}

const MS = "a positive number of milliseconds, at most 2147483647 (about 24.8 days)";
const noop = () => new Response("");

test("options objects: an object is required, in each area's wording of the value", async () => {
  await refused(
    () => new PcapWriter(null as never),
    TypeError,
    "Cannot write pcap: options must be an object: got null",
  );
  await refused(() => listen("x" as never), TypeError, "Cannot listen: options must be an object: got 'x'");
  await refused(
    () => request("http://127.0.0.1:9999/", 5 as never),
    TypeError,
    "Cannot send the request: options must be an object: got 5",
  );
  await refused(
    () => connect({ port: 1, tls: 5 as never }),
    TypeError,
    "Cannot connect: 'tls' must be an object: got number",
  );
  assert.is(new PcapWriter({}).packetCount, 0);
});

test("options objects: an unknown option is named, with the nearest known one or the whole list", async () => {
  await refused(
    () => tcping({ port: 80, cout: 3 } as never),
    TypeError,
    "Cannot tcping: unknown option 'cout' (did you mean 'count'?)",
  );
  await refused(
    () => tcping({ port: 80, zzzzzzzz: 1 } as never),
    TypeError,
    "Cannot tcping: unknown option 'zzzzzzzz' (there are hostname, port, count, interval, timeout, family, tls, signal)",
  );
  await refused(
    () => retryPolicy({ limt: 1 } as never),
    TypeError,
    "Cannot retry: unknown option 'retry.limt' (did you mean 'retry.limit'?)",
  );
});

test("port: an integer in range; a number out of range is a RangeError, another type a TypeError", async () => {
  await refused(
    () => tcping({ port: 0 }),
    RangeError,
    "Cannot tcping: 'port' must be an integer from 1 to 65535: got 0",
  );
  await refused(
    () => tcping({ port: "80" as never }),
    TypeError,
    "Cannot tcping: 'port' must be an integer from 1 to 65535: got '80'",
  );
  await refused(
    () => tcping({ port: 1.5 }),
    RangeError,
    "Cannot tcping: 'port' must be an integer from 1 to 65535: got 1.5",
  );
  assert.type(tcping({ port: 65535 }).next, "function");
});

test("hostname: a string naming a host or an address", async () => {
  await refused(
    () => tcping({ hostname: "a b", port: 80 }),
    TypeError,
    "Cannot tcping: 'hostname' must be a host name or IP address: got 'a b'",
  );
  await refused(
    () => tcping({ hostname: 5 as never, port: 80 }),
    TypeError,
    "Cannot tcping: 'hostname' must be a string: got number",
  );
  assert.type(tcping({ hostname: "[::1]", port: 80 }).next, "function");
});

test("integer ranges: sizes and protocol fields, bounds included", async () => {
  await refused(
    () => new PcapWriter({ linkType: 65536 }),
    RangeError,
    "Cannot write pcap: 'linkType' must be an integer from 0 to 65535: got 65536",
  );
  await refused(
    () => decodeFrame(new Uint8Array(14), -1),
    RangeError,
    "Cannot decode frame: 'linktype' must be an integer from 0 to 67108863: got -1",
  );
  await refused(
    () => serve(noop, { port: 70000 }),
    RangeError,
    "Cannot serve: 'port' must be an integer from 0 to 65535: got 70000",
  );
  await refused(
    () => buildUdpFrame({ src: { hostname: "10.0.0.1", port: 65536 }, dst: { hostname: "10.0.0.2", port: 1 } }),
    RangeError,
    "Cannot build frame: 'src.port' must be an integer from 0 to 65535: got 65536",
  );
  new PcapWriter({ linkType: 0, snaplen: 1 });
});

test("counts: an integer of at least 0, or a positive integer", async () => {
  await refused(
    () => retryPolicy({ limit: -1 }),
    RangeError,
    "Cannot retry: 'retry.limit' must be an integer of at least 0: got -1",
  );
  await refused(
    () => request("http://127.0.0.1:9999/", { maxRedirects: 1.5 }),
    RangeError,
    "Cannot send the request: 'maxRedirects' must be an integer of at least 0: got 1.5",
  );
  await refused(
    () => serveEcho({ port: 0, maxConnections: 0 }),
    RangeError,
    "Cannot serve echo: 'maxConnections' must be a positive integer: got 0",
  );
  assert.is(retryPolicy({ limit: 0 }).limit, 0);
});

test("numbers of at least 0 need not be whole, but NaN is refused", async () => {
  await refused(
    () => retryPolicy({ backoffBase: Number.NaN }),
    RangeError,
    "Cannot retry: 'retry.backoffBase' must be a number of at least 0: got NaN",
  );
  assert.is(retryPolicy({ backoffBase: 0.5 }).backoffBase, 0.5);
});

test("milliseconds: positive, and no longer than a timer can wait", async () => {
  await refused(() => tcping({ port: 80, interval: 0 }), RangeError, `Cannot tcping: 'interval' must be ${MS}: got 0`);
  await refused(
    () => tcping({ port: 80, timeout: 2 ** 31 }),
    RangeError,
    `Cannot tcping: 'timeout' must be ${MS}: got 2147483648`,
  );
  await refused(
    () => serve(noop, { idleTimeout: Number.NaN }),
    RangeError,
    `Cannot serve: 'idleTimeout' must be ${MS}: got NaN`,
  );
  assert.type(tcping({ port: 80, interval: 2 ** 31 - 1, timeout: 0.5 }).next, "function");
});

test("milliseconds or 0 for no limit", async () => {
  await refused(
    () => startProxy({ port: 0, backends: ["127.0.0.1:9"], idleTimeout: -1 }),
    RangeError,
    "Cannot start proxy: 'idleTimeout' must be 0 (no limit) or " + MS + ": got -1",
  );
});

test("choices: one of a few names", async () => {
  await refused(
    () => startProxy({ port: 0, backends: ["127.0.0.1:9"], strategy: "random" as never }),
    TypeError,
    `Cannot start proxy: 'strategy' must be "round-robin" or "least-connections": got 'random'`,
  );
});

test("functions: handlers and callbacks", async () => {
  await refused(() => serve("x" as never), TypeError, "Cannot serve: 'handler' must be a function: got string");
  await refused(
    () => serve(noop, { onError: 5 as never }),
    TypeError,
    "Cannot serve: 'onError' must be a function: got number 5",
  );
  await refused(
    () => listen({ port: 0, onDroppedConnection: null as never }),
    TypeError,
    "Cannot listen: 'onDroppedConnection' must be a function: got object",
  );
});

test("signal: every area checks it the same way", async () => {
  const message = (action: string) => `Cannot ${action}: 'signal' must be an AbortSignal: got 'x'`;
  await refused(() => tcping({ port: 80, signal: "x" as never }), TypeError, message("tcping"));
  await refused(() => listen({ port: 0, signal: "x" as never }), TypeError, message("listen"));
  await refused(() => serve(noop, { signal: "x" as never }), TypeError, message("serve"));
  await refused(() => serveEcho({ port: 0, signal: "x" as never }), TypeError, message("serve echo"));
  await refused(
    () => startProxy({ port: 0, backends: ["127.0.0.1:9"], signal: "x" as never }),
    TypeError,
    message("start proxy"),
  );
  await refused(
    () => request("http://127.0.0.1:9999/", { signal: "x" as never }),
    TypeError,
    message("send the request"),
  );
  await refused(
    () => tcping({ port: 80, signal: {} as never }),
    TypeError,
    "Cannot tcping: 'signal' must be an AbortSignal: got object",
  );
  // An aborted signal passes the check: the call then ends with the signal's reason.
  const controller = new AbortController();
  controller.abort(new Error("stopped"));
  let reason: unknown;
  await serve(noop, { port: 0, signal: controller.signal }).catch((error) => reason = error);
  assert.is((reason as Error).message, "stopped");
});

test("PEM text and lists of strings", async () => {
  await refused(
    () => listen({ port: 0, tls: { cert: "x", key: "y" } }),
    TypeError,
    "Cannot listen: 'tls.cert' must be PEM text (starting with -----BEGIN): got 'x'",
  );
  await refused(
    () => connect({ port: 1, tls: { alpnProtocols: [""] } }),
    TypeError,
    "Cannot connect: 'tls.alpnProtocols' must be an array of non-empty strings: got an array",
  );
});

test.run();
