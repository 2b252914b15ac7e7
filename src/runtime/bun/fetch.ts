/**
 * `fetch` with extra trusted CA certificates, or through a proxy the client chose, on
 * Bun: `fetch(url, { tls: { ca }, proxy })`. Bun's `ca` replaces the default list, so
 * Node's bundled roots go first and the extra CAs after them (verification stays on).
 *
 * Bun's fetch reads the proxy variables itself, and applies `NO_PROXY` even to a proxy it
 * is given; the client decides by anynet's rules, so Bun is told plainly: `proxy: false`
 * to go direct, or the proxy with `respectNoProxy: false`. The credentials go in
 * `Proxy-Authorization`, which Bun sends to the proxy alone (in the CONNECT request for
 * https).
 *
 * @module
 */
import type { FetchRouted, FetchWithCa } from "../http_types.ts";
import { nodeTls } from "../_shared/node_tls.ts";

function tlsWith(caCerts: readonly string[]): { ca: string[] } {
  return { ca: [...nodeTls().rootCertificates, ...caCerts] };
}

/** Bun's fetch trusting `caCerts` besides the bundled roots. */
export const bunFetchWithCa: FetchWithCa = (url, init, caCerts) =>
  fetch(url, { ...init, tls: tlsWith(caCerts) } as RequestInit);

/** Bun's fetch through `proxy`, or straight to the server when it is undefined, whatever the environment says. */
export const bunFetchRouted: FetchRouted = (url, init, caCerts, proxy) => {
  const routed: Record<string, unknown> = { ...init };
  if (caCerts !== undefined) routed.tls = tlsWith(caCerts);
  routed.proxy = proxy === undefined ? false : {
    url: proxy.origin,
    respectNoProxy: false,
    ...(proxy.authorization === undefined ? {} : { headers: { "proxy-authorization": proxy.authorization } }),
  };
  return fetch(url, routed as RequestInit);
};
