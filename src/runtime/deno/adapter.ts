import { denoConnectTcp, denoListenTcp } from "./tcp.ts";
import { nodeResolve } from "../node/tcp.ts";
import { denoBindUdp } from "./udp.ts";
import type { RuntimeAdapter } from "../types.ts";

/**
 * The Deno adapter: `Deno.listen`, `Deno.connect`, `Deno.startTls` for streams, and
 * `node:tls` for TLS listeners (`Deno.listenTls` keeps a stalled handshake's socket even
 * after close(): see ./tcp.ts); `node:dgram` for UDP, because
 * `Deno.listenDatagram` still needs `--unstable-net` while `node:dgram` works with
 * `--allow-net` alone.
 */
export const denoAdapter: RuntimeAdapter = {
  runtime: "deno",
  net: {
    listenTcp: denoListenTcp,
    connectTcp: denoConnectTcp,
    bindUdp: denoBindUdp,
    resolve: nodeResolve,
    udpImplementation: "node:dgram (Deno.listenDatagram needs --unstable-net)",
  },
};
