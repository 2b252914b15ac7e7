/**
 * `fetch` with extra trusted CA certificates on Deno: an `HttpClient` from
 * `Deno.createHttpClient({ caCerts })`, which adds the CAs to Deno's roots (verification
 * stays on). One client per set of CAs, kept for the life of the process.
 *
 * @module
 */
import type { FetchWithCa } from "../http_types.ts";
import { deno } from "./deno_api.ts";

const clients = new Map<string, unknown>();

/** Deno's fetch through a client that trusts `caCerts` besides the system's roots. */
export const denoFetchWithCa: FetchWithCa = (url, init, caCerts) => {
  const key = caCerts.join("\n");
  let client = clients.get(key);
  if (!client) {
    client = deno().createHttpClient({ caCerts: [...caCerts] });
    clients.set(key, client);
  }
  return fetch(url, { ...init, client } as RequestInit);
};
