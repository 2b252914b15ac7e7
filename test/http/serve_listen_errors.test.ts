/**
 * serve() fails to listen with the same typed errors as listen() on every runtime (each
 * runtime's own server fails in its own words and types), and takes a host name the way
 * listen() does: resolved first, so `url` names the address on every runtime.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { serve } from "anynet/http";
import {
  AddressInUseError,
  AddressNotAvailableError,
  HostNotFoundError,
  listen,
  type NetError,
  TlsError,
} from "anynet/net";

async function serveFailure(options: Parameters<typeof serve>[1]): Promise<unknown> {
  try {
    const server = await serve(() => new Response("listening"), options);
    await server.close();
  } catch (error) {
    return error;
  }
  assert.unreachable(`serve(${JSON.stringify(options)}) listened`);
}

test("serve() on a port in use rejects with AddressInUseError, as listen() does", async () => {
  await using taken = await listen({ hostname: "127.0.0.1", port: 0 });
  const port = taken.addr.port;
  const error = await serveFailure({ hostname: "127.0.0.1", port });
  assert.instance(error, AddressInUseError);
  assert.is((error as NetError).code, "EADDRINUSE");
  assert.match((error as Error).message, new RegExp(`^Cannot listen on 127\\.0\\.0\\.1:${port}: `));
  assert.ok((error as Error).cause !== undefined, "the runtime's own error is kept as the cause");
});

test("serve() on an address of no interface here rejects with AddressNotAvailableError", async () => {
  // 192.0.2.0/24 is reserved for documentation (RFC 5737): no machine has it.
  const error = await serveFailure({ hostname: "192.0.2.1", port: 0 });
  assert.instance(error, AddressNotAvailableError);
  assert.match((error as Error).message, /^Cannot listen on 192\.0\.2\.1:0: /);
});

test("serve() resolves a host name first: the url names the address, an unknown name is HostNotFoundError", async () => {
  await using server = await serve(() => new Response("by name"), { hostname: "localhost", port: 0 });
  assert.ok(["127.0.0.1", "::1"].includes(server.addr.hostname), server.addr.hostname);
  assert.ok(!server.url.includes("localhost"), server.url);
  assert.is(await (await fetch(server.url)).text(), "by name");
  const error = await serveFailure({ hostname: "no-such-host.invalid", port: 0 });
  assert.instance(error, HostNotFoundError);
  assert.match((error as Error).message, /^Cannot listen on no-such-host\.invalid:0: /);
});

test("serve({ tls }) with a certificate or key it cannot read rejects with TlsError", async () => {
  const pem = (label: string) => `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`;
  for (const tls of [{ cert: "x", key: "y" }, { cert: pem("CERTIFICATE"), key: pem("PRIVATE KEY") }]) {
    const error = await serveFailure({ hostname: "127.0.0.1", port: 0, tls });
    assert.instance(error, TlsError, String(error));
    assert.match((error as Error).message, /^Cannot listen on 127\.0\.0\.1:0: /);
  }
});

test("serve() refuses a hostname that is not a host name before listening", async () => {
  for (
    const [hostname, said] of [
      [42, "must be a string: got number"],
      ["", "must be a host name or IP address: got ''"],
      [
        "a b",
        "must be a host name or IP address: got 'a b'",
      ],
    ] as const
  ) {
    const error = await serveFailure({ hostname: hostname as string, port: 0 });
    assert.instance(error, TypeError);
    assert.is((error as Error).message, `Cannot serve: 'hostname' ${said}`);
  }
});

test.run();
