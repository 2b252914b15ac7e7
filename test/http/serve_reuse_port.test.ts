/**
 * `serve({ reusePort })` shares a port between servers (what `--workers` is built on),
 * over TLS too: Deno's TLS listener once left the option out, and the second server then
 * failed with "Address already in use".
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { get, serve } from "anynet/http";
import { UnsupportedError } from "anynet/net";
import { announceSkip, testRuntime } from "../_helpers/env.ts";
import { hasOpenssl, makeTestPki } from "../_helpers/tls_pki.ts";

/** Where the runtime can share a port: Node 22.12+, Bun, Deno with --unstable-net. */
function sharingSupported(): boolean {
  const [major, minor] = process.versions.node.split(".").map(Number);
  const g = globalThis as { Deno?: { listenDatagram?: unknown } };
  return testRuntime === "bun" ||
    (testRuntime === "node" && (major! > 22 || (major === 22 && minor! >= 12))) ||
    (testRuntime === "deno" && typeof g.Deno?.listenDatagram === "function");
}

for (const secure of [false, true]) {
  test(`serve({ reusePort${secure ? ", tls" : ""} }) shares the port where the runtime can, else says why`, async () => {
    if (secure && !hasOpenssl()) {
      announceSkip("openssl is not installed: the TLS case is skipped");
      return;
    }
    const pki = secure ? makeTestPki() : undefined;
    const tls = pki ? { cert: pki.cert, key: pki.key } : undefined;
    try {
      if (!sharingSupported()) {
        const error = await serve(() => new Response("a"), { hostname: "127.0.0.1", port: 0, tls, reusePort: true })
          .then((server) => (server.close(), undefined), (e: Error & { code?: string }) => e);
        assert.instance(error, UnsupportedError, String(error));
        assert.is(error?.code, "EUNSUPPORTED", String(error));
        assert.match(error!.message, /reusePort/);
        return;
      }
      await using first = await serve(() => new Response("first"), {
        hostname: "127.0.0.1",
        port: 0,
        tls,
        reusePort: true,
      });
      await using second = await serve(() => new Response("second"), {
        hostname: "127.0.0.1",
        port: first.addr.port,
        tls,
        reusePort: true,
      });
      assert.is(second.addr.port, first.addr.port);
      const url = `${secure ? "https://localhost" : "http://127.0.0.1"}:${first.addr.port}/`;
      const response = await get(url, pki ? { ca: pki.caCert } : {});
      assert.ok(["first", "second"].includes(await response.text()));
    } finally {
      pki?.cleanup();
    }
  });
}

// The Deno leg runs without --unstable-net, so the cases above took the refusal: this file
// runs again in a Deno that has the flag, where the port is shared.
if (testRuntime === "deno" && !sharingSupported()) {
  test("Deno with --unstable-net: serve({ reusePort }) shares the port, with and without TLS", () => {
    const deno = (globalThis as unknown as { Deno: { execPath(): string } }).Deno.execPath();
    const run = spawnSync(deno, ["run", "-A", "--no-lock", "--unstable-net", fileURLToPath(import.meta.url)], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    assert.is(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /Passed:\s+2/);
  });
}

test.run();
