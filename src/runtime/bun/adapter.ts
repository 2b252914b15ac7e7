import { bunBindUdp } from "./udp.ts";
import { bunConnectTcp, bunListenTcp } from "./tcp.ts";
import { nodeResolve } from "../node/tcp.ts";
import type { RuntimeAdapter } from "../types.ts";

/** The Bun adapter: `Bun.listen`, `Bun.connect` and `Bun.udpSocket`. */
export const bunAdapter: RuntimeAdapter = {
  runtime: "bun",
  net: {
    listenTcp: bunListenTcp,
    connectTcp: bunConnectTcp,
    bindUdp: bunBindUdp,
    resolve: nodeResolve,
    udpImplementation: "Bun.udpSocket",
  },
};
