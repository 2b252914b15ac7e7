/**
 * Backpressure of `anynet serve-api` against a client that pipelines requests and never
 * reads the answers: the server must stop reading it, keep its memory bounded, and go on
 * answering everyone else.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, type Socket } from "node:net";
import { Buffer } from "node:buffer";
import { RSS_GROWTH_LIMIT_KIB, rssKiB } from "../_helpers/abuse.ts";
import { startServeApi } from "../_helpers/http_cli.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the client offers at most: a server that reads all of it has not stopped reading. */
const OFFER_BYTES = 8 * 2 ** 20;
/** A write the kernel has not taken within this long means the server stopped reading. */
const STALL_MS = 1500;

/**
 * Pipelines `request` over `socket` until the connection stalls, fails, or
 * {@linkcode OFFER_BYTES} went out; never reads. Resolves to the bytes the kernel took and
 * whether it stalled.
 */
async function pipelineUnread(socket: Socket, request: string): Promise<{ sent: number; stalled: boolean }> {
  const batch = Buffer.from(request.repeat(Math.ceil(64 * 1024 / request.length)));
  let sent = 0;
  let failed = false;
  socket.on("error", () => (failed = true));
  while (sent < OFFER_BYTES && !failed) {
    const taken = socket.write(batch);
    sent += batch.length;
    if (!taken) {
      const drained = await Promise.race([
        new Promise<boolean>((resolve) => socket.once("drain", () => resolve(true))),
        sleep(STALL_MS).then(() => false),
      ]);
      if (!drained) return { sent: sent - socket.writableLength, stalled: true };
    }
  }
  return { sent: sent - socket.writableLength, stalled: failed };
}

test("serve-api: a client pipelining requests it never reads is no longer read; memory stays bounded; others are answered", async () => {
  const server = await startServeApi();
  let abuser: Socket | undefined;
  try {
    // A few ordinary requests first, so that what the first requests cost is not counted.
    for (let i = 0; i < 20; i++) await (await fetch(`${server.url}/posts`)).arrayBuffer();
    const before = rssKiB(server.child.pid);
    const port = Number(new URL(server.url).port);
    const socket = connect(port, "127.0.0.1");
    abuser = socket;
    socket.pause(); // never read
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const { sent, stalled } = await pipelineUnread(socket, "GET /posts HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const took = `${(sent / 2 ** 20).toFixed(1)} MiB`;
    assert.ok(stalled, `the server read all ${took} of requests whose answers were never read`);

    const answer = await fetch(`${server.url}/posts/1`, { signal: AbortSignal.timeout(10_000) });
    assert.is(answer.status, 200, "another client is answered while the unread client holds");
    await answer.arrayBuffer();

    const after = rssKiB(server.child.pid);
    if (before !== undefined && after !== undefined) {
      const grewMiB = (after - before) / 1024;
      assert.ok(
        after - before <= RSS_GROWTH_LIMIT_KIB,
        `resident memory grew by ${grewMiB.toFixed(1)} MiB (limit ${
          RSS_GROWTH_LIMIT_KIB / 1024
        } MiB) after ${took} of unread requests`,
      );
    }
  } finally {
    abuser?.destroy();
    await server.stop();
  }
});

test.run();
