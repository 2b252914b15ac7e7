/**
 * `fetch` with extra trusted CA certificates, on each runtime.
 *
 * Certificate verification stays on everywhere; the CAs are added to the system's roots,
 * not put in their place:
 * - Deno: an `HttpClient` from `Deno.createHttpClient({ caCerts })` (Deno adds `caCerts` to
 *   its roots), cached per set of CAs.
 * - Bun: `fetch(url, { tls: { ca } })`, with Node's bundled roots plus the extra ones, since
 *   Bun's `ca` replaces the default list.
 * - Node (22, 24 and 26 alike): its built-in fetch (undici) takes no per-request TLS options unless the undici
 *   package is installed, which anynet does not depend on. Requests that need extra CAs go
 *   through `node:https` instead (./node_https_fetch.ts), which gives back a real `Response`.
 *
 * @module
 */
import { rootCertificates } from "node:tls";
import { detectRuntime } from "../detect.ts";
import { nodeHttpsFetch } from "../node/https_fetch.ts";

/** A `fetch` that trusts extra CA certificates (PEM) besides the system's. */
export type FetchWithCa = (url: string, init: RequestInit, caCerts: readonly string[]) => Promise<Response>;

interface DenoHttpClientApi {
  Deno: { createHttpClient(options: { caCerts: string[] }): { close(): void } };
}

const denoClients = new Map<string, unknown>();

function denoFetch(url: string, init: RequestInit, caCerts: readonly string[]): Promise<Response> {
  const key = caCerts.join("\n");
  let client = denoClients.get(key);
  if (!client) {
    client = (globalThis as unknown as DenoHttpClientApi).Deno.createHttpClient({ caCerts: [...caCerts] });
    denoClients.set(key, client);
  }
  return fetch(url, { ...init, client } as RequestInit);
}

function bunFetch(url: string, init: RequestInit, caCerts: readonly string[]): Promise<Response> {
  return fetch(url, { ...init, tls: { ca: [...rootCertificates, ...caCerts] } } as RequestInit);
}

/** The CA-aware fetch for the runtime this process runs on. */
export const fetchWithCa: FetchWithCa = (() => {
  switch (detectRuntime().name) {
    case "deno":
      return denoFetch;
    case "bun":
      return bunFetch;
    case "node":
      return nodeHttpsFetch;
  }
})();
