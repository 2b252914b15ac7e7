// The echo benchmark's C programs (scripts/bench/_echo/): the load client must verify every
// echoed byte, or the benchmark's figures could come from a server that echoes garbage.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { announceSkip, onPath, root } from "../_helpers/env.ts";

const hasGcc = onPath("gcc");
if (!hasGcc) announceSkip("gcc is not installed: the echo benchmark's C programs cannot be built");
const maybe = hasGcc ? test : test.skip;

let dir = "";
const binary = (name: string) => join(dir, name);

test.before(() => {
  if (!hasGcc) return;
  dir = mkdtempSync(join(tmpdir(), "anynet-echo-harness-"));
  for (const name of ["echo_server", "load_client"]) {
    const gcc = spawnSync("gcc", ["-O2", "-o", binary(name), join(root, "scripts", "bench", "_echo", `${name}.c`)], {
      encoding: "utf8",
    });
    if (gcc.status !== 0) throw new Error(`gcc failed on ${name}.c: ${gcc.stderr}`);
  }
});

test.after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the load client to completion and parses its JSON. */
function runClient(args: string[]): Promise<Record<string, number | boolean | string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary("load_client"), args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30000);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`load_client exited with ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

/** Starts the C echo server and resolves with its port, its PID and a stop function. */
function startCServer(): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary("echo_server"), ["--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
      if (match) {
        const closed = new Promise<void>((done) => child.on("close", () => done()));
        resolve({ port: Number(match[1]), pid: child.pid!, stop: () => (child.kill("SIGTERM"), closed) });
      }
    });
    child.on("error", reject);
    child.on("close", (code) => reject(new Error(`echo_server exited with ${code} before listening`)));
  });
}

/** A Node-API echo server on 127.0.0.1 port 0 whose echo is whatever `transform` makes of each chunk. */
function startJsServer(transform: (chunk: Uint8Array, socket: Socket) => void): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((socket) => {
      socket.on("error", () => socket.destroy());
      socket.on("data", (chunk: Uint8Array) => transform(chunk, socket));
    });
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function portOf(server: Server): number {
  return (server.address() as { port: number }).port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

maybe("load_client checks every echoed byte from the C echo server, across partial reads and writes", async () => {
  const server = await startCServer();
  try {
    for (const size of [1, 64, 200000]) {
      const result = await runClient([
        "--port",
        String(server.port),
        "--connections",
        "4",
        "--size",
        String(size),
        "--count",
        "200",
        "--warmup",
        "0",
      ]);
      assert.is(result.mode, "load");
      assert.ok((result.roundTrips as number) >= 200, `size ${size}: ${JSON.stringify(result)}`);
      assert.is(result.mismatches, 0, `size ${size}`);
      assert.is(result.failures, 0, `size ${size}`);
      assert.is(result.stalled, false, `size ${size}`);
      assert.ok((result.roundTripsPerSecond as number) > 0, `size ${size}: ${JSON.stringify(result)}`);
      // Printed with two decimals: 200 round trips of one byte are 0.00 MB/s whatever the speed.
      if (size === 200000) assert.ok((result.megabytesPerSecond as number) > 0, JSON.stringify(result));
    }
  } finally {
    await server.stop();
  }
});

maybe("load_client reports a single flipped byte as a mismatch", async () => {
  let echoed = 0;
  const server = await startJsServer((chunk, socket) => {
    const copy = new Uint8Array(chunk);
    // Corrupt one byte, in the fourth message a connection sends.
    echoed += copy.length;
    if (echoed > 3 * 64 && echoed - copy.length <= 3 * 64) copy[copy.length - 1] ^= 0x10;
    socket.write(copy);
  });
  try {
    const result = await runClient([
      "--port",
      String(portOf(server)),
      "--connections",
      "1",
      "--size",
      "64",
      "--count",
      "20",
      "--warmup",
      "0",
      "--timeout",
      "2",
    ]);
    assert.is(result.mismatches, 1, JSON.stringify(result));
    assert.is(result.failures, 1, "the corrupted connection is given up");
  } finally {
    await closeServer(server);
  }
});

maybe("load_client reports a server that closes mid-echo as a failure, not a hang", async () => {
  const server = await startJsServer((chunk, socket) => {
    socket.write(chunk.subarray(0, 10));
    socket.end();
  });
  try {
    const result = await runClient([
      "--port",
      String(portOf(server)),
      "--connections",
      "2",
      "--size",
      "64",
      "--duration",
      "1",
      "--warmup",
      "0",
      "--timeout",
      "2",
    ]);
    assert.is(result.failures, 2, JSON.stringify(result));
    assert.is(result.roundTrips, 0);
  } finally {
    await closeServer(server);
  }
});

maybe("load_client --hold pings and holds every connection and reads the server's memory", async () => {
  const server = await startCServer();
  try {
    const result = await runClient([
      "--port",
      String(server.port),
      "--hold",
      "200",
      "--pid",
      String(server.pid),
      "--settle",
      "0.2",
    ]);
    assert.is(result.mode, "hold");
    assert.is(result.held, 200, JSON.stringify(result));
    assert.is(result.failures, 0);
    assert.ok((result.rssBeforeKiB as number) > 0);
    assert.ok((result.rssAfterKiB as number) > (result.rssBeforeKiB as number), "200 connections take some memory");
  } finally {
    await server.stop();
  }
});

test.run();
