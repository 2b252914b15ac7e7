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
import { answerInTurn, isAnswering } from "./serve_pipeline.ts";
import { hostHeader, NodeRequest } from "./serve_request.ts";
import { writeResponse } from "./serve_response.ts";

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

/** Starts a `node:http` server that runs `handler` for each request. */
export const serveNode: ServeAdapter = async (handler: AdapterHandler, options: AdapterServeOptions) => {
  const { idleMs, headersMs, bodyMs } = options.timeouts;
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    // One answer at a time per connection, so that a client pipelining requests it never
    // reads the answers to is not answered into memory without end.
    answerInTurn(req.socket, res, () => answer(req, res));
  };
  const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    const method = req.method ?? "GET";
    const refusedMethod = options.refusedMethod(method);
    const host = hostHeader(req);
    // RFC 9112 §3.2, as Bun's parser does (Node's would answer without the error body).
    const hostless = host === null && req.httpVersion === "1.1";
    const url = refusedMethod === undefined && !hostless ? options.requestUrl(req.url ?? "/", host) : undefined;
    const contentLength = req.headers["content-length"];
    const declaresBody = (contentLength ?? "0") !== "0" || req.headers["transfer-encoding"] !== undefined;
    const answered = url !== undefined
      ? handler(new NodeRequest(req, res, url) as unknown as Request, {
        // Missing for a client that reset meanwhile: the shared core checks it.
        remoteAddr: { hostname: socket.remoteAddress, port: socket.remotePort },
        // The method and URL rules are applied above; the framing headers as Node parsed them.
        checked: { contentLength: contentLength ?? null, declaresBody },
      })
      // Refused before a Request exists: fetch's Request throws on TRACE (which would
      // otherwise end the process) and cannot be built from an invalid Host.
      : (refusedMethod
        ? options.refusal(501, refusedMethod)
        : options.refusal(400, hostless ? "an HTTP/1.1 request needs a Host header" : options.invalidHost));
    if (answered instanceof Response) send(req, res, answered, declaresBody);
    else answered.then((response) => send(req, res, response, declaresBody), () => res.destroy());
  };
  const send = (req: http.IncomingMessage, res: http.ServerResponse, response: Response, declaresBody: boolean) => {
    // Node ends a connection whose answer says `Connection: close` with
    // socket.destroySoon(), at once; with the body still coming, linger instead. A request
    // that declares no body has nothing still coming (Node marks it complete only after
    // the handler has run), and asking its answer for its headers would make a
    // FastResponse build the Headers it exists to avoid.
    if (declaresBody && !req.complete && response.headers.get("connection") === "close") {
      const socket = req.socket;
      (socket as Duplex & { destroySoon?: () => void }).destroySoon = () => {
        req.resume(); // what still comes is read and dropped
        lingerThenClose(socket);
      };
    }
    // A response Node cannot write (a header value it refuses) ends the connection
    // rather than the process.
    writeResponse(response, res).catch(() => res.destroy());
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
    // A connection that is writing an answer must not get a second one written into it.
    if (!parsing || !socket.writable || isAnswering(socket)) {
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
