/// <reference lib="esnext.disposable" preserve="true" />
import { bindUdp, type NetAddr, type UdpMessage, type UdpSocket } from "../net/mod.ts";
import { safeEventCallback, Service } from "../_service.ts";
import { checkEchoOptions } from "./_options.ts";
import { OwnAddressCheck } from "./_own_address.ts";
import type { EchoEvent } from "./events.ts";

/** Options of {@linkcode serveUdpEcho}. */
export interface ServeUdpEchoOptions {
  /** Address to bind; all interfaces only when asked for. @default "127.0.0.1" */
  hostname?: string;
  /** Port; 0 picks a free one. @default 65432 */
  port?: number;
  /** Echo this many datagrams, then stop (1 for a one-shot server). @default no limit */
  maxClients?: number;
  /** Stops the server when aborted. */
  signal?: AbortSignal;
  /** Called for each echoed datagram, and each dropped one (for logging). Exceptions it throws are ignored. */
  onEvent?: (event: EchoEvent) => void;
}

/** A running UDP echo server. */
export interface UdpEchoServer extends AsyncDisposable {
  /** The bound address, with the real port. */
  readonly addr: NetAddr;
  /**
   * Datagrams not echoed because they claim to come from this server itself (echoing
   * one would loop forever); each is also reported as a `drop` event.
   */
  readonly droppedDatagrams: number;
  /** Settles when the server has stopped. */
  readonly finished: Promise<void>;
  /** Stops the server. @returns The `finished` promise. */
  close(): Promise<void>;
}

/**
 * Starts a UDP echo server: each datagram goes back to its sender unchanged, except one
 * that claims to come from the server itself (its own address and port, in any spelling),
 * which is dropped and counted: echoing it would send it round forever.
 * On Deno it uses `node:dgram`, so it needs no `--unstable-net`.
 *
 * @param options Where to bind; see {@linkcode ServeUdpEchoOptions}.
 * @returns The running server.
 * @throws {TypeError | RangeError} For bad options, before any I/O.
 * @throws {NetError} `AddressInUseError` …
 * @example Echo a datagram
 * ```ts
 * import { serveUdpEcho, udpEcho } from "anynet/echo";
 * // `await using`: native on Deno, Bun, Node 24+; on Node 22 call close() in finally, or compile with tsc.
 * await using server = await serveUdpEcho({ port: 0 });
 * console.assert(await udpEcho("ping", { port: server.addr.port }) === "ping");
 * ```
 */
export async function serveUdpEcho(options: ServeUdpEchoOptions = {}): Promise<UdpEchoServer> {
  const o = checkEchoOptions("serve UDP echo", options, ["hostname", "port", "maxClients", "signal", "onEvent"]);
  const socket: UdpSocket = await bindUdp({ hostname: o.hostname, port: o.port });
  const onEvent = options.onEvent;
  const emit = safeEventCallback(onEvent);
  const own = new OwnAddressCheck(socket.addr);
  let dropped = 0;
  let count = 0;
  const echoDatagram = async ({ data, addr }: UdpMessage): Promise<void> => {
    const fromItself = own.isOwn(addr);
    if (fromItself === true || (fromItself !== false && await fromItself)) {
      dropped++;
      emit({
        type: "drop",
        what: "datagram",
        remoteAddr: addr,
        reason: "it comes from this server's own address (echoing it would loop)",
      });
      return;
    }
    try {
      await socket.send(data, addr);
      emit({ type: "datagram", remoteAddr: addr, bytes: data.byteLength });
    } catch {
      // one unreachable sender must not stop the server
    }
    // The last datagram (maxClients): the loop ends.
    if (o.maxClients !== undefined && ++count >= o.maxClients) socket.close();
  };
  const service = new Service<UdpMessage>({
    accept: () => socket.receive(),
    serve: echoDatagram,
    // Datagrams are answered in the order they came, and one at a time: the socket's
    // queue, not a pile of pending sends, holds what waits.
    oneAtATime: true,
    onStop: () => socket.close(),
    onFinished: () => socket.close(),
    signal: o.signal,
  });
  return {
    ...service.handle(service.finished),
    get addr() {
      return socket.addr;
    },
    get droppedDatagrams() {
      return dropped;
    },
  };
}
