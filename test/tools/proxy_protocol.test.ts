/**
 * startProxy() with `sendProxy`: the PROXY protocol header (HAProxy's spec) goes to each
 * backend before any byte of the client's, byte for byte as the spec writes it (checked
 * against a raw TCP backend and headers built here by hand), and the real parsers read
 * the client's address from it: nginx's `proxy_protocol` listener and HAProxy's
 * `accept-proxy`, each started by the test in a temporary folder (skipped visibly when
 * not installed; Debian: nginx, haproxy). IPv6 is checked where ::1 can be bound.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, type Connection, listen } from "anynet/net";
import { proxyProtocolHeader, type ProxyProtocolVersion, startProxy } from "anynet/tools";
import { announceSkip } from "../_helpers/env.ts";
import { readAll } from "../_helpers/net_bytes.ts";
import { hasCommand } from "../_helpers/net_process.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);
const u16 = (n: number) => [n >> 8, n & 255];

/** Whether this machine can listen on the IPv6 loopback address. */
const ipv6 = await listen({ hostname: "::1", port: 0 }).then((l) => (l.close(), true), () => false);
const families: (4 | 6)[] = ipv6 ? [4, 6] : [4];
const loopback = (family: 4 | 6) => (family === 4 ? "127.0.0.1" : "::1");

/** A backend that keeps everything each data-carrying connection sent, and answers "ok". */
async function startRawBackend() {
  const listener = await listen({ hostname: "127.0.0.1", port: 0 });
  const received: Uint8Array[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      readAll(conn).then(async (all) => {
        if (all.byteLength > 0) {
          received.push(all);
          await conn.write("ok").catch(() => {});
        }
        conn.close();
      }, () => conn.close());
    }
  })();
  return {
    port: listener.addr.port,
    received,
    async close() {
      listener.close();
      await accepting;
    },
  };
}

/** Sends `payload` through the proxy at `port`, half-closes, reads the whole answer; returns the client's port and the answer. */
async function through(
  hostname: string,
  port: number,
  payload: string,
): Promise<{ clientPort: number; answer: string }> {
  const conn: Connection = await connect({ hostname, port, timeout: 2000 });
  try {
    await conn.write(payload);
    await conn.closeWrite();
    return { clientPort: conn.localAddr.port, answer: text(await readAll(conn)) };
  } finally {
    conn.close();
  }
}

/** The version 2 header, written out from the spec's table. */
function expectedV2(family: 4 | 6, clientPort: number, proxyPort: number): number[] {
  const signature = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
  const address = family === 4 ? [127, 0, 0, 1] : [...new Array(15).fill(0), 1];
  return [
    ...signature,
    0x21, // version 2, PROXY
    family === 4 ? 0x11 : 0x21, // TCP over IPv4 / IPv6
    ...u16(family === 4 ? 12 : 36),
    ...address,
    ...address,
    ...u16(clientPort),
    ...u16(proxyPort),
  ];
}

test("startProxy() with sendProxy writes the exact PROXY v1 and v2 header before the client's bytes, and a LOCAL one on health checks", async () => {
  const backend = await startRawBackend();
  try {
    for (const family of families) {
      for (const version of ["v1", "v2"] as ProxyProtocolVersion[]) {
        const proxy = await startProxy({
          hostname: loopback(family),
          port: 0,
          backends: [`127.0.0.1:${backend.port}`],
          sendProxy: version,
          healthInterval: 3600_000,
        });
        try {
          const before = backend.received.length;
          const { clientPort, answer } = await through(loopback(family), proxy.addr.port, "hello");
          assert.is(answer, "ok");
          // The first health check (run at start) comes before or after the client.
          for (const deadline = Date.now() + 1000; backend.received.length < before + 2;) {
            assert.ok(Date.now() < deadline, "no health check came");
            await sleep(5);
          }
          const mine = backend.received.slice(before);
          const got = [...mine.find((b) => text(b).endsWith("hello"))!];
          const check = [...mine.find((b) => !text(b).endsWith("hello"))!];
          const local = version === "v1"
            ? [...bytes("PROXY UNKNOWN\r\n")]
            : [...expectedV2(family, 0, 0).slice(0, 12), 0x20, 0x00, 0, 0];
          assert.equal(check, local, `the health check's header (${version})`);
          const header = version === "v1"
            ? [
              ...bytes(
                `PROXY TCP${family} ${loopback(family)} ${loopback(family)} ${clientPort} ${proxy.addr.port}\r\n`,
              ),
            ]
            : expectedV2(family, clientPort, proxy.addr.port);
          assert.equal(
            got,
            [...header, ...bytes("hello")],
            `${version} over IPv${family}: ${text(Uint8Array.from(got))}`,
          );
          // The header is not counted as the client's bytes.
          assert.is(proxy.stats().backends[0]!.bytesUp, 5);
        } finally {
          await proxy.close();
        }
      }
    }
    if (!ipv6) announceSkip("IPv6: ::1 cannot be bound here; checked IPv4 only");
  } finally {
    await backend.close();
  }
});

test("proxyProtocolHeader() writes UNKNOWN for non-IP addresses and IPv4-mapped IPv6 for mixed families", () => {
  const a = { hostname: "192.0.2.7", port: 5000 }, b = { hostname: "2001:db8::1", port: 443 };
  assert.is(text(proxyProtocolHeader("v1", a, b)), "PROXY TCP6 ::ffff:192.0.2.7 2001:db8::1 5000 443\r\n");
  // A client on a dual-stack listener shows as ::ffff:a.b.c.d: it is an IPv4 client.
  const mapped = { hostname: "::ffff:192.0.2.7", port: 5000 }, v4 = { hostname: "192.0.2.1", port: 80 };
  assert.is(text(proxyProtocolHeader("v1", mapped, v4)), "PROXY TCP4 192.0.2.7 192.0.2.1 5000 80\r\n");
  const named = { hostname: "example.com", port: 80 };
  assert.is(text(proxyProtocolHeader("v1", named, v4)), "PROXY UNKNOWN\r\n");
  const unspec = [...proxyProtocolHeader("v2", named, v4)];
  assert.equal(unspec.slice(12), [0x21, 0x00, 0, 0]);
  const v2 = [...proxyProtocolHeader("v2", a, b)];
  assert.equal(v2.slice(12, 16), [0x21, 0x21, 0, 36]);
  assert.equal(v2.slice(16, 32), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7]);
});

/** A port nothing listens on now (the server under test binds it right after). */
async function freePort(): Promise<number> {
  const probe = await listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  return port;
}

interface Parser {
  program: string;
  /** The configuration of a server on `port` that answers every request with "ADDRESS PORT" of the PROXY header's source. */
  config(dir: string, port: number): string;
  args(dir: string, file: string): string[];
}

const parsers: Parser[] = [
  {
    program: "nginx",
    config: (dir, port) =>
      `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port} proxy_protocol;
    location / { default_type text/plain; return 200 "$proxy_protocol_addr $proxy_protocol_port"; }
  }
}
`,
    args: (dir, file) => ["-p", `${dir}/`, "-e", join(dir, "error.log"), "-c", file],
  },
  {
    program: "haproxy",
    config: (dir, port) =>
      `global
  pidfile ${dir}/haproxy.pid
defaults
  mode http
  timeout connect 1s
  timeout client 2s
  timeout server 2s
frontend parsed
  bind 127.0.0.1:${port} accept-proxy
  http-request return status 200 content-type text/plain lf-string "%[src] %[src_port]"
`,
    args: (_dir, file) => ["-db", "-f", file],
  },
];

for (const parser of parsers) {
  test(`${parser.program} reads the client's address from the proxy's PROXY v1 and v2 headers`, async () => {
    if (!hasCommand(parser.program)) {
      announceSkip(`${parser.program} is not installed (Debian package: ${parser.program})`);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), `anynet-proxy-protocol-${parser.program}-`));
    let server: ChildProcess | undefined;
    let log = "";
    try {
      const port = await freePort();
      const file = join(dir, `${parser.program}.conf`);
      writeFileSync(file, parser.config(dir, port));
      server = spawn(parser.program, parser.args(dir, file), { stdio: ["ignore", "pipe", "pipe"] });
      server.stdout!.on("data", (chunk) => (log += chunk));
      server.stderr!.on("data", (chunk) => (log += chunk));
      for (const deadline = Date.now() + 2000;;) {
        assert.is(server.exitCode, null, `${parser.program} exited: ${log}`);
        const up = await connect({ port, timeout: 200 }).then((c) => (c.close(), true), () => false);
        if (up) break;
        assert.ok(Date.now() < deadline, `${parser.program} does not listen: ${log}`);
        await sleep(20);
      }
      for (const family of families) {
        for (const version of ["v1", "v2"] as ProxyProtocolVersion[]) {
          const proxy = await startProxy({
            hostname: loopback(family),
            port: 0,
            backends: [`127.0.0.1:${port}`],
            sendProxy: version,
            healthInterval: 3600_000,
          });
          try {
            const request = "GET / HTTP/1.0\r\nHost: parsed.test\r\n\r\n";
            const { clientPort, answer } = await through(loopback(family), proxy.addr.port, request);
            assert.match(answer, /^HTTP\/1\.[01] 200 /, `${version} over IPv${family}: ${answer}\n${log}`);
            const body = answer.slice(answer.indexOf("\r\n\r\n") + 4).trim();
            assert.is(body, `${loopback(family)} ${clientPort}`, `${version} over IPv${family}`);
          } finally {
            await proxy.close();
          }
        }
      }
    } finally {
      if (server && server.exitCode === null) {
        const ended = new Promise((resolve) => server!.once("close", resolve));
        server.kill("SIGTERM");
        await ended;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
