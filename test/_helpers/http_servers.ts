/**
 * Servers for the HTTP tests: a raw `node:http` server for behaviours a fetch-style
 * handler cannot show (never answering, resetting), and anynet's own `serve()`.
 *
 * @module
 */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type Handler, type HttpServer, serve } from "anynet/http";
import { testRuntime } from "./env.ts";

/** A raw node:http server on 127.0.0.1; `close()` drops every connection at once. */
export interface RawServer {
  url: string;
  port: number;
  /** Requests seen, in order. */
  seen: http.IncomingMessage[];
  close(): Promise<void>;
}

/** Starts a node:http server on 127.0.0.1 port 0 running `listener`. */
export async function rawServer(
  listener: (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void,
): Promise<RawServer> {
  const seen: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req);
    listener(req, res, seen.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs `body` with an anynet `serve()` server on 127.0.0.1 port 0, then closes it. */
export async function withServe<T>(handler: Handler, body: (server: HttpServer) => Promise<T>): Promise<T> {
  const server = await serve(handler, { hostname: "127.0.0.1", port: 0 });
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

/** A port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The client transports to test on this runtime: on Node its node:http transport (the
 * default, "auto") and fetch; elsewhere fetch is the only one.
 */
export const CLIENT_TRANSPORTS: readonly ("auto" | "fetch")[] = testRuntime === "node" ? ["auto", "fetch"] : ["auto"];

/** Fast retries for tests: no real seconds of backoff. */
export const quickRetry = { backoffBase: 5, jitter: false } as const;

/** Resolves when `socket` has closed, or fails the test after `ms`. */
export function closedWithin(socket: Socket, ms: number): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the connection was still open ${ms} ms after the timeout`)), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
