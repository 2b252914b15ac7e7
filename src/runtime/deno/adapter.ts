/**
 * The Deno adapter: `Deno.listen`, `Deno.connect`, `Deno.startTls` for streams, and
 * `node:tls` for TLS listeners (`Deno.listenTls` keeps a stalled handshake's socket even
 * after close(): see ./tcp.ts); `node:dgram` for UDP, because `Deno.listenDatagram`
 * still needs `--unstable-net` while `node:dgram` works with `--allow-net` alone. HTTP:
 * Deno's native server (loaded on first use) and its fetch with an `HttpClient` for
 * extra CAs and proxies (https through a proxy with credentials: ./fetch.ts).
 *
 * @module
 */
import { resolveHostname } from "../_shared/resolve.ts";
import type { RuntimeAdapter } from "../types.ts";
import { denoPermissions } from "./permissions.ts";
import { deno } from "./deno_api.ts";
import { denoFetchRouted, denoFetchWithCa } from "./fetch.ts";
import { denoConnectTcp, denoListenTcp, denoReusePortProblem } from "./tcp.ts";
import { denoBindUdp } from "./udp.ts";

/** The Deno adapter. */
export const denoAdapter: RuntimeAdapter = {
  runtime: "deno",
  net: {
    listenTcp: denoListenTcp,
    connectTcp: denoConnectTcp,
    bindUdp: denoBindUdp,
    resolve: resolveHostname,
    udpImplementation: "node:dgram (Deno.listenDatagram needs --unstable-net)",
    reusePortProblem: denoReusePortProblem,
  },
  http: {
    serve: async (handler, options) => (await import("./serve.ts")).serveDeno(handler, options),
    fetchWithCa: denoFetchWithCa,
    fetchRouted: denoFetchRouted,
    fetchCopiesRequests: true,
  },
  // Deno's timers are numbers, released with Deno.unrefTimer.
  timers: { unref: (timer) => deno().unrefTimer(timer as unknown as number) },
  permissions: denoPermissions,
};
