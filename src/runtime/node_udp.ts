/**
 * UDP through `node:dgram`, used on Node and on Deno: Deno's own
 * `Deno.listenDatagram` still needs `--unstable-net`, while its `node:dgram` works
 * without any flag.
 *
 * @module
 */
import dgram from "node:dgram";
import net from "node:net";
import type { Datagram, DatagramSocket, SocketAddr, UdpBindRequest } from "./types.ts";

/** Datagrams waiting to be received before new ones are dropped (UDP may drop anyway). */
const MAX_QUEUED = 4096;

class DgramSocket implements DatagramSocket {
  readonly #socket: dgram.Socket;
  readonly #queue: Datagram[] = [];
  #waiter: ((datagram: Datagram | null) => void) | undefined;
  #closed = false;
  readonly addr: SocketAddr;

  constructor(socket: dgram.Socket) {
    this.#socket = socket;
    const address = socket.address();
    this.addr = { hostname: address.address, port: address.port };
    socket.on("message", (data: Uint8Array, rinfo: dgram.RemoteInfo) => {
      const datagram = { data, addr: { hostname: rinfo.address, port: rinfo.port } };
      const waiter = this.#waiter;
      this.#waiter = undefined;
      if (waiter) waiter(datagram);
      else if (this.#queue.length < MAX_QUEUED) this.#queue.push(datagram);
    });
    socket.on("error", () => {});
  }

  send(data: Uint8Array, to: SocketAddr): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(Object.assign(new Error("the socket is closed"), { code: "ERR_SOCKET_DGRAM_NOT_RUNNING" }));
        return;
      }
      this.#socket.send(data, to.port, to.hostname, (error) => (error ? reject(error) : resolve()));
    });
  }

  receive(): Promise<Datagram | null> {
    const next = this.#queue.shift();
    if (next) return Promise.resolve(next);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => (this.#waiter = resolve));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(null);
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
