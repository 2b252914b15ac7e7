import { readdirSync } from "node:fs";
import { connect } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildUdpFrame, captureStats, writePcap } from "anynet/packet";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { examplesDir, headerCommands, runExample, startServerExample } from "../_helpers/tour_examples.ts";

const MESSAGE = "Hello, Network World!";
const examples = readdirSync(examplesDir).filter((f) => f.endsWith(".mjs")).sort();

test("every example gives the exact node, bun and deno run command in its first lines", () => {
  assert.ok(examples.length >= 9, `examples: ${examples.join(", ")}`);
  for (const file of examples) {
    const commands = headerCommands(file);
    assert.equal(commands.node, ["node"], `${file}: node line`);
    assert.equal(commands.bun, ["bun"], `${file}: bun line`);
    const deno = commands.deno;
    assert.ok(deno && deno[0] === "deno" && deno[1] === "run", `${file}: deno run line`);
    assert.ok(
      deno!.slice(2).every((flag) => /^--allow-(net|read|write|env|sys)(=\S+)?$/.test(flag)),
      `${file}: ${deno!.join(" ")}`,
    );
    assert.not.ok(deno!.includes("-A") || deno!.includes("--allow-all"), `${file} asks for every permission`);
  }
});

test("echo_client.mjs echoes through the blocking echo_server.mjs, which stops cleanly", async () => {
  const server = await startServerExample("echo_server.mjs", ["0"]);
  try {
    const client = await runExample("echo_client.mjs", [String(server.port)]);
    assert.is(client.code, 0, client.stdout + client.stderr);
    assert.is(client.stdout, `Sent: ${MESSAGE}\nReceived: ${MESSAGE}\n`);
    const other = await runExample("echo_client.mjs", [String(server.port), "127.0.0.1", "a", "second", "message"]);
    assert.match(other.stdout, /^Received: a second message$/m);
  } finally {
    const { code, stdout, stderr } = await server.stop();
    assert.is(code, 0, stderr);
    assert.match(stdout, /^listening on 127\.0\.0\.1:\d+$/m);
    assert.match(stdout, /done, 21 bytes echoed/);
    assert.match(stdout, /stopped\n$/);
  }
});

test("echo_server.mjs serves one client at a time: the next waits until the first has finished", async () => {
  const server = await startServerExample("echo_server.mjs", ["0"]);
  const first = connect({ host: "127.0.0.1", port: server.port });
  try {
    await new Promise<void>((resolve, reject) => {
      first.once("error", reject);
      first.write("first");
      first.once("data", () => resolve());
    });
    let finished = false;
    const second = runExample("echo_client.mjs", [String(server.port)]).then((r) => ((finished = true), r));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.not.ok(finished, "the second client was served while the first was still connected");
    first.end();
    const result = await second;
    assert.is(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^Received: Hello, Network World!$/m);
  } finally {
    first.destroy();
    const { code } = await server.stop();
    assert.is(code, 0);
  }
});

test("echo_client.mjs echoes through echo_server_async.mjs, three clients at once", async () => {
  const server = await startServerExample("echo_server_async.mjs", ["0"]);
  try {
    const results = await Promise.all(
      [1, 2, 3].map((n) => runExample("echo_client.mjs", [String(server.port), "127.0.0.1", `client ${n}`])),
    );
    results.forEach((r, i) => {
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Received: client ${i + 1}$`, "m"));
    });
  } finally {
    const { code, stdout } = await server.stop();
    assert.is(code, 0);
    assert.is(stdout.match(/bytes echoed/g)?.length, 3, stdout);
    assert.match(stdout, /stopped\n$/);
  }
});

test("echo_client.mjs says clearly when nothing listens", async () => {
  const server = await startServerExample("echo_server_async.mjs", ["0"]);
  await server.stop();
  const r = await runExample("echo_client.mjs", [String(server.port)]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^echo_client: ECONNREFUSED: /);
});

test("udp_echo_client.mjs echoes through udp_echo_server.mjs", async () => {
  const server = await startServerExample("udp_echo_server.mjs", ["0"]);
  try {
    const r = await runExample("udp_echo_client.mjs", [String(server.port)]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.is(r.stdout, `Sent: ${MESSAGE}\nReceived: ${MESSAGE}\n`);
  } finally {
    const { code, stdout } = await server.stop();
    assert.is(code, 0);
    assert.match(stdout, /21 bytes from 127\.0\.0\.1:\d+ echoed/);
  }
});

test("tls_echo.mjs echoes over TLS with the certificate it makes", async () => {
  const r = await runExample("tls_echo.mjs", ["over", "TLS"]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^TLS echo server listening on 127\.0\.0\.1:\d+\nSent: over TLS\nReceived: over TLS\n$/);
});

test("rest_client.mjs reads and writes through rest_api_server.mjs", async () => {
  const server = await startServerExample("rest_api_server.mjs", ["0"]);
  try {
    const r = await runExample("rest_client.mjs", [`http://127.0.0.1:${server.port}`]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^post 1 by user 1: \w+/m);
    assert.match(r.stdout, /^5 comments on post 1, the first by \S+@example\.org$/m);
    assert.match(r.stdout, /^created post 101: 201 Created$/m);
  } finally {
    const { code, stdout } = await server.stop();
    assert.is(code, 0);
    assert.match(stdout, /stopped\n$/);
  }
});

test("rest_api_server.mjs answers in JSON also where serve() refuses the request itself", async () => {
  const server = await startServerExample("rest_api_server.mjs", ["0"]);
  try {
    // Past serve()'s default body limit (1 MiB): the 413 comes from serve(), not the API.
    const response = await fetch(`http://127.0.0.1:${server.port}/posts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId: 1, title: "t", body: "x".repeat(1_100_000) }),
    });
    assert.is(response.status, 413);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    const body = await response.json();
    assert.type(body.error, "string", JSON.stringify(body));
  } finally {
    await server.stop();
  }
});

test("rest_client.mjs reports a refused connection after its retries", async () => {
  const server = await startServerExample("rest_api_server.mjs", ["0"]);
  await server.stop();
  const r = await runExample("rest_client.mjs", [`http://127.0.0.1:${server.port}`]);
  assert.is(r.code, 1);
  assert.is(r.stdout.match(/^retry \d of 3 in \d+ ms: /gm)?.length, 3, r.stdout);
  assert.match(r.stderr, /^rest_client: network error \(refused\)/);
});

test("capture_stats.mjs sums up the shipped capture and one given on the command line", async () => {
  const shipped = await runExample("capture_stats.mjs");
  assert.is(shipped.code, 0, shipped.stderr);
  assert.match(shipped.stdout, /^#1 127\.0\.0\.1:\d+ > 127\.0\.0\.1:\d+ TCP 62 bytes$/m);
  assert.match(shipped.stdout, /^packets: 12, bytes: 724, /m);
  assert.match(shipped.stdout, /^protocols: ethernet 12, ipv4 12, tcp 10, udp 2$/m);

  const dir = mkdtempSync(join(tmpdir(), "anynet-examples-"));
  try {
    const file = join(dir, "three.pcap");
    const frames = [1, 2, 3].map((n) =>
      buildUdpFrame({
        src: { hostname: "10.0.0.1", port: 5000 + n },
        dst: { hostname: "10.0.0.2", port: 53 },
        payload: new Uint8Array(n),
      })
    );
    const bytes = writePcap(frames.map((data, i) => ({ data, time: 1700000000000 + i })));
    writeFileSync(file, bytes);
    const expected = await captureStats(bytes);
    const r = await runExample("capture_stats.mjs", [file]);
    assert.is(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^packets: 3, bytes: ${expected.bytes}, from 2023-11-14T22:13:20.000000000Z`, "m"),
    );
    assert.match(r.stdout, /^flows: 3$/m);
    const missing = await runExample("capture_stats.mjs", [join(dir, "none.pcap")]);
    assert.is(missing.code, 1);
    assert.match(missing.stderr, /^capture_stats: .*none\.pcap: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
