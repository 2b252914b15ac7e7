import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, listen } from "anynet/net";
import { runCli, runMain } from "../_helpers/cli.ts";
import { devBin, root, testRuntime } from "../_helpers/env.ts";
import { readAll } from "../_helpers/net_bytes.ts";
import { startCli, startEchoServer, waitForListening } from "../_helpers/net_process.ts";

const text = (bytes: Uint8Array | null) => (bytes ? new TextDecoder().decode(bytes) : null);

test("anynet echo-server --port 0 prints 'listening on', serves 'anynet echo', stops on SIGTERM with 0", async () => {
  const { proc, port } = await startEchoServer();
  assert.match(proc.stdout(), new RegExp(`^listening on 127\\.0\\.0\\.1:${port}\\n$`));
  const run = await runCli(["echo", "--port", String(port), "hello", "echo"]);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, "Sent: hello echo\nReceived: hello echo\n");
  const { code } = await proc.stop("SIGTERM");
  assert.is(code, 0, proc.stderr());
  assert.match(proc.stderr(), /connection from 127\.0\.0\.1:\d+/);
  assert.match(proc.stderr(), /closed 127\.0\.0\.1:\d+ \(10 bytes echoed\)/);
});

test("anynet echo-server stops gracefully on SIGINT: a connected client gets its echo, then FIN", async () => {
  const { proc, port } = await startEchoServer();
  const conn = await connect({ port });
  await conn.write("in flight");
  assert.is(text(await conn.read()), "in flight");
  const stopping = proc.stop("SIGINT");
  const rest = await readAll(conn);
  assert.is(rest.byteLength, 0, "nothing more, then the end of the stream");
  const { code } = await stopping;
  assert.is(code, 0, proc.stderr());
  conn.close();
  // And it is really gone.
  const after = await runCli(["echo", "--port", String(port), "x"]);
  assert.is(after.code, 1);
});

test("anynet echo-server --quiet logs nothing on stderr", async () => {
  const { proc, port } = await startEchoServer(["--quiet"]);
  const run = await runCli(["echo", "--port", String(port), "shh"]);
  assert.is(run.code, 0, run.stderr);
  assert.is((await proc.stop()).code, 0);
  assert.is(proc.stderr(), "");
});

test("anynet echo-server --once serves one client and exits 0 by itself", async () => {
  const { proc, port } = await startEchoServer(["--once"]);
  const run = await runCli(["echo", "--port", String(port), "just once"]);
  assert.is(run.code, 0, run.stderr);
  const { code } = await proc.exited;
  assert.is(code, 0, proc.stderr());
});

test("anynet echo-server --udp and anynet echo --udp", async () => {
  const { proc, port } = await startEchoServer(["--udp"]);
  const run = await runCli(["echo", "--udp", "--port", String(port), "datagram"]);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, "Sent: datagram\nReceived: datagram\n");
  assert.is((await proc.stop()).code, 0, proc.stderr());
});

test("echo-server --host localhost names the address it listens on, 127.0.0.1, on every runtime (TCP and UDP)", async () => {
  for (const extra of [[], ["--udp"]]) {
    const { proc, port } = await startEchoServer(["--host", "localhost", ...extra]);
    assert.is((await proc.stop()).code, 0, proc.stderr());
    assert.is(proc.stdout(), `listening on 127.0.0.1:${port}\n`);
    assert.match(
      proc.stderr(),
      new RegExp(`^echo-server: (TCP|UDP .*) echo on 127\\.0\\.0\\.1:${port}; stop with Ctrl-C\n`),
    );
  }
  await using listener = await listen({ hostname: "localhost", port: 0 });
  assert.is(listener.addr.hostname, "127.0.0.1");
});

test("anynet echo to a closed port is one line on stderr and exit code 1", async () => {
  const probe = await listen({ port: 0 });
  const { port } = probe.addr;
  probe.close();
  const run = await runCli(["echo", "--port", String(port), "anyone?"]);
  assert.is(run.code, 1);
  assert.is(run.stdout, "");
  assert.is(run.stderr, `anynet echo: connection refused by 127.0.0.1:${port} (is the server running?)\n`);
});

test("anynet echo to a server that never answers times out with exit code 1", async () => {
  await using silent = await listen({ port: 0 });
  const held: { close(): void }[] = [];
  (async () => {
    for await (const conn of silent) held.push(conn);
  })();
  const run = await runCli(["echo", "--port", String(silent.addr.port), "--timeout", "0.5", "hello?"]);
  assert.is(run.code, 1);
  assert.is(run.stderr, `anynet echo: no answer from 127.0.0.1:${silent.addr.port} in time\n`);
  for (const conn of held) conn.close();
});

test("anynet echo-server rejects bad usage with exit code 2", async () => {
  for (
    const [i, args] of [
      ["echo-server", "--port", "70000"],
      ["echo-server", "--tls"],
      ["echo-server", "--cert", "x.pem"],
      ["echo-server", "--udp", "--tls", "--cert", "a", "--key", "b"],
      ["echo-server", "--max-connections", "0"],
      ["echo", "--port", "0", "x"],
      ["echo"],
    ].entries()
  ) {
    const run = await (i === 0 ? runCli : runMain)(args);
    assert.is(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, /^anynet echo(-server)?: .+\nRun 'anynet echo(-server)? --help' for usage\.\n$/);
  }
});

test("anynet echo-server on a port in use fails with one line and exit code 1", async () => {
  await using taken = await listen({ port: 0 });
  const run = await runCli(["echo-server", "--port", String(taken.addr.port)]);
  assert.is(run.code, 1);
  assert.is(run.stderr, `anynet echo-server: cannot listen: 127.0.0.1:${taken.addr.port} is already in use\n`);
});

test("anynet echo-server --tls with a missing certificate file fails with one line", async () => {
  const run = await runCli([
    "echo-server",
    "--port",
    "0",
    "--tls",
    "--cert",
    "/no/such/cert.pem",
    "--key",
    "/no/such/key.pem",
  ]);
  assert.is(run.code, 1);
  assert.is(run.stderr, "anynet echo-server: cannot read --cert /no/such/cert.pem: no such file\n");
});

test("anynet echo-server --max-connections and --idle-timeout", async () => {
  const proc = startCli(["echo-server", "--port", "0", "--max-connections", "1", "--idle-timeout", "1"]);
  try {
    const port = await waitForListening(proc);
    const first = await connect({ port });
    await first.write("one");
    assert.is(text(await first.read()), "one");
    // Connected from here, not by starting a CLI: that may take longer than the idle timeout.
    const second = await connect({ port });
    await second.write("two");
    assert.is(await second.read().catch(() => null), null, "the second client is closed at once");
    second.close();
    // The first, now idle, is closed after the idle timeout.
    assert.is(await first.read(), null);
    first.close();
    const third = await runCli(["echo", "--port", String(port), "three"]);
    assert.is(third.code, 0, third.stderr);
  } finally {
    assert.is((await proc.stop()).code, 0);
  }
  assert.match(proc.stderr(), /refused 127\.0\.0\.1:\d+: more than 1 connections/);
  assert.match(proc.stderr(), /idle timeout/);
});

(testRuntime === "deno" ? test : test.skip)(
  "on Deno without --allow-net, the commands fail naming the permission and the flag that grants it",
  async () => {
    const { spawnSync } = await import("node:child_process");
    for (
      const args of [["echo-server", "--port", "0"], ["echo-server", "--udp", "--port", "0"], [
        "echo",
        "--port",
        "5000",
        "x",
      ], ["echo", "--udp", "--port", "5000", "x"]]
    ) {
      const run = spawnSync(devBin("deno"), [
        "run",
        "--no-lock",
        "--allow-read",
        "--allow-env",
        join(root, "src", "cli.ts"),
        ...args,
      ], {
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
        timeout: 30000,
      });
      assert.is(run.status, 1, `${args.join(" ")}: ${run.stderr}`);
      assert.match(
        run.stderr,
        /^anynet echo(-server)?: (cannot listen: )?permission denied for 127\.0\.0\.1:\d+ \([^\n]*Requires net access[^\n]*\)\nDeno needs --allow-net \(network access\) for this command\. Run it as:\n {2}deno run --allow-read --allow-env --allow-net \S+ echo/,
      );
    }
  },
);

test.run();
