/**
 * Raw HTTP/1.x over `node:net`, for what fetch cannot send or show: odd Host headers,
 * unknown methods, slow headers and bodies, and when exactly the server closes.
 *
 * @module
 */
import * as net from "node:net";

/** An HTTP response as read off the wire (HTTP/1.x, `Content-Length` or chunked). */
export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/**
 * Parses the first response in `text`, or undefined while it is incomplete. A body with
 * neither length nor chunks (an answer to HTTP/1.0) ends with the connection: `closed`.
 */
export function parseResponse(text: string, closed = false): RawResponse | undefined {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let rest = text.slice(end + 4);
  if (headers["transfer-encoding"] === "chunked") {
    let body = "";
    for (;;) {
      const lineEnd = rest.indexOf("\r\n");
      if (lineEnd < 0) return undefined;
      const size = parseInt(rest.slice(0, lineEnd), 16);
      if (size === 0) return { status, headers, body };
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
      rest = rest.slice(lineEnd + 2 + size + 2);
    }
  }
  if (headers["content-length"] === undefined) {
    const bodyless = status === 204 || status === 304 || status < 200;
    return closed || bodyless ? { status, headers, body: bodyless ? "" : rest } : undefined;
  }
  const length = Number(headers["content-length"]);
  if (rest.length < length) return undefined;
  return { status, headers, body: rest.slice(0, length) };
}

/** A raw connection: write bytes, wait for a response, see when the server closes. */
export class RawConnection {
  readonly socket: net.Socket;
  /** Everything received, as latin1 text. */
  received = "";
  /** Set when the server closed (or reset) the connection. */
  closedAt: number | undefined;
  readonly closed: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (this.received += chunk));
    // A reset is a close too; the test looks at what arrived before it.
    socket.on("error", () => {});
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.closedAt = Date.now();
        resolve();
      });
    });
  }

  /** Connects to 127.0.0.1:`port`. */
  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.off("error", reject);
        resolve(new RawConnection(socket));
      });
      socket.once("error", reject);
    });
  }

  /** Writes, ignoring a connection the server already closed. */
  write(data: string | Uint8Array): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(data);
  }

  /** Resolves to the first complete response, or rejects after `ms` (or on a close without one). */
  async response(ms = 10_000): Promise<RawResponse> {
    const deadline = Date.now() + ms;
    for (;;) {
      const parsed = parseResponse(this.received, this.closedAt !== undefined);
      if (parsed) return parsed;
      if (this.closedAt !== undefined) {
        throw new Error(
          `the server closed the connection without a complete response: ${JSON.stringify(this.received)}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(`no complete response within ${ms} ms: ${JSON.stringify(this.received)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Resolves to true if the server closes the connection within `ms`, false if not. */
  async closesWithin(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const result = await Promise.race([this.closed.then(() => true as const), timeout]);
    clearTimeout(timer);
    return result;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Sends one request (the bytes as given) on a new connection and returns the whole reply text once the server closes. */
export async function exchange(port: number, request: string, ms = 10_000): Promise<string> {
  const connection = await RawConnection.open(port);
  try {
    connection.write(request);
    if (!(await connection.closesWithin(ms))) throw new Error(`no close within ${ms} ms: ${connection.received}`);
    return connection.received;
  } finally {
    connection.destroy();
  }
}

/** A server that answers each request with bytes of the test's choosing, on 127.0.0.1. */
export interface ScriptedServer {
  url: string;
  port: number;
  /** The connections accepted so far, in order. */
  connections: net.Socket[];
  /** How many requests have been answered. */
  answered: number;
  close(): Promise<void>;
}

/**
 * Starts a raw TCP server that writes `answer(n)` for the n-th request (counted from 0 over
 * all connections), once the request's head has arrived; `close: true` in the answer ends
 * the connection after it. For answers no well-behaved HTTP server would give.
 */
export async function scriptedServer(
  answer: (n: number) => { bytes: string | Uint8Array; close?: boolean },
): Promise<ScriptedServer> {
  const connections: net.Socket[] = [];
  const state = { answered: 0 };
  const server = net.createServer((socket) => {
    connections.push(socket);
    socket.on("error", () => {});
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
      // One answer per complete request head (the tests send no request bodies).
      for (let end = received.indexOf("\r\n\r\n"); end >= 0; end = received.indexOf("\r\n\r\n")) {
        received = received.slice(end + 4);
        const { bytes, close } = answer(state.answered++);
        if (close) socket.end(bytes);
        else socket.write(bytes);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections,
    get answered() {
      return state.answered;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of connections) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
