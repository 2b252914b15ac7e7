import { dgramBind } from "./udp.ts";
import { nodeConnectTcp, nodeListenTcp, nodeResolve } from "./tcp.ts";
import type { RuntimeAdapter } from "../types.ts";

/** The Node.js adapter: `node:net`, `node:tls` and `node:dgram`. */
export const nodeAdapter: RuntimeAdapter = {
  runtime: "node",
  net: {
    listenTcp: nodeListenTcp,
    connectTcp: nodeConnectTcp,
    bindUdp: dgramBind,
    resolve: nodeResolve,
    udpImplementation: "node:dgram",
  },
};
