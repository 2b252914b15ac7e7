import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, createServer } from "node:tls";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type CertificateSet, createCertificates } from "anynet/tools";
import { announceSkip } from "../_helpers/env.ts";

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;
if (!hasOpenssl) announceSkip("openssl is not installed: the certificates are not checked by openssl");
const withOpenssl = hasOpenssl ? test : test.skip;

let certs: CertificateSet;
test.before(async () => {
  certs = await createCertificates();
});

/** Starts a TLS server with the certificate and tries a client handshake with `ca`. */
async function handshake(servername: string, host: string, ca?: string): Promise<string> {
  const server = createServer({ cert: certs.cert, key: certs.key }, (socket) => socket.end("hello"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise<string>((resolve, reject) => {
      const socket = connect({ host, port, servername, ca }, () => {
        let data = "";
        socket.setEncoding("utf8").on("data", (s: string) => (data += s)).on("end", () => resolve(data));
      });
      socket.on("error", reject);
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test("createCertificates() returns PEM certificates and a PKCS #8 key", () => {
  assert.match(certs.caCert, /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
  assert.match(certs.cert, /^-----BEGIN CERTIFICATE-----\n/);
  assert.match(certs.key, /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/);
  assert.is.not(certs.caCert, certs.cert);
});

test("createCertificates() output passes a TLS handshake for localhost when its CA is trusted", async () => {
  assert.is(await handshake("localhost", "127.0.0.1", certs.caCert), "hello");
});

test("createCertificates() output is rejected without its CA (verification stays on)", async () => {
  try {
    await handshake("localhost", "127.0.0.1");
    assert.unreachable("the handshake should fail");
  } catch (error) {
    assert.not.instance(error, assert.Assertion);
  }
});

test("createCertificates() output is rejected for a hostname it does not name", async () => {
  try {
    await handshake("example.com", "127.0.0.1", certs.caCert);
    assert.unreachable("the handshake should fail");
  } catch (error) {
    assert.not.instance(error, assert.Assertion);
    assert.match(String((error as Error).message), /example\.com|hostname|altnames|name|certificate/i);
  }
});

withOpenssl("openssl verifies the chain and reads the names and key usage", () => {
  const dir = mkdtempSync(join(tmpdir(), "anynet-certs-"));
  try {
    writeFileSync(join(dir, "ca.pem"), certs.caCert);
    writeFileSync(join(dir, "cert.pem"), certs.cert);
    writeFileSync(join(dir, "key.pem"), certs.key);
    const verify = spawnSync("openssl", ["verify", "-CAfile", join(dir, "ca.pem"), join(dir, "cert.pem")], {
      encoding: "utf8",
    });
    assert.is(verify.status, 0, verify.stderr);
    const text =
      spawnSync("openssl", ["x509", "-in", join(dir, "cert.pem"), "-noout", "-text"], { encoding: "utf8" }).stdout;
    assert.match(text, /DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
    assert.match(text, /CA:FALSE/);
    assert.match(text, /TLS Web Server Authentication/);
    const key = spawnSync("openssl", ["pkey", "-in", join(dir, "key.pem"), "-noout", "-text"], { encoding: "utf8" });
    assert.is(key.status, 0, key.stderr);
    assert.match(key.stdout, /prime256v1|P-256/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

withOpenssl("createCertificates() names IPv6 and custom hosts", async () => {
  const custom = await createCertificates({ hostnames: ["api.test", "2001:db8::7"], days: 2 });
  const dir = mkdtempSync(join(tmpdir(), "anynet-certs-"));
  try {
    writeFileSync(join(dir, "cert.pem"), custom.cert);
    const text =
      spawnSync("openssl", ["x509", "-in", join(dir, "cert.pem"), "-noout", "-text"], { encoding: "utf8" }).stdout;
    assert.match(text, /DNS:api\.test, IP Address:2001:DB8:0:0:0:0:0:7/i);
    assert.match(text, /Subject: CN ?= ?api\.test/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("createCertificates() rejects empty hostnames and bad lifetimes before any work", async () => {
  for (
    const [options, pattern] of [
      [{ hostnames: [] }, /'hostnames' must be non-empty strings: got \[\]/],
      [{ hostnames: [""] }, /'hostnames' must be non-empty strings/],
      [{ days: 0 }, /'days' must be a positive number: got 0/],
    ] as const
  ) {
    try {
      await createCertificates(options);
      assert.unreachable();
    } catch (error) {
      assert.instance(error, TypeError);
      assert.match((error as Error).message, pattern);
    }
  }
});

test.run();
