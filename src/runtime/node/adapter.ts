/**
 * The Node.js adapter: `node:net`, `node:tls` and `node:dgram` for sockets, `node:http`
 * for the server, anynet's own HTTP/1.1 on `node:net`/`node:tls` as the HTTP client's
 * transport (with extra CAs too), and the built-in fetch (undici) with its signal-free
 * abort for requests that ask for fetch.
 *
 * The HTTP server and the transport's Node modules are loaded on first use, so that a
 * program using sockets alone does not load Node's HTTP stack.
 *
 * @module
 */
import { resolveHostname } from "../_shared/resolve.ts";
import type { RuntimeAdapter } from "../types.ts";
import { nodePermissions } from "./permissions.ts";
import { nodeAbortWithoutSignal } from "./abort_hook.ts";
import { nodeHttpTransport } from "./http_transport.ts";
import { nodeFastResponse } from "./fast_response.ts";
import { nodeConnectTcp, nodeListenTcp, nodeReusePortProblem } from "./tcp.ts";
import { dgramBind } from "./udp.ts";

/** The Node.js adapter. */
export const nodeAdapter: RuntimeAdapter = {
  runtime: "node",
  net: {
    listenTcp: nodeListenTcp,
    connectTcp: nodeConnectTcp,
    bindUdp: dgramBind,
    resolve: resolveHostname,
    udpImplementation: "node:dgram",
    reusePortProblem: nodeReusePortProblem,
  },
  http: {
    serve: async (handler, options) => (await import("./serve.ts")).serveNode(handler, options),
    get fastResponse() {
      return nodeFastResponse() as unknown as typeof Response;
    },
    // Also the only way to trust extra CAs: Node's fetch takes no per-request TLS options
    // (unless the undici package is installed, which anynet does not depend on).
    transport: nodeHttpTransport,
    abortWithoutSignal: nodeAbortWithoutSignal,
  },
  timers: { unref: (timer) => (timer as unknown as { unref(): void }).unref() },
  permissions: nodePermissions,
};
