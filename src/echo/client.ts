import { checkDelayMs, checkOptionsObject, refuse } from "../_argument_checks.ts";
import { bindUdp, connect, lookupHost, NetError, TimedOutError, type TlsClientOptions } from "../net/mod.ts";
import { DEFAULT_ECHO_PORT } from "./_options.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The message to echo as bytes: a string is sent as UTF-8. */
function messageBytes(action: string, message: string | Uint8Array): Uint8Array {
  const bytes = typeof message === "string" ? encoder.encode(message) : message;
  if (!(bytes instanceof Uint8Array)) refuse(action, "the message must be a string or a Uint8Array");
  return bytes;
}

/** Options of {@linkcode echo}. */
export interface EchoOptions {
  /** The echo server's host. @default "127.0.0.1" */
  hostname?: string;
  /** The echo server's port. @default 65432 */
  port?: number;
  /** Use TLS (`true`, or client options such as `caCerts`). @default plain TCP */
  tls?: boolean | TlsClientOptions;
  /** Time limit for the whole exchange, in milliseconds. @default 10000 */
  timeout?: number;
  /** Aborts the exchange. */
  signal?: AbortSignal;
}

/** Options of {@linkcode udpEcho}. */
export interface UdpEchoOptions {
  /** The echo server's host. @default "127.0.0.1" */
  hostname?: string;
  /** The echo server's port. @default 65432 */
  port?: number;
  /** How long to wait for the answer, in milliseconds. @default 5000 */
  timeout?: number;
  /** Aborts the exchange. */
  signal?: AbortSignal;
}

/** The echo server answered with less than was sent, then closed. */
export class EchoIncompleteError extends NetError {
  /** What came back before the connection closed. */
  readonly received: Uint8Array;
  constructor(message: string, received: Uint8Array) {
    super("ECONNRESET", message);
    this.name = "EchoIncompleteError";
    this.received = received;
  }
}

function withTimeout(
  action: string,
  given: unknown,
  signal: AbortSignal | undefined,
): { signal: AbortSignal; done(): void } {
  const timeout = checkDelayMs(action, "timeout", given);
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new TimedOutError(`Cannot ${action}: no answer within ${timeout} ms`)),
    timeout,
  );
  const onAbort = () => controller.abort(signal!.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    },
  };
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Sends a message to a TCP (or TLS) echo server and reads it back, reading while it
 * writes (so a message of any size cannot deadlock on full buffers).
 *
 * @param message The message; a string comes back as a string, bytes as bytes.
 * @param options Where the server is; see {@linkcode EchoOptions}.
 * @returns What the server sent back (as many bytes as were sent).
 * @throws {NetError} `ConnectionRefusedError`, `TimedOutError`, `TlsError`,
 *   `EchoIncompleteError` when the server closes early …
 * @example Echo a line
 * ```ts
 * import { echo } from "anynet/echo";
 * const reply = await echo("hello", { hostname: "127.0.0.1", port: 65432, timeout: 3000 });
 * console.log(reply);
 * ```
 */
export function echo(message: string, options?: EchoOptions): Promise<string>;
export function echo(message: Uint8Array, options?: EchoOptions): Promise<Uint8Array>;
export async function echo(message: string | Uint8Array, options: EchoOptions = {}): Promise<string | Uint8Array> {
  const action = "echo";
  checkOptionsObject(action, options, ["hostname", "port", "tls", "timeout", "signal"]);
  const bytes = messageBytes(action, message);
  const limit = withTimeout(action, options.timeout ?? 10000, options.signal);
  try {
    const conn = await connect({
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? DEFAULT_ECHO_PORT,
      tls: options.tls,
      signal: limit.signal,
    });
    try {
      const received = new Uint8Array(bytes.byteLength);
      const reading = (async () => {
        let filled = 0;
        while (filled < received.byteLength) {
          const chunk = await conn.read();
          if (!chunk) {
            throw new EchoIncompleteError(
              `Cannot ${action}: the server closed the connection after echoing ${filled} of ${received.byteLength} bytes`,
              received.subarray(0, filled),
            );
          }
          const take = Math.min(chunk.byteLength, received.byteLength - filled);
          received.set(take === chunk.byteLength ? chunk : chunk.subarray(0, take), filled);
          filled += take;
        }
      })();
      const writing = (async () => {
        const step = 256 * 1024;
        for (let offset = 0; offset < bytes.byteLength; offset += step) {
          await conn.write(bytes.subarray(offset, Math.min(offset + step, bytes.byteLength)));
        }
      })();
      // Whichever fails first decides; the other is ended by closing the connection.
      await raceAbort(Promise.all([reading, writing]), limit.signal);
      return typeof message === "string" ? decoder.decode(received) : received;
    } finally {
      conn.close();
    }
  } finally {
    limit.done();
  }
}

/**
 * Sends one datagram to a UDP echo server and waits for the answer from that address.
 *
 * @param message The payload (at most 65507 bytes); a string comes back as a string.
 * @param options Where the server is; see {@linkcode UdpEchoOptions}.
 * @returns The datagram the server sent back.
 * @throws {NetError} `TimedOutError` when no answer comes (UDP has no "refused"
 *   on every runtime: a lost datagram and a closed port look the same).
 * @example Echo a datagram
 * ```ts
 * import { udpEcho } from "anynet/echo";
 * console.log(await udpEcho("ping", { port: 65432, timeout: 1000 }));
 * ```
 */
export function udpEcho(message: string, options?: UdpEchoOptions): Promise<string>;
export function udpEcho(message: Uint8Array, options?: UdpEchoOptions): Promise<Uint8Array>;
export async function udpEcho(
  message: string | Uint8Array,
  options: UdpEchoOptions = {},
): Promise<string | Uint8Array> {
  const action = "echo over UDP";
  checkOptionsObject(action, options, ["hostname", "port", "timeout", "signal"]);
  const bytes = messageBytes(action, message);
  const port = options.port ?? DEFAULT_ECHO_PORT;
  const limit = withTimeout(action, options.timeout ?? 5000, options.signal);
  try {
    // Resolve first: the local socket must be of the server address's family.
    const hostname = await raceAbort(lookupHost(options.hostname ?? "127.0.0.1"), limit.signal);
    const local = hostname.includes(":") ? "::" : hostname.startsWith("127.") ? "127.0.0.1" : "0.0.0.0";
    // Not `await using`: Node 22 cannot parse it, and `node src/cli.ts` runs this file as it is.
    const socket = await bindUdp({ hostname: local, port: 0 });
    try {
      await socket.send(bytes, { hostname, port });
      const reply = await raceAbort(
        (async () => {
          for await (const datagram of socket) {
            if (datagram.addr.port === port) return datagram.data;
          }
          throw new TimedOutError(`Cannot ${action}: the socket closed before an answer came`);
        })(),
        limit.signal,
      );
      return typeof message === "string" ? decoder.decode(reply) : reply;
    } finally {
      socket.close();
    }
  } finally {
    limit.done();
  }
}
