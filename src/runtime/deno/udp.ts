/**
 * UDP on Deno: `node:dgram` (Deno.listenDatagram needs `--unstable-net`), with Deno's
 * permission checked first. Deno's dgram throws a missing `--allow-net` out of a
 * later tick, where no caller can catch it; asking before each bind and each new
 * destination turns it into an ordinary rejection.
 *
 * @module
 */
import { dgramBind } from "../node/udp.ts";
import type { DatagramSocket, SocketAddr, UdpBindRequest } from "../types.ts";
import { deno } from "./deno_api.ts";
import { formatAddr } from "../../_address.ts";

function checkNetPermission(host: string): void {
  if (deno().permissions.querySync({ name: "net", host }).state !== "granted") {
    throw Object.assign(new Error(`Requires net access to "${host}", run again with the --allow-net flag`), {
      name: "NotCapable",
      code: "EACCES",
    });
  }
}

class PermissionCheckedSocket implements DatagramSocket {
  readonly #socket: DatagramSocket;
  readonly #allowed = new Set<string>();

  constructor(socket: DatagramSocket) {
    this.#socket = socket;
  }

  get addr(): SocketAddr {
    return this.#socket.addr;
  }

  send(data: Uint8Array, to: SocketAddr): Promise<void> {
    const host = formatAddr(to);
    if (!this.#allowed.has(host)) {
      try {
        checkNetPermission(host);
      } catch (error) {
        return Promise.reject(error);
      }
      this.#allowed.add(host);
    }
    return this.#socket.send(data, to);
  }

  receive(): ReturnType<DatagramSocket["receive"]> {
    return this.#socket.receive();
  }

  close(): void {
    this.#socket.close();
  }
}

/** Binds a UDP socket on Deno through `node:dgram`, after checking `--allow-net`. */
export async function denoBindUdp(request: UdpBindRequest): Promise<DatagramSocket> {
  checkNetPermission(formatAddr(request));
  return new PermissionCheckedSocket(await dgramBind(request));
}
