/**
 * UDP on Bun (`Bun.udpSocket`). Bun takes IP addresses only, so names are resolved
 * before they get here; `send()` returning false means the kernel is full: wait for
 * `drain` and try again.
 *
 * @module
 */
import type { Datagram, DatagramSocket, SocketAddr, UdpBindRequest } from "../types.ts";
import { Handoff } from "../_shared/handoff.ts";
import { bun, type BunUdpSocket } from "./bun_api.ts";
import { datagramSocketClosedError } from "../_shared/adapter_errors.ts";

/** Datagrams waiting to be received before new ones are dropped (UDP may drop anyway). */
const MAX_QUEUED = 4096;

class BunDatagramSocket implements DatagramSocket {
  #socket: BunUdpSocket | undefined;
  readonly #queue = new Handoff<Datagram>(MAX_QUEUED);
  readonly #drainWaiters: (() => void)[] = [];
  #closed = false;
  addr: SocketAddr = { hostname: "", port: 0 };

  attach(socket: BunUdpSocket): void {
    this.#socket = socket;
    this.addr = { hostname: socket.address.address, port: socket.address.port };
  }

  onData(data: Uint8Array, port: number, address: string): void {
    this.#queue.put({ data, addr: { hostname: address, port } });
  }

  onDrain(): void {
    for (const wake of this.#drainWaiters.splice(0)) wake();
  }

  async send(data: Uint8Array, to: SocketAddr): Promise<void> {
    for (;;) {
      if (this.#closed || !this.#socket) {
        throw datagramSocketClosedError();
      }
      if (this.#socket.send(data, to.port, to.hostname)) return;
      await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    }
  }

  receive(): Promise<Datagram | null> {
    return this.#queue.take();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket?.close();
    this.onDrain();
    this.#queue.end();
  }
}

/** Binds a UDP socket with `Bun.udpSocket`. */
export async function bunBindUdp(request: UdpBindRequest): Promise<DatagramSocket> {
  const wrapped = new BunDatagramSocket();
  const socket = await bun().udpSocket({
    hostname: request.hostname,
    port: request.port,
    socket: {
      data: (_socket, data, port, address) => wrapped.onData(data, port, address),
      drain: () => wrapped.onDrain(),
      error: () => {},
    },
  });
  wrapped.attach(socket);
  return wrapped;
}
