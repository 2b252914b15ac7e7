/// <reference lib="esnext.disposable" preserve="true" />
import { checkOptionsObject } from "../_options.ts";
import { describeValue } from "./_describe.ts";
import { serveAdapter } from "../runtime/http/mod.ts";
import type { AdapterServer, HttpAddr, RequestInfo } from "../runtime/http/types.ts";
import { BodyTooLargeError, isBodyTooLargeError } from "./errors.ts";

export type { HttpAddr, RequestInfo } from "../runtime/http/types.ts";

/** A fetch-style request handler: a `Request` in, a `Response` out. */
export type Handler = (request: Request, info: RequestInfo) => Response | Promise<Response>;

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** The address to listen on. @default "127.0.0.1" */
  hostname?: string;
  /** The port; 0 picks a free one. @default 0 */
  port?: number;
  /** Serve HTTPS with this PEM certificate chain and private key. */
  tls?: { cert: string; key: string };
  /** Aborting it closes the server gracefully. */
  signal?: AbortSignal;
  /** Request bodies larger than this get 413 (the handler's body read fails with a BodyTooLargeError). @default 1048576 */
  maxBodyBytes?: number;
  /**
   * Turns an error thrown by the handler (or a handler result that is not a Response)
   * into a response. @default a plain 500, and the error written to the console
   */
  onError?: (error: unknown, request: Request) => Response | Promise<Response>;
}

/** A running server. */
export interface HttpServer {
  /** Where it listens. */
  readonly addr: HttpAddr;
  /** Its base URL, such as `http://127.0.0.1:3000`. */
  readonly url: string;
  /** Stops accepting connections, lets requests in flight finish, and resolves when done. */
  close(): Promise<void>;
  /**
   * Closes the server like {@linkcode HttpServer.close}, so `await using server = await serve(…)`
   * closes it at the end of the block. `await using` runs natively on Deno, Bun and Node 24+;
   * on Node 22, call `close()` in a `finally` (or compile with TypeScript, which lowers it).
   */
  [Symbol.asyncDispose](): Promise<void>;
}

function text(status: number, body: string): Response {
  return new Response(body + "\n", { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

function limitBody(request: Request, limit: number, forwardSignal: boolean): Request {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw new BodyTooLargeError(limit, "request");
  const source = request.body;
  if (source === null) return request;
  let size = 0;
  const counted = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > limit) controller.error(new BodyTooLargeError(limit, "request"));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: counted,
    ...(forwardSignal ? { signal: request.signal } : {}),
    duplex: "half",
  } as RequestInit);
}

function causedByTooLarge(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isBodyTooLargeError(e)) return true;
  }
  return false;
}

/**
 * Serves HTTP (or HTTPS) with a fetch-style handler, the same on Node (`node:http`), Deno
 * (`Deno.serve`) and Bun (`Bun.serve`).
 *
 * A request body larger than `maxBodyBytes` gets 413, whether the client declared its
 * length or not; an error thrown by the handler becomes a 500 (or what `onError` returns).
 *
 * @param handler Answers each request.
 * @param options Address, TLS, body limit, a signal to stop.
 * @returns The running server, once it listens.
 * @throws {RangeError} For a bad port or body limit.
 * @throws {Error} When the address cannot be bound (in use, not permitted).
 * @example Hello, world
 * ```ts
 * import { serve } from "anynet/http";
 * const server = await serve(() => Response.json({ hello: "world" }), { port: 0 });
 * console.log(`listening on ${server.url}`);
 * await server.close();
 * ```
 */
export async function serve(handler: Handler, options: ServeOptions = {}): Promise<HttpServer> {
  if (typeof handler !== "function") {
    throw new TypeError(`Cannot serve: 'handler' must be a function: got ${typeof handler}`);
  }
  checkOptionsObject("serve", options, ["hostname", "port", "tls", "signal", "maxBodyBytes", "onError"]);
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Cannot serve: 'port' must be an integer from 0 to 65535: got ${port}`);
  }
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`Cannot serve: 'maxBodyBytes' must be an integer of at least 0: got ${limit}`);
  }
  if (options.tls && (typeof options.tls.cert !== "string" || typeof options.tls.key !== "string")) {
    throw new TypeError("Cannot serve: 'tls' needs PEM text in 'cert' and 'key'");
  }
  options.signal?.throwIfAborted();
  const onError = options.onError;
  const run = async (request: Request, info: RequestInfo): Promise<Response> => {
    try {
      const response: unknown = await handler(limitBody(request, limit, server.forwardSignal), info);
      // Each runtime treats anything else its own way (Bun answers 200 with a welcome page,
      // Deno 500, Node drops the connection): here it is a handler error like any other.
      if (!(response instanceof Response)) {
        throw new TypeError(`the handler returned ${describeValue(response)} instead of a Response`);
      }
      return response;
    } catch (error) {
      if (causedByTooLarge(error)) return text(413, `Payload Too Large: the body is over ${limit} bytes`);
      if (onError) {
        try {
          return await onError(error, request);
        } catch {
          // An onError that throws itself still gets the client an answer.
        }
      } else {
        // Without onError the console is the only place a handler's bug shows up.
        console.error(`serve: ${request.method} ${new URL(request.url).pathname} failed:`, error);
      }
      return text(500, "Internal Server Error");
    }
  };
  // deno-lint-ignore prefer-const
  let server: AdapterServer;
  server = await serveAdapter(run, {
    hostname,
    port,
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const host = server.addr.hostname.includes(":") ? `[${server.addr.hostname}]` : server.addr.hostname;
  const url = `${options.tls ? "https" : "http"}://${host}:${server.addr.port}`;
  options.signal?.addEventListener("abort", () => void server.close(), { once: true });
  const close = () => server.close();
  return { addr: server.addr, url, close, [Symbol.asyncDispose]: close };
}
