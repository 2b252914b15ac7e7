/**
 * `--workers N` on the server commands: N threads share one port, one address is
 * printed, connections reach more than one worker, SIGTERM stops them all gracefully
 * (exit 0, the port free again), and bad values are usage errors.
 */
import * as net from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli, runMain } from "../_helpers/cli.ts";
import { exchange } from "../_helpers/http_raw.ts";
import { type CliProcess, startCli, startEchoServer, waitForListening } from "../_helpers/net_process.ts";
import { echoExchange } from "../_helpers/tools_clients.ts";

/** Deno shares a port only with --unstable-net (see src/cli/workers.ts). */
const denoFlags = ["--unstable-net"];

/** Whether a new connection to `port` is refused (nothing listens there any more). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

/** Stops `proc` with SIGTERM; checks exit 0, one address printed, and the port free. */
async function stopsCleanly(proc: CliProcess, port: number): Promise<void> {
  const { code, signal } = await proc.stop("SIGTERM");
  assert.is(code, 0, `exit ${code} ${signal}\nstderr: ${proc.stderr()}`);
  assert.is(proc.stdout().match(/listening on/g)?.length, 1, proc.stdout());
  assert.ok(await refused(port), "something still listens on the port after the exit");
}

test("serve-api --workers 2 answers from both workers on one port and stops both on SIGTERM", async () => {
  const proc = startCli(["serve-api", "--port", "0", "--workers", "2"], { denoFlags });
  try {
    const port = await waitForListening(proc);
    // The kernel picks a listener per connection (a hash of its addresses): a few dozen
    // connections meet both workers unless only one listens.
    const seen = new Set<string>();
    for (let i = 0; i < 64 && seen.size < 2; i++) {
      const reply = await exchange(port, "GET /posts/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assert.match(reply, /^HTTP\/1\.1 200/);
      const worker = /^x-anynet-worker: *(\d+)\r$/im.exec(reply)?.[1];
      assert.ok(worker === "1" || worker === "2", reply);
      seen.add(worker!);
    }
    assert.equal([...seen].sort(), ["1", "2"]);
    await stopsCleanly(proc, port);
  } finally {
    proc.child.kill("SIGKILL");
  }
});

test("echo-server --workers 2 echoes on one port and sums what the workers dropped", async () => {
  const { proc, port } = await startEchoServer(["--workers", "2"], { denoFlags });
  try {
    for (let i = 0; i < 4; i++) {
      const outcome = await echoExchange(port, { messages: 2, size: 100, pauseMs: 0, seed: i + 1 });
      assert.ok(outcome.complete, JSON.stringify(outcome));
    }
    await stopsCleanly(proc, port);
    assert.match(proc.stderr(), /TCP echo on 127\.0\.0\.1:\d+ \(2 workers\)/);
    assert.is(proc.stderr().match(/^connection from/gm)?.length, 4, proc.stderr());
    assert.match(proc.stderr(), /echo-server: stopped\n/);
  } finally {
    proc.child.kill("SIGKILL");
  }
});

test("proxy --workers 2 passes connections on and prints the workers' counts summed", async () => {
  const backend = await startEchoServer(["--quiet"]);
  const proc = startCli(
    ["proxy", "--listen", "127.0.0.1:0", "--backend", `127.0.0.1:${backend.port}`, "--workers", "2"],
    { denoFlags },
  );
  try {
    const port = await waitForListening(proc);
    for (let i = 0; i < 6; i++) {
      const outcome = await echoExchange(port, { messages: 1, size: 50, pauseMs: 0, seed: i + 1 });
      assert.ok(outcome.complete, JSON.stringify(outcome));
    }
    await stopsCleanly(proc, port);
    assert.match(proc.stderr(), /round-robin, 2 workers; stop with Ctrl-C/);
    assert.match(proc.stdout(), /up {4}6 connections, 0 refused, 0 broken, 300 bytes up, 300 bytes down/);
    assert.match(proc.stdout(), /total: 6 connections accepted/);
  } finally {
    proc.child.kill("SIGKILL");
    await backend.proc.stop();
  }
});

test("bad --workers values are usage errors (exit 2) naming the value", async () => {
  for (
    const [i, [args, message]] of ([
      [["serve-api", "--workers", "0"], /--workers must be a whole number from 1 to 256, or 'auto': got '0'/],
      [["proxy", "--listen", "127.0.0.1:0", "--backend", "127.0.0.1:1", "--workers", "two"], /got 'two'/],
      [["echo-server", "--udp", "--workers", "2"], /--workers applies to TCP and TLS servers/],
    ] as const).entries()
  ) {
    const { code, stdout, stderr } = await (i === 0 ? runCli : runMain)([...args]);
    assert.is(code, 2, stderr);
    assert.is(stdout, "");
    assert.match(stderr, message);
    assert.match(stderr, /Run 'anynet [a-z-]+ --help' for usage/);
  }
});

test.run();
