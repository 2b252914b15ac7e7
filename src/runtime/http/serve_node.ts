/**
 * `serve()` on Node: `node:http` (or `node:https`) with the request turned into a fetch
 * `Request` and the handler's `Response` written back with backpressure.
 *
 * @module
 */
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { AdapterHandler, AdapterServeOptions, AdapterServer, ServeAdapter } from "./types.ts";

function toRequest(req: http.IncomingMessage, res: http.ServerResponse, base: string): Request {
  let url: URL;
  try {
    // Concatenate rather than resolve: resolving "//other.host/x" against the base would
    // change the host.
    const target = req.url ?? "/";
    url = new URL(target.startsWith("/") ? base + target : target);
    if (url.origin !== new URL(base).origin) url = new URL(url.pathname + url.search, base);
  } catch {
    url = new URL("/", base);
  }
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    } catch {
      // A header value fetch's Headers rejects (a stray control character) is dropped.
    }
  }
  const controller = new AbortController();
  // The request's signal tells the handler the client went away before the answer.
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(url, {
    method,
    headers,
    signal: controller.signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
}

async function writeResponse(response: Response, res: http.ServerResponse): Promise<void> {
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers.push([name, value]);
  });
  for (const cookie of response.headers.getSetCookie()) headers.push(["set-cookie", cookie]);
  res.writeHead(response.status, response.statusText || undefined, headers.flat());
  const body = response.body;
  if (body === null) {
    res.end();
    return;
  }
  const reader = body.getReader();
  const onClose = () => reader.cancel().catch(() => {});
  res.on("close", onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          const go = () => {
            res.off("drain", go);
            res.off("close", go);
            resolve();
          };
          res.on("drain", go);
          res.on("close", go);
        });
      }
    }
    res.end();
  } catch {
    // The handler's body stream failed mid-way: cut the connection so the client sees a
    // broken body instead of a short one that looks complete.
    res.destroy();
  } finally {
    res.off("close", onClose);
  }
}

/** Starts a `node:http` server that runs `handler` for each request. */
export const serveNode: ServeAdapter = async (handler: AdapterHandler, options: AdapterServeOptions) => {
  const scheme = options.tls ? "https" : "http";
  let base = `${scheme}://${options.hostname}`;
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const request = toRequest(req, res, base);
    const remoteAddr = { hostname: req.socket.remoteAddress ?? "", port: req.socket.remotePort ?? 0 };
    handler(request, { remoteAddr })
      .then((response) => writeResponse(response, res))
      // A response Node cannot write (a header value it refuses) ends the connection
      // rather than the process.
      .catch(() => res.destroy());
  };
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  base = `${scheme}://${host}:${address.port}`;
  let closing: Promise<void> | undefined;
  const result: AdapterServer = {
    forwardSignal: true,
    addr: { hostname: address.address, port: address.port },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections with no request in flight would hold close() open.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
  return result;
};
