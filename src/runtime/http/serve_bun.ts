/**
 * `serve()` on Bun: `Bun.serve` takes a fetch-style handler as it is.
 *
 * @module
 */
import type { AdapterHandler, AdapterServeOptions, AdapterServer, ServeAdapter } from "./types.ts";

interface BunServer {
  port: number;
  hostname: string;
  stop(closeActiveConnections?: boolean): Promise<void>;
  requestIP(request: Request): { address: string; port: number } | null;
}

interface BunServeApi {
  Bun: {
    serve(options: {
      hostname: string;
      port: number;
      tls?: { cert: string; key: string };
      maxRequestBodySize?: number;
      fetch(request: Request, server: BunServer): Promise<Response>;
    }): BunServer;
  };
}

/** Starts a `Bun.serve` server that runs `handler` for each request. */
export const serveBun: ServeAdapter = (handler: AdapterHandler, options: AdapterServeOptions) => {
  const { Bun } = globalThis as unknown as BunServeApi;
  const server = Bun.serve({
    hostname: options.hostname,
    port: options.port,
    ...(options.tls ? { tls: { cert: options.tls.cert, key: options.tls.key } } : {}),
    // Bun refuses bodies over 128 MiB on its own; anynet's maxBodyBytes is the one limit.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    fetch(request, bunServer) {
      const ip = bunServer.requestIP(request);
      return handler(request, { remoteAddr: { hostname: ip?.address ?? "", port: ip?.port ?? 0 } });
    },
  });
  let closing: Promise<void> | undefined;
  const result: AdapterServer = {
    forwardSignal: true,
    addr: { hostname: server.hostname, port: server.port },
    close() {
      closing ??= server.stop(false).then(() => {});
      return closing;
    },
  };
  return Promise.resolve(result);
};
