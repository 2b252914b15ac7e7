/**
 * `fetch` with extra trusted CA certificates, or through a proxy the client chose, on
 * Deno: an `HttpClient` from `Deno.createHttpClient({ caCerts, proxy })`, which adds the
 * CAs to Deno's roots (verification stays on). One client per set of CAs and proxy, kept
 * for the life of the process.
 *
 * Deno's clients read the proxy variables themselves when they are made, and apply its
 * own `NO_PROXY` rules even to a proxy given in `proxy`. The client decides by anynet's
 * rules, so a client is made with those variables hidden for that moment: then it goes
 * exactly where it was told, through the given proxy or straight to the server. An https
 * request through a proxy with credentials is the exception: it goes through anynet's own
 * HTTP/1.1 client, because Deno's would show the credentials to the server.
 *
 * @module
 */
import type { FetchRouted, FetchWithCa, ProxyRoute } from "../http_types.ts";
import { PROXY_VARIABLES } from "../../_proxy_variables.ts";
import { deno } from "./deno_api.ts";

const clients = new Map<string, unknown>();

/**
 * Makes a client while the proxy variables are hidden from Deno, then puts them back. A
 * variable the program may not change (Deno without `--allow-env` for it) stays as it is,
 * and Deno's own reading of it applies.
 */
function clientWithoutProxyVariables(options: Parameters<ReturnType<typeof deno>["createHttpClient"]>[0]): unknown {
  const api = deno();
  const hidden: [string, string][] = [];
  for (const name of PROXY_VARIABLES) {
    try {
      const value = api.env.get(name);
      if (value === undefined) continue;
      api.env.delete(name);
      hidden.push([name, value]);
    } catch {
      // Not allowed to read or change it.
    }
  }
  try {
    return api.createHttpClient(options);
  } finally {
    for (const [name, value] of hidden) api.env.set(name, value);
  }
}

function clientFor(caCerts: readonly string[] | undefined, proxy: ProxyRoute | null | undefined): unknown {
  // `null`: the plain client of the CA-aware fetch, which may follow Deno's own proxy rules.
  const key = `${caCerts?.join("\n") ?? ""}\n${proxy === null ? "env" : proxy?.origin ?? "direct"}\n${
    proxy?.authorization ?? ""
  }`;
  let client = clients.get(key);
  if (client === undefined) {
    const options: Parameters<ReturnType<typeof deno>["createHttpClient"]>[0] = {};
    if (caCerts !== undefined) options.caCerts = [...caCerts];
    if (proxy === null) {
      client = deno().createHttpClient(options);
    } else {
      if (proxy !== undefined) {
        options.proxy = { url: proxy.origin };
        if (proxy.credentials !== undefined) options.proxy.basicAuth = { ...proxy.credentials };
      }
      client = clientWithoutProxyVariables(options);
    }
    clients.set(key, client);
  }
  return client;
}

/** Deno's fetch through a client that trusts `caCerts` besides the system's roots. */
export const denoFetchWithCa: FetchWithCa = (url, init, caCerts) =>
  fetch(url, { ...init, client: clientFor(caCerts, null) } as RequestInit);

/**
 * An https request through a proxy with credentials. Deno (2.9) would send the proxy's
 * `Proxy-Authorization` on to the server inside the CONNECT tunnel as well, so such a
 * request goes through anynet's own HTTP/1.1 client instead (../node/http_transport.ts,
 * on Deno's `node:net` and `node:tls`): the credentials in the CONNECT request alone, the
 * server's certificate checked against its host with `caCerts` trusted too. It is loaded
 * on first use, so that no other program on Deno loads it.
 */
async function fetchThroughOwnTunnel(
  url: string,
  init: RequestInit,
  caCerts: readonly string[] | undefined,
  proxy: ProxyRoute,
): Promise<Response> {
  const [{ nodeHttpTransport }, { caCertsAddToRoots }] = await Promise.all([
    import("../node/http_transport.ts"),
    import("../node/http_pool.ts"),
  ]);
  caCertsAddToRoots();
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const call = nodeHttpTransport.send({
    url,
    method: init.method ?? "GET",
    headers: new Headers(init.headers),
    body: init.body ?? undefined,
    caCerts,
    proxy,
  });
  // Kept for the body's read as well: the signal times the whole request, as fetch's does.
  signal?.addEventListener("abort", () => call.abort(signal.reason), { once: true });
  return (await call.response).toResponse();
}

/**
 * Deno's fetch through `proxy`, or straight to the server when it is undefined, whatever
 * the environment says; an https request through a proxy with credentials goes through
 * anynet's own client (see fetchThroughOwnTunnel).
 */
export const denoFetchRouted: FetchRouted = (url, init, caCerts, proxy) => {
  if (proxy?.credentials !== undefined && url.startsWith("https:")) {
    return fetchThroughOwnTunnel(url, init, caCerts, proxy);
  }
  return fetch(url, { ...init, client: clientFor(caCerts, proxy) } as RequestInit);
};
