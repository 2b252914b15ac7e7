/**
 * The load balancer configurations of examples/load_balancer/ (docs/load_balancer.md), run
 * as they are, with this test's ports in place of the documented ones, in front of two
 * `anynet serve-api` processes: requests reach both, and losing one backend loses no
 * request. Each balancer runs on 127.0.0.1 with its own files in a temporary folder; a
 * balancer that is not installed is skipped visibly (Debian: nginx, haproxy).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { announceSkip, root } from "../_helpers/env.ts";
import { exchange, parseResponse } from "../_helpers/http_raw.ts";
import { type CliProcess, hasCommand, startCli, waitForListening } from "../_helpers/net_process.ts";

/** The addresses the example files use: the balancer's and the two backends'. */
const DOCUMENTED = { front: "127.0.0.1:8080", backends: ["127.0.0.1:3001", "127.0.0.1:3002"] } as const;

/** A port nothing listens on now (the balancer binds it right after). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One request through the balancer: the status and the backend that answered, as the balancer reports it. */
async function getThrough(port: number): Promise<{ status: number; upstream: string; body: string }> {
  const text = await exchange(port, "GET /posts/1 HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n\r\n");
  const reply = parseResponse(text, true);
  if (!reply) throw new Error(`an incomplete answer: ${text}`);
  // nginx lists every backend it tried ("A, B"): the last one answered.
  const upstream = reply.headers["x-upstream"]?.split(", ").at(-1) ?? "";
  return { status: reply.status, upstream, body: reply.body };
}

/** Waits until the balancer answers at all. */
async function untilAnswering(port: number, balancer: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (balancer.exitCode !== null) throw new Error(`the balancer exited ${balancer.exitCode}: ${log()}`);
    try {
      await getThrough(port);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the balancer does not answer: ${error}\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

interface Balancer {
  /** The program, which the test skips without. */
  program: string;
  /** The example configuration, under examples/load_balancer/. */
  file: string;
  /** The arguments that run it in the foreground with its files in `dir`. */
  args(dir: string, config: string): string[];
}

const balancers: Balancer[] = [
  {
    program: "nginx",
    file: "nginx.conf",
    args: (dir, config) => [
      "-p",
      `${dir}/`,
      "-e",
      join(dir, "error.log"),
      "-c",
      config,
      "-g",
      `daemon off; pid ${join(dir, "nginx.pid")};`,
    ],
  },
  { program: "haproxy", file: "haproxy.cfg", args: (dir, config) => ["-f", config, "-p", join(dir, "haproxy.pid")] },
];

for (const balancer of balancers) {
  test(`${balancer.program} with examples/load_balancer/${balancer.file} spreads requests over two serve-api processes and survives losing one`, async () => {
    if (!hasCommand(balancer.program)) {
      announceSkip(`${balancer.program} is not installed (Debian package: ${balancer.program})`);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), `anynet-${balancer.program}-`));
    const backends: CliProcess[] = [];
    let lb: ChildProcess | undefined;
    let log = "";
    try {
      for (let i = 0; i < 2; i++) backends.push(startCli(["serve-api", "--port", "0"]));
      const ports = await Promise.all(backends.map((backend) => waitForListening(backend)));
      const front = await freePort();
      let config = readFileSync(join(root, "examples", "load_balancer", balancer.file), "utf8");
      config = config.replaceAll(DOCUMENTED.front, `127.0.0.1:${front}`);
      DOCUMENTED.backends.forEach((address, i) => (config = config.replaceAll(address, `127.0.0.1:${ports[i]}`)));
      mkdirSync(join(dir, "logs"));
      const configFile = join(dir, balancer.file);
      writeFileSync(configFile, config);
      lb = spawn(balancer.program, balancer.args(dir, configFile), { stdio: ["ignore", "pipe", "pipe"] });
      lb.stdout!.on("data", (chunk) => (log += chunk));
      lb.stderr!.on("data", (chunk) => (log += chunk));
      await untilAnswering(front, lb, () => log);

      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const { status, upstream, body } = await getThrough(front);
        assert.is(status, 200, body);
        assert.is(JSON.parse(body).id, 1);
        seen.add(upstream);
      }
      assert.equal([...seen].sort(), ports.map((port) => `127.0.0.1:${port}`).sort(), log);

      const { code } = await backends[1]!.stop("SIGTERM");
      assert.is(code, 0);
      for (let i = 0; i < 6; i++) {
        const { status, upstream, body } = await getThrough(front);
        assert.is(status, 200, `request ${i + 1} after a backend stopped: ${body}\n${log}`);
        assert.is(upstream, `127.0.0.1:${ports[0]}`);
      }
    } finally {
      if (lb && lb.exitCode === null) {
        const ended = new Promise((resolve) => lb!.once("close", resolve));
        lb.kill("SIGTERM");
        await ended;
      }
      await Promise.all(backends.map((backend) => backend.stop("SIGTERM")));
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
