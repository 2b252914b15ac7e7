import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { listen, type Listener } from "anynet/net";
import { summarizeCertificate, tcping, type TcpingProbe } from "anynet/tools";
import { type CliResult, runCli } from "../_helpers/cli.ts";
import { announceSkip } from "../_helpers/env.ts";
import { hasOpenssl, makeTestPki, type TestPki } from "../_helpers/tls_pki.ts";

const withOpenssl = hasOpenssl();
if (!withOpenssl) announceSkip("openssl is not installed: tcping --tls is not tried");
const tlsTest = withOpenssl ? test : test.skip;

let plain: Listener;
let secure: Listener | undefined;
let v6: Listener | undefined;
let pki: TestPki | undefined;
let closedPort = 0;
/** The CLI runs, started at once in before() so that their start-up times overlap. */
const runs: Record<string, Promise<CliResult>> = {};

/** Accepts and closes every connection (a TLS one after its handshake). */
function acceptAll(listener: Listener): void {
  (async () => {
    for await (const conn of listener) {
      conn.read().then(() => conn.close(), () => conn.close());
    }
  })();
}

test.before(async () => {
  plain = await listen({ hostname: "127.0.0.1", port: 0 });
  acceptAll(plain);
  const probe = await listen({ hostname: "127.0.0.1", port: 0 });
  closedPort = probe.addr.port;
  probe.close();
  if (withOpenssl) {
    pki = makeTestPki();
    secure = await listen({ hostname: "127.0.0.1", port: 0, tls: { cert: pki.cert, key: pki.key } });
    acceptAll(secure);
  }
  try {
    v6 = await listen({ hostname: "::1", port: 0 });
    acceptAll(v6);
  } catch {
    announceSkip("no IPv6 loopback here: tcping -6 against [::1] is not tried");
  }
  runs.json = runCli(["tcping", `127.0.0.1:${plain.addr.port}`, "--json", "-c", "2", "-i", "0.05"]);
  runs.refused = runCli(["tcping", `127.0.0.1:${closedPort}`, "--json", "-c", "1"]);
  if (secure) {
    const tlsTarget = `localhost:${secure.addr.port}`;
    runs.tls = runCli(["tcping", tlsTarget, "--tls", "--ca", pki!.caPath, "--json", "-c", "1"]);
    runs.untrusted = runCli(["tcping", tlsTarget, "--tls", "-c", "1", "-D"]);
  }
  if (v6) {
    runs.v6 = runCli(["tcping", `[::1]:${v6.addr.port}`, "-6", "--json", "-c", "1"]);
    runs.wrongFamily = runCli(["tcping", `[::1]:${v6.addr.port}`, "-4"]);
  }
  await Promise.allSettled(Object.values(runs));
});

test.after(() => {
  plain.close();
  secure?.close();
  v6?.close();
  pki?.cleanup();
});

function ndjson(stdout: string): Record<string, unknown>[] {
  return stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
}

function pemToDer(pem: string): Uint8Array {
  const base64 = pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** The certificate's notAfter as openssl reads it. */
function opensslNotAfter(path: string): Date {
  const run = spawnSync("openssl", ["x509", "-noout", "-enddate", "-dateopt", "iso_8601", "-in", path], {
    encoding: "utf8",
  });
  return new Date(run.stdout.trim().replace(/^notAfter=/, "").replace(" ", "T"));
}

test("anynet tcping --json prints one object per probe and a summary (schema)", async () => {
  const run = await runs.json;
  assert.is(run.code, 0, run.stderr);
  const [first, second, summary] = ndjson(run.stdout);
  for (const [i, probe] of [first, second].entries()) {
    assert.equal(Object.keys(probe), [
      "type",
      "seq",
      "timestamp",
      "host",
      "address",
      "port",
      "ok",
      "dns_ms",
      "connect_ms",
    ]);
    assert.equal([probe.type, probe.seq, probe.host, probe.address, probe.port, probe.ok], [
      "probe",
      i + 1,
      "127.0.0.1",
      "127.0.0.1",
      plain.addr.port,
      true,
    ]);
    assert.is(probe.dns_ms, 0, "an address needs no lookup");
    assert.ok((probe.connect_ms as number) > 0 && (probe.connect_ms as number) < 2000, String(probe.connect_ms));
    assert.is(new Date(probe.timestamp as string).toISOString(), probe.timestamp, "ISO 8601 in UTC");
    assert.ok(Math.abs(Date.now() - Date.parse(probe.timestamp as string)) < 60_000);
  }
  assert.equal(Object.keys(summary), [
    "type",
    "host",
    "port",
    "sent",
    "ok",
    "failed",
    "loss_percent",
    "min_ms",
    "avg_ms",
    "max_ms",
    "mdev_ms",
  ]);
  assert.equal([summary.type, summary.sent, summary.ok, summary.failed, summary.loss_percent], [
    "summary",
    2,
    2,
    0,
    0,
  ]);
  const times = [first.connect_ms as number, second.connect_ms as number];
  assert.is(summary.min_ms, Math.min(...times));
  assert.is(summary.max_ms, Math.max(...times));
  assert.ok(Math.abs((summary.avg_ms as number) - (times[0] + times[1]) / 2) < 0.002);
});

test("anynet tcping --json reports a refused probe with its kind, and 100% loss; exit 1", async () => {
  const run = await runs.refused;
  assert.is(run.code, 1, run.stderr);
  const [probe, summary] = ndjson(run.stdout);
  assert.equal([probe.ok, probe.failed_at, probe.connect_ms], [false, "connect", null]);
  const error = probe.error as { kind: string; code: string; message: string };
  assert.equal([error.kind, error.code], ["refused", "ECONNREFUSED"]);
  assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${closedPort}`));
  assert.equal([summary.sent, summary.ok, summary.failed, summary.loss_percent, summary.min_ms], [1, 0, 1, 100, null]);
});

tlsTest("tcping({ tls }) times the handshake apart and hands over the server's certificate", async () => {
  const probes: TcpingProbe[] = [];
  const run = tcping({ hostname: "localhost", port: secure!.addr.port, count: 1, tls: { caCerts: [pki!.caCert] } });
  for (let next = await run.next(); !next.done; next = await run.next()) probes.push(next.value);
  const [probe] = probes;
  assert.ok(probe.ok, probe.error?.message);
  assert.is(probe.address, "127.0.0.1");
  assert.ok(probe.dnsMs! > 0, "a name is looked up");
  assert.ok(probe.connectMs! > 0 && probe.tlsMs! > 0, `connect ${probe.connectMs} ms, tls ${probe.tlsMs} ms`);
  // On Deno through its node:tls, as Deno's own TlsConn does not expose the certificate.
  assert.equal(probe.peerCertificate, pemToDer(pki!.cert), "the DER bytes of the server's certificate");
});

tlsTest("summarizeCertificate() reads subject, issuer, names and expiry as openssl does", () => {
  const summary = summarizeCertificate(pemToDer(pki!.cert));
  assert.is(summary.subject, "localhost");
  assert.is(summary.issuer, "anynet test ca");
  assert.equal(summary.altNames, ["localhost", "127.0.0.1"]);
  assert.is(summary.notAfter.toISOString(), opensslNotAfter(pki!.certPath).toISOString());
  assert.ok(summary.notBefore < new Date() && summary.notAfter > new Date());
  assert.throws(() => summarizeCertificate(Uint8Array.of(0x30, 0x05, 1)), /Cannot read the certificate/);
  assert.throws(() => tcping({ port: 443, tls: { caCerts: ["not pem"] } }), /'tls\.caCerts\[0\]' must be PEM text/);
  assert.throws(() => tcping({ port: 443, family: 5 as 4 }), /'family' must be 4 or 6: got 5/);
});

tlsTest(
  "anynet tcping --tls --ca prints the handshake time and the certificate",
  async () => {
    const run = await runs.tls;
    assert.is(run.code, 0, run.stderr);
    const [probe] = ndjson(run.stdout);
    assert.is(probe.ok, true);
    assert.ok((probe.tls_ms as number) > 0, String(probe.tls_ms));
    const certificate = probe.certificate as Record<string, unknown>;
    assert.equal([certificate.subject_cn, certificate.issuer_cn, certificate.san], [
      "localhost",
      "anynet test ca",
      ["localhost", "127.0.0.1"],
    ]);
    assert.is(certificate.not_after, opensslNotAfter(pki!.certPath).toISOString());
    assert.ok(certificate.days_left === 1 || certificate.days_left === 2, String(certificate.days_left));
    // Without the CA the certificate is not trusted: the probe fails in the TLS stage.
    const untrusted = await runs.untrusted;
    assert.is(untrusted.code, 1, untrusted.stderr);
    assert.match(
      untrusted.stdout,
      /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] no connection to localhost:\d+ \(127\.0\.0\.1\): seq=1 .*\(TLS handshake\)/m,
    );
  },
);

test("anynet tcping -6 probes an IPv6 address; -4 with an IPv6 address is a usage error", async () => {
  if (!v6) return;
  const run = await runs.v6;
  assert.is(run.code, 0, run.stderr);
  const [probe] = ndjson(run.stdout);
  assert.equal([probe.ok, probe.address], [true, "::1"]);
  const wrong = await runs.wrongFamily;
  assert.is(wrong.code, 2);
  assert.match(wrong.stderr, /^anynet tcping: ::1 is not an IPv4 address \(-4\)\n/);
});

test("tcping({ family }) fails each probe clearly when the name has no address of that family", async () => {
  // localhost has an IPv4 address everywhere; ask for the family it lacks, if it lacks one.
  const has6 = await listen({ hostname: "::1", port: 0 }).then((l) => (l.close(), true), () => false);
  const probes: TcpingProbe[] = [];
  const run = tcping({ hostname: "localhost", port: plain.addr.port, count: 1, family: 6 });
  for (let next = await run.next(); !next.done; next = await run.next()) probes.push(next.value);
  if (probes[0].ok || (has6 && probes[0].error?.code !== "ENOTFOUND")) {
    announceSkip("localhost has an IPv6 address here: the missing-family message is not tried");
    return;
  }
  assert.is(probes[0].failedAt, "dns");
  assert.match(probes[0].error!.message, /localhost has no IPv6 address \(it has 127\.0\.0\.1/);
});

test.run();
