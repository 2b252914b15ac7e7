/// <reference lib="esnext.disposable" preserve="true" />
import { formatAddr } from "../_address.ts";
import { adapter } from "../runtime/mod.ts";
import type { DatagramSocket } from "../runtime/types.ts";
import { toNetError } from "./_to_net_error.ts";
import { isIpAddress } from "./_ip.ts";
import {
  brieflyShown,
  checkHostname,
  checkOptionsObject,
  checkPort,
  checkSignal,
  refuse,
} from "../_argument_checks.ts";
import { HostNotFoundError, SocketClosedError } from "./errors.ts";
import { nextTurn } from "../_next_turn.ts";
import type { BindUdpOptions, NetAddr, UdpMessage } from "./types.ts";

const encoder = new TextEncoder();

/** The largest UDP payload over IPv4. */
const MAX_DATAGRAM = 65507;

/** receive() lets the event loop turn once every this many datagrams. */
const DATAGRAMS_PER_TURN = 64;

/**
 * A bound UDP socket: `send()` datagrams, and iterate over the ones received.
 * Iteration ends when the socket is closed.
 */
export class UdpSocket implements AsyncIterable<UdpMessage>, AsyncDisposable {
  readonly #socket: DatagramSocket;
  readonly #resolved = new Map<string, string>();
  #closed = false;
  #sinceTurn = 0;

  /** Wraps an adapter's socket. Not for direct use: call {@linkcode bindUdp}. */
  constructor(socket: DatagramSocket) {
    this.#socket = socket;
  }

  /** The bound address, with the real port when 0 was asked for. */
  get addr(): NetAddr {
    return { ...this.#socket.addr };
  }

  /**
   * Sends one datagram. Settles once the operating system took it (UDP gives no
   * delivery guarantee beyond that); a full send buffer makes it wait.
   *
   * @param data The payload (a string is sent as UTF-8), at most 65507 bytes.
   * @param to The destination; a host name is resolved (and remembered).
   * @throws {RangeError | TypeError} For a bad destination or an oversized payload.
   * @throws {NetError} `SocketClosedError` after close, `HostNotFoundError` …
   */
  async send(data: Uint8Array | string, to: NetAddr): Promise<void> {
    const action = "send a datagram";
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (bytes.byteLength > MAX_DATAGRAM) {
      throw new RangeError(
        `Cannot ${action}: the payload must be at most ${MAX_DATAGRAM} bytes: got ${bytes.byteLength}`,
      );
    }
    checkOptionsObject(action, to, undefined, "", brieflyShown);
    const hostname = checkHostname(action, to.hostname);
    const port = checkPort(action, to.port, 1);
    if (this.#closed) throw new SocketClosedError(`Cannot ${action}: the socket is closed`);
    try {
      await this.#socket.send(bytes, { hostname: await this.#address(hostname), port });
    } catch (error) {
      throw toNetError(error, `send a datagram to ${formatAddr({ hostname, port })}`);
    }
  }

  async #address(hostname: string): Promise<string> {
    if (isIpAddress(hostname)) return hostname;
    let address = this.#resolved.get(hostname);
    if (!address) {
      // Bun's UDP takes IP addresses only: resolve once here, on every runtime alike.
      address = await adapter.net.resolve(hostname);
      this.#resolved.set(hostname, address);
    }
    return address;
  }

  /**
   * Waits for the next datagram.
   * @returns The datagram, or `null` once the socket is closed.
   */
  receive(): Promise<UdpMessage | null> {
    if (this.#closed) return Promise.resolve(null);
    // A socket that is never idle (flooded, or talking to itself) must not starve the
    // rest of the program: on Bun a datagram this socket sent to itself is handed to the
    // next receive() without the event loop turning in between, so timers and signal
    // handlers (SIGTERM) never ran. Every so often, receive after a turn.
    if (++this.#sinceTurn >= DATAGRAMS_PER_TURN) {
      this.#sinceTurn = 0;
      return nextTurn().then(() => (this.#closed ? null : this.#socket.receive()));
    }
    return this.#socket.receive();
  }

  /** Closes the socket; iteration ends. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<UdpMessage> {
    for (;;) {
      const message = await this.receive();
      if (!message) return;
      yield message;
    }
  }

  /** Closes the socket (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/**
 * Binds a UDP socket. On Deno this uses `node:dgram`, which needs no `--unstable-net`.
 *
 * @param options Where to bind; see {@linkcode BindUdpOptions}.
 * @returns The bound socket.
 * @throws {TypeError | RangeError} For bad options, before any I/O.
 * @throws {NetError} `AddressInUseError`, `PermissionDeniedError` …
 * @example Send a datagram and wait for the answer
 * ```ts
 * import { bindUdp } from "anynet/net";
 * // `await using`: native on Deno, Bun, Node 24+; on Node 22 call close() in finally, or compile with tsc.
 * await using socket = await bindUdp({ hostname: "127.0.0.1", port: 0 });
 * await socket.send("ping", { hostname: "127.0.0.1", port: 65432 });
 * const reply = await socket.receive();
 * console.log(reply?.data.length);
 * ```
 */
export async function bindUdp(options: BindUdpOptions = {}): Promise<UdpSocket> {
  const action = "bind a UDP socket";
  const o = checkOptionsObject(action, options, ["hostname", "port", "signal"], "", brieflyShown);
  let hostname = checkHostname(action, o.hostname ?? "127.0.0.1");
  const port = checkPort(action, o.port ?? 0, 0);
  const signal = checkSignal(action, o.signal);
  signal?.throwIfAborted();
  let raw: DatagramSocket;
  try {
    if (!isIpAddress(hostname)) hostname = await adapter.net.resolve(hostname);
    raw = await adapter.net.bindUdp({ hostname, port });
  } catch (error) {
    throw toNetError(error, `bind a UDP socket to ${formatAddr({ hostname, port })}`);
  }
  const socket = new UdpSocket(raw);
  if (signal) {
    if (signal.aborted) socket.close();
    else signal.addEventListener("abort", () => socket.close(), { once: true });
  }
  return socket;
}

/**
 * Resolves a host name to one IP address (IPv4 first), as `connect()` and
 * `UdpSocket.send()` do; an IP address comes back unchanged.
 *
 * @param hostname A host name or IP address.
 * @param family Only an address of this family will do (`4` or `6`). @default either, IPv4 first
 * @returns One IP address.
 * @throws {TypeError} For an empty or malformed name, or a family other than 4 or 6.
 * @throws {HostNotFoundError} When the name does not resolve, or has no address of `family`.
 * @example
 * ```ts
 * import { lookupHost } from "anynet/net";
 * console.log(await lookupHost("localhost")); // "127.0.0.1"
 * ```
 */
export async function lookupHost(hostname: string, family?: 4 | 6): Promise<string> {
  const action = "look up a host";
  const name = checkHostname(action, hostname);
  if (family !== undefined && family !== 4 && family !== 6) {
    refuse(action, `'family' must be 4 or 6: got ${String(family)}`);
  }
  if (isIpAddress(name)) {
    const ipFamily = name.includes(":") ? 6 : 4;
    if (family !== undefined && family !== ipFamily) {
      throw new HostNotFoundError(
        `Cannot look up ${name}: it is an IPv${ipFamily} address, and IPv${family} was asked for`,
      );
    }
    return name;
  }
  try {
    return await adapter.net.resolve(name, family);
  } catch (error) {
    throw toNetError(error, `look up ${name}`);
  }
}

/** Which UDP implementation this runtime uses (`"node:dgram"`, `"Bun.udpSocket"` …). */
export function udpImplementation(): string {
  return adapter.net.udpImplementation;
}
