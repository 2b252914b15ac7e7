/**
 * `serve()` on Deno: `Deno.serve` takes a fetch-style handler as it is.
 *
 * @module
 */
import type { AdapterHandler, AdapterServeOptions, AdapterServer, ServeAdapter } from "./types.ts";

interface DenoServeApi {
  Deno: {
    serve(
      options: {
        hostname: string;
        port: number;
        cert?: string;
        key?: string;
        onListen?: (addr: { hostname: string; port: number }) => void;
      },
      handler: (request: Request, info: { remoteAddr: { hostname: string; port: number } }) => Promise<Response>,
    ): { addr: { hostname: string; port: number }; shutdown(): Promise<void>; finished: Promise<void> };
  };
}

/** Starts a `Deno.serve` server that runs `handler` for each request. */
export const serveDeno: ServeAdapter = async (handler: AdapterHandler, options: AdapterServeOptions) => {
  const { Deno } = globalThis as unknown as DenoServeApi;
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const server = Deno.serve(
    {
      hostname: options.hostname,
      port: options.port,
      ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : {}),
      // Deno.serve prints "Listening on …" unless onListen is given.
      onListen: () => listening(),
    },
    (request, info) =>
      handler(request, { remoteAddr: { hostname: info.remoteAddr.hostname, port: info.remoteAddr.port } }),
  );
  await ready;
  let closing: Promise<void> | undefined;
  const result: AdapterServer = {
    forwardSignal: false,
    addr: { hostname: server.addr.hostname, port: server.addr.port },
    close() {
      closing ??= server.shutdown();
      return closing;
    },
  };
  return result;
};
