/**
 * A throwaway certificate authority and server certificate for TLS tests, made with the
 * `openssl` command in a temporary directory (removed by `cleanup()`).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onPath } from "./env.ts";

/** PEM texts and their file paths. */
export interface TestPki {
  dir: string;
  caCert: string;
  cert: string;
  key: string;
  caPath: string;
  certPath: string;
  keyPath: string;
  /** A second CA that signed nothing here: trusting it alone must not help. */
  otherCaCert: string;
  cleanup(): void;
}

/** Whether the openssl command is available. */
export function hasOpenssl(): boolean {
  return onPath("openssl");
}

function openssl(dir: string, args: string[]): void {
  const run = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${run.stderr}`);
}

function makeCa(dir: string, name: string): void {
  openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.pem`,
    "-days",
    "2",
    "-subj",
    `/CN=anynet test ${name}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
}

/** Makes a CA and a server certificate for `localhost` and 127.0.0.1, signed by it. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "anynet-tls-"));
  makeCa(dir, "ca");
  makeCa(dir, "other-ca");
  openssl(dir, [
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=localhost",
  ]);
  writeFileSync(
    join(dir, "server.ext"),
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
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
    "server.ext",
  ]);
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  return {
    dir,
    caCert: read("ca.pem"),
    cert: read("server.pem"),
    key: read("server.key"),
    caPath: join(dir, "ca.pem"),
    certPath: join(dir, "server.pem"),
    keyPath: join(dir, "server.key"),
    otherCaCert: read("other-ca.pem"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
