import { test } from "uvu";
import * as assert from "uvu/assert";
import { announceSkip, testRuntime } from "../_helpers/env.ts";
import { startServeApi } from "../_helpers/http_cli.ts";
import { RawConnection } from "../_helpers/http_raw.ts";
import { hasCommand } from "../_helpers/net_process.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("anynet serve-api with 64 file descriptors outlives 100 clients at once and serves again once they leave", async () => {
  if (!hasCommand("prlimit")) {
    announceSkip("prlimit (util-linux) is not installed");
    return;
  }
  const api = await startServeApi([], { wrapper: ["prlimit", "--nofile=64:64", "--"] });
  const port = Number(new URL(api.url).port);
  const clients: RawConnection[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      const client = await RawConnection.open(port);
      client.write("GET /posts/1 HTTP/1.1\r\nHost: x\r\n\r\n");
      clients.push(client);
    }
    await sleep(2000);
    assert.is(api.child.exitCode, null, "the server ended while out of file descriptors");
    const answered = clients.filter((client) => client.received.startsWith("HTTP/1.1 200 ")).length;
    assert.ok(answered > 0 && answered < 100, `${answered} of 100 clients answered`);
    for (const client of clients) client.destroy();
    await sleep(500);
    // Answered within 10 s: on Deno the accept loop retries with a backoff of up to 1 s.
    const again = await RawConnection.open(port);
    clients.push(again);
    again.write("GET /posts/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.is((await again.response(10_000)).status, 200);
    assert.is(api.child.exitCode, null);
  } finally {
    for (const client of clients) client.destroy();
    const { code, stderr } = await api.stop();
    assert.is(code, 0, stderr);
    // Node and Bun recover without a word; Deno says once each time accepting starts to fail.
    // (Deno may also warn that it could not load its CA file then: that is Deno's own line.)
    const ours = stderr.split("\n").filter((line) => /^(serve|anynet)\b/.test(line));
    if (testRuntime === "deno") {
      assert.ok(ours.length > 0, stderr);
      for (const line of ours) {
        assert.match(
          line,
          /^serve: cannot accept connections on 127\.0\.0\.1:\d+: Too many open files \(os error 24\); retrying$/,
        );
      }
    } else {
      assert.equal(ours, []);
    }
  }
});

test.run();
