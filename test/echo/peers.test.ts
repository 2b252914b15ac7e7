/**
 * Peers: the echo client of the runtime under test against echo servers on the other
 * two runtimes (over the three runtimes' runs, every pair), and clients no one here
 * wrote: python3's socket module and `openssl s_client`.
 */
import { spawn, spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { echo, udpEcho } from "anynet/echo";
import { announceSkip, testRuntime } from "../_helpers/env.ts";
import { firstDifference, pattern, sameBytes } from "../_helpers/net_bytes.ts";
import { canRun, type CliRuntime, hasCommand, startEchoServer } from "../_helpers/net_process.ts";
import { hasOpenssl, makeTestPki } from "../_helpers/tls_pki.ts";

const others = (["node", "deno", "bun"] as CliRuntime[]).filter((r) => r !== testRuntime);

for (const server of others) {
  const runnable = canRun(server);
  if (!runnable) announceSkip(`the CLI cannot start on ${server} here: the ${testRuntime}→${server} pair is skipped`);
  (runnable ? test : test.skip)(
    `a ${testRuntime} client against a ${server} echo-server: TCP (1 byte to 4 MiB) and UDP`,
    async () => {
      const tcp = await startEchoServer([], { runtime: server });
      const udp = await startEchoServer(["--udp"], { runtime: server });
      try {
        for (const size of [1, 1000, 4 * 1024 * 1024]) {
          const data = pattern(size, size + 1);
          const back = await echo(data, { port: tcp.port, timeout: 30000 });
          assert.ok(sameBytes(back, data), `${size} bytes: ${firstDifference(back, data)}`);
        }
        assert.is(await echo(`from ${testRuntime}`, { port: tcp.port }), `from ${testRuntime}`);
        assert.is(await udpEcho(`datagram from ${testRuntime}`, { port: udp.port }), `datagram from ${testRuntime}`);
      } finally {
        assert.is((await tcp.proc.stop()).code, 0, tcp.proc.stderr());
        assert.is((await udp.proc.stop()).code, 0, udp.proc.stderr());
      }
    },
  );
}

const hasPython = hasCommand("python3");
if (!hasPython) announceSkip("python3 is not installed: the python socket peer tests are skipped");

const PYTHON_PEER = `
import socket, sys
mode, port = sys.argv[1], int(sys.argv[2])
message = bytes((i * 7 + 3) % 256 for i in range(int(sys.argv[3])))
if mode == "tcp":
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(message)
        s.shutdown(socket.SHUT_WR)
        received = b""
        while True:
            data = s.recv(65536)
            if not data:
                break
            received += data
else:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(10)
        s.sendto(message, ("127.0.0.1", port))
        received, _ = s.recvfrom(65536)
print("same" if received == message else f"differs: sent {len(message)}, got {len(received)}")
`;

function python(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("python3", ["-c", PYTHON_PEER, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

(hasPython ? test : test.skip)(
  "a python3 socket client gets its bytes back over TCP (with half-close) and UDP",
  async () => {
    const tcp = await startEchoServer();
    const udp = await startEchoServer(["--udp"]);
    try {
      for (const size of ["5", "200000"]) {
        const run = await python(["tcp", String(tcp.port), size]);
        assert.is(run.stdout.trim(), "same", `${size} bytes over TCP: ${run.stdout}${run.stderr}`);
      }
      const run = await python(["udp", String(udp.port), "1200"]);
      assert.is(run.stdout.trim(), "same", `UDP: ${run.stdout}${run.stderr}`);
    } finally {
      assert.is((await tcp.proc.stop()).code, 0);
      assert.is((await udp.proc.stop()).code, 0);
    }
  },
);

const openssl = hasOpenssl();
if (!openssl) announceSkip("openssl is not installed: the openssl s_client peer test is skipped");

(openssl ? test : test.skip)("openssl s_client verifies the TLS echo-server and gets its line back", async () => {
  const pki = makeTestPki();
  const { proc, port } = await startEchoServer(["--tls", "--cert", pki.certPath, "--key", pki.keyPath]);
  try {
    const child = spawn("openssl", [
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-servername",
      "localhost",
      "-CAfile",
      pki.caPath,
      "-verify_return_error",
      "-verify_hostname",
      "localhost",
      "-brief",
    ], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const closed = new Promise((resolve) => child.on("close", resolve));
    child.stdin.write("hello from openssl\n");
    const deadline = Date.now() + 20000;
    while (!stdout.includes("hello from openssl") && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGTERM");
    await closed;
    assert.ok(stdout.includes("hello from openssl\n"), `stdout: ${stdout}\nstderr: ${stderr}`);
    assert.match(stderr, /Verification: OK/);
    // And a TLS client without the CA is refused by verification, not served.
    const untrusted = spawnSync("openssl", [
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-verify_return_error",
      "-brief",
    ], {
      input: "x\n",
      encoding: "utf8",
      timeout: 20000,
    });
    assert.ok(untrusted.status !== 0, "s_client without the CA fails verification");
  } finally {
    assert.is((await proc.stop()).code, 0, proc.stderr());
    pki.cleanup();
  }
});

(openssl ? test : test.skip)(
  "anynet echo --tls --ca verifies the server; without --ca it fails with one line",
  async () => {
    const pki = makeTestPki();
    const { proc, port } = await startEchoServer(["--tls", "--cert", pki.certPath, "--key", pki.keyPath]);
    try {
      const { runCli } = await import("../_helpers/cli.ts");
      const ok = await runCli([
        "echo",
        "--tls",
        "--ca",
        pki.caPath,
        "--host",
        "localhost",
        "--port",
        String(port),
        "secret",
      ]);
      assert.is(ok.code, 0, ok.stderr);
      assert.is(ok.stdout, "Sent: secret\nReceived: secret\n");
      const refused = await runCli(["echo", "--tls", "--port", String(port), "secret"]);
      assert.is(refused.code, 1);
      // The reason, in words, once: the address is not repeated by the error's own "Cannot connect to …".
      assert.match(
        refused.stderr,
        new RegExp(
          `^anynet echo: TLS failure with 127\\.0\\.0\\.1:${port}: the certificate is not trusted \\(.+\\); give the CA .+\\n$`,
        ),
      );
      assert.not.match(refused.stderr, /Cannot connect/);
    } finally {
      assert.is((await proc.stop()).code, 0, proc.stderr());
      pki.cleanup();
    }
  },
);

test.run();
