/**
 * `serve()` on Node: `node:http` (or `node:https`) with the request turned into a fetch
 * `Request` and the handler's `Response` written back with backpressure.
 *
 * @module
 */
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { Buffer } from "node:buffer";
import type { Duplex } from "node:stream";
import type { AdapterHandler, AdapterServeOptions, AdapterServer, ServeAdapter } from "../http_types.ts";
import { answerInTurn } from "./serve_pipeline.ts";

function toHeaders(req: http.IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    } catch {
      // A header value fetch's Headers rejects (a stray control character) is dropped.
    }
  }
  return headers;
}

function toRequest(req: http.IncomingMessage, res: http.ServerResponse, url: string, headers: Headers): Request {
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
    ...(hasBody ? { body: bodyStream(req), duplex: "half" } : {}),
  } as RequestInit);
}

/**
 * The request body as a web stream, read as the handler reads it. (Node 22's
 * `Readable.toWeb` ends the process when the stream is cancelled while data still
 * arrives: "Controller is already closed".)
 */
function bodyStream(req: http.IncomingMessage): ReadableStream<Uint8Array> {
  let settled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.pause();
      req.on("data", (chunk: Buffer) => {
        if (settled) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => {
        if (!settled) controller.close();
        settled = true;
      });
      req.once("close", () => {
        if (!settled) controller.error(new Error("the client closed the connection before the body ended"));
        settled = true;
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      // Nothing more is wanted; the shared core closes the connection after the answer.
      settled = true;
    },
  });
}

/**
 * How long a connection ended after its answer still reads (and drops) what the client
 * sends: closing a socket with unread data sends a reset, which can destroy the answer
 * before the client reads it.
 */
const LINGER_MS = 500;

/**
 * Ends `socket` gracefully: the end of the stream now, the socket itself after
 * {@linkcode LINGER_MS} (a paused socket would not even see the client leave).
 */
function lingerThenClose(socket: Duplex): void {
  socket.end();
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once("close", () => clearTimeout(timer));
}

/**
 * The answer to a request Node's parser refused: the status Node itself would give, but
 * 501 for an unknown method, worded as the shared core words it.
 */
function parserError(
  error: Error & { code?: string; rawPacket?: Uint8Array },
  options: AdapterServeOptions,
): [number, string] {
  switch (error.code) {
    case "HPE_INVALID_METHOD": {
      const method = error.rawPacket ? Buffer.from(error.rawPacket).toString("latin1").split(" ", 1)[0] : "";
      return [501, options.refusedMethod(method) ?? "unknown method"];
    }
    case "HPE_HEADER_OVERFLOW":
      return [431, "the request headers are too large"];
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return [413, "the chunk extensions are too large"];
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return [408, "the request did not arrive in time"];
    default:
      return [400, `malformed request${error.code ? ` (${error.code})` : ""}`];
  }
}

/**
 * Writes a whole response straight to a socket that has no `ServerResponse` (a request
 * Node's parser refused, a CONNECT), then ends the connection.
 */
async function writeRaw(socket: Duplex, response: Response): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  if (socket.destroyed || !socket.writable) return;
  const reason = (response.statusText || http.STATUS_CODES[response.status] || "").replace(/[\r\n]/g, "");
  let head = `HTTP/1.1 ${response.status} ${reason}\r\n`;
  response.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "connection" && name !== "transfer-encoding") {
      head += `${name}: ${value}\r\n`;
    }
  });
  head += `content-length: ${body.byteLength}\r\nconnection: close\r\n\r\n`;
  socket.write(Buffer.concat([Buffer.from(head, "latin1"), body]));
  lingerThenClose(socket);
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
  const { idleMs, headersMs, bodyMs } = options.timeouts;
  // Responses in progress per connection: a parser error on a connection that is writing a
  // response must not write a second one into it.
  const answering = new WeakMap<Duplex, number>();
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    answering.set(socket, (answering.get(socket) ?? 0) + 1);
    res.once("close", () => answering.set(socket, (answering.get(socket) ?? 1) - 1));
    // One answer at a time per connection, so that a client pipelining requests it never
    // reads the answers to is not answered into memory without end.
    answerInTurn(socket, res, () => answer(req, res));
  };
  const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    const method = req.method ?? "GET";
    const refusedMethod = options.refusedMethod(method);
    const headers = toHeaders(req);
    // From the Headers rather than req.headers.host, which keeps only the first of several.
    const host = headers.get("host");
    // RFC 9112 §3.2, as Bun's parser does (Node's would answer without the error body).
    const hostless = host === null && req.httpVersion === "1.1";
    const url = refusedMethod === undefined && !hostless ? options.requestUrl(req.url ?? "/", host) : undefined;
    const answered = url !== undefined
      ? handler(toRequest(req, res, url, headers), {
        // Missing for a client that reset meanwhile: the shared core checks it.
        remoteAddr: { hostname: socket.remoteAddress, port: socket.remotePort },
      })
      // Refused before a Request exists: fetch's Request throws on TRACE (which would
      // otherwise end the process) and cannot be built from an invalid Host.
      : (refusedMethod
        ? options.refusal(501, refusedMethod)
        : options.refusal(400, hostless ? "an HTTP/1.1 request needs a Host header" : options.invalidHost));
    answered
      .then((response) => {
        // Node ends a connection whose answer says `Connection: close` with
        // socket.destroySoon(), at once; with the body still coming, linger instead.
        if (!req.complete && response.headers.get("connection") === "close") {
          (socket as Duplex & { destroySoon?: () => void }).destroySoon = () => {
            req.resume(); // what still comes is read and dropped
            lingerThenClose(socket);
          };
        }
        return writeResponse(response, res);
      })
      // A response Node cannot write (a header value it refuses) ends the connection
      // rather than the process.
      .catch(() => res.destroy());
  };
  const serverOptions: http.ServerOptions = {
    headersTimeout: headersMs,
    // Node's limit runs from the start of the request; the body's own limit is checked by
    // the shared core from the end of the headers.
    requestTimeout: headersMs + bodyMs,
    // Node checks the two limits above only this often (every 30 s by default).
    connectionsCheckingInterval: checkingInterval(Math.min(idleMs, headersMs)),
    // Checked by the listener instead, so that the answer has the server's error body.
    requireHostHeader: false,
  };
  const server = options.tls
    // The TLS handshake is not covered by headersTimeout; Node's own limit is 120 s.
    ? https.createServer(
      { ...serverOptions, cert: options.tls.cert, key: options.tls.key, handshakeTimeout: headersMs },
      listener,
    )
    : http.createServer(serverOptions, listener);
  server.keepAliveTimeout = idleMs;
  server.on("clientError", (error: Error & { code?: string; rawPacket?: Uint8Array }, socket: Duplex) => {
    // Only a request Node's parser refused, or one too slow, gets an answer; anything else
    // (a reset, a TLS handshake that failed or timed out) just ends the connection.
    const parsing = error.code?.startsWith("HPE_") || error.code === "ERR_HTTP_REQUEST_TIMEOUT";
    if (!parsing || !socket.writable || (answering.get(socket) ?? 0) > 0) {
      socket.destroy();
      return;
    }
    const [status, reason] = parserError(error, options);
    options.refusal(status, reason).then((response) => writeRaw(socket, response)).catch(() => socket.destroy());
  });
  // Node hands CONNECT to this event rather than to the request listener, and without a
  // listener drops the connection without an answer.
  server.on("connect", (_request: http.IncomingMessage, socket: Duplex) => {
    options.refusal(501, options.refusedMethod("CONNECT") ?? "CONNECT is not supported")
      .then((response) => writeRaw(socket, response))
      .catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port, host: options.hostname, reusePort: options.reusePort === true }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
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

/** How often Node checks its time limits: a quarter of the shortest, between 10 ms and 1 s. */
function checkingInterval(shortestMs: number): number {
  return Math.min(1000, Math.max(10, Math.floor(shortestMs / 4)));
}
