/**
 * The Bun adapter: `Bun.listen`, `Bun.connect` and `Bun.udpSocket` for sockets,
 * `Bun.serve` for the server (loaded on first use), and Bun's fetch with its `tls.ca`
 * option for extra CAs.
 *
 * @module
 */
import { resolveHostname } from "../_shared/resolve.ts";
import type { RuntimeAdapter } from "../types.ts";
import { bunFetchRouted, bunFetchWithCa } from "./fetch.ts";
import { bunPermissions } from "./permissions.ts";
import { bunConnectTcp, bunListenTcp } from "./tcp.ts";
import { bunBindUdp } from "./udp.ts";

/** The Bun adapter. */
export const bunAdapter: RuntimeAdapter = {
  runtime: "bun",
  net: {
    listenTcp: bunListenTcp,
    connectTcp: bunConnectTcp,
    bindUdp: bunBindUdp,
    resolve: resolveHostname,
    udpImplementation: "Bun.udpSocket",
    // Bun.listen and Bun.serve take reusePort as they are.
    reusePortProblem: () => undefined,
  },
  http: {
    serve: async (handler, options) => (await import("./serve.ts")).serveBun(handler, options),
    fetchWithCa: bunFetchWithCa,
    fetchRouted: bunFetchRouted,
    fetchCopiesRequests: true,
  },
  timers: { unref: (timer) => (timer as unknown as { unref(): void }).unref() },
  // Bun has no permission model: everything is allowed.
  permissions: bunPermissions,
};
