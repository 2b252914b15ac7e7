/**
 * `serve()` on Bun: `Bun.serve` takes a fetch-style handler as it is.
 *
 * Bun has one timer per connection (`idleTimeout`, whole seconds, at most 255), and it
 * runs while a request is being handled: left alone it would cut off any handler that
 * takes longer and any body that takes longer to upload, however steadily the bytes
 * come. So a request whose handler does not answer at once switches it off while the
 * handler runs (the shared core limits the body's time itself) and sets it back to the
 * idle limit with the response; before a
 * connection's first request Bun applies a fixed limit of its own (about 10 s) that
 * cannot be changed.
 *
 * @module
 */
import type { AdapterHandler, AdapterServeOptions, AdapterServer, ServeAdapter } from "../http_types.ts";
import { bun } from "./bun_api.ts";

/** Bun's timer takes whole seconds, from 1 to 255 (0 would switch it off). */
function bunSeconds(ms: number): number {
  return Math.min(255, Math.max(1, Math.ceil(ms / 1000)));
}

/** Starts a `Bun.serve` server that runs `handler` for each request. */
export const serveBun: ServeAdapter = (handler: AdapterHandler, options: AdapterServeOptions) => {
  const idleSeconds = bunSeconds(options.timeouts.idleMs);
  const server = bun().serve({
    hostname: options.hostname,
    port: options.port,
    reusePort: options.reusePort === true,
    ...(options.tls ? { tls: { cert: options.tls.cert, key: options.tls.key } } : {}),
    // Bun refuses bodies over 128 MiB on its own; anynet's maxBodyBytes is the one limit.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    idleTimeout: idleSeconds,
    fetch(request, bunServer) {
      // Reading the address costs Bun about 2 µs (a sixth of a small request), so it is
      // read only when the handler asks for it.
      const remoteAddr = () => {
        const ip = bunServer.requestIP(request);
        return { hostname: ip?.address, port: ip?.port };
      };
      const answered = handler(request, { remoteAddr });
      // Answered at once: no time passed, the timer need not move.
      if (answered instanceof Response) return answered;
      bunServer.timeout(request, 0);
      return answered.then((response) => {
        bunServer.timeout(request, idleSeconds);
        return response;
      });
    },
  });
  let closing: Promise<void> | undefined;
  const result: AdapterServer = {
    forwardSignal: true,
    // A server on a TCP port (never a Unix socket) has both.
    addr: { hostname: server.hostname!, port: server.port! },
    close() {
      closing ??= server.stop(false).then(() => {});
      return closing;
    },
  };
  return Promise.resolve(result);
};
