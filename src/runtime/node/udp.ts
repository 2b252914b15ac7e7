/**
 * UDP through `node:dgram`, used on Node and on Deno: Deno's own
 * `Deno.listenDatagram` still needs `--unstable-net`, while its `node:dgram` works
 * without any flag.
 *
 * @module
 */
import dgram from "node:dgram";
import net from "node:net";
import type { Datagram, DatagramSocket, SocketAddr, UdpBindRequest } from "../types.ts";
import { Handoff } from "../_shared/handoff.ts";
import { datagramSocketClosedError } from "../_shared/adapter_errors.ts";

/** Datagrams waiting to be received before new ones are dropped (UDP may drop anyway). */
const MAX_QUEUED = 4096;

class DgramSocket implements DatagramSocket {
  readonly #socket: dgram.Socket;
  readonly #queue = new Handoff<Datagram>(MAX_QUEUED);
  #closed = false;
  readonly addr: SocketAddr;

  constructor(socket: dgram.Socket) {
    this.#socket = socket;
    const address = socket.address();
    this.addr = { hostname: address.address, port: address.port };
    socket.on("message", (data: Uint8Array, rinfo: dgram.RemoteInfo) => {
      this.#queue.put({ data, addr: { hostname: rinfo.address, port: rinfo.port } });
    });
    socket.on("error", () => {});
  }

  send(data: Uint8Array, to: SocketAddr): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(datagramSocketClosedError());
        return;
      }
      this.#socket.send(data, to.port, to.hostname, (error) => (error ? reject(error) : resolve()));
    });
  }

  receive(): Promise<Datagram | null> {
    return this.#queue.take();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
    this.#queue.end();
  }
}

/** Binds a UDP socket with `node:dgram`. */
export function dgramBind(request: UdpBindRequest): Promise<DatagramSocket> {
  return new Promise((resolve, reject) => {
    const type = net.isIPv6(request.hostname) ? "udp6" : "udp4";
    const socket = dgram.createSocket({ type });
    socket.once("error", reject);
    socket.bind(request.port, request.hostname, () => {
      socket.off("error", reject);
      resolve(new DgramSocket(socket));
    });
  });
}
