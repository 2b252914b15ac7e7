/**
 * A throwaway certificate authority and a server certificate for `localhost` and
 * 127.0.0.1, made with the openssl command in a temporary directory.
 *
 * The server certificate is signed by the CA rather than self-signed: rustls (Deno)
 * rejects a CA certificate used as an end-entity one, so "self-signed" here means "signed
 * by a CA no system trusts".
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM texts (and file paths) of a test CA and a server certificate it signed. */
export interface TestPki {
  dir: string;
  caCert: string;
  caCertFile: string;
  cert: string;
  certFile: string;
  key: string;
  keyFile: string;
  remove(): void;
}

/** Whether the openssl command is available. */
export function hasOpenssl(): boolean {
  return spawnSync("openssl", ["version"], { stdio: "ignore" }).status === 0;
}

function openssl(dir: string, args: string[]): void {
  const run = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${run.stderr}`);
}

/** Makes a CA and a `localhost`/127.0.0.1 server certificate signed by it. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "anynet-tls-"));
  openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=anynet test CA",
  ]);
  openssl(dir, [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=localhost",
  ]);
  writeFileSync(
    join(dir, "ext.cnf"),
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
  );
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
  ]);
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  return {
    dir,
    caCert: read("ca.pem"),
    caCertFile: join(dir, "ca.pem"),
    cert: read("server.pem"),
    certFile: join(dir, "server.pem"),
    key: read("server.key"),
    keyFile: join(dir, "server.key"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
