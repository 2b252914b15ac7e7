/**
 * The one check of the addresses a runtime reports for a connected socket.
 *
 * A runtime reads a socket's addresses from the kernel (getpeername/getsockname); for
 * a connection the peer reset before that, there is none: the kernel answers ENOTCONN
 * (ECONNABORTED from an accept() that asks for the address). Deno's accept() rejects
 * with that error; Node and Bun accept the socket anyway and report `undefined` (Node
 * `remoteAddress`, Bun `remoteAddress` and `remotePort`). The kernel has decided: a
 * socket without a peer address is already gone, so it is dropped and counted, never
 * handed on with a made-up address that would show up as ":0" in logs or break code
 * that formats it.
 *
 * @module
 */
import type { ReportedAddr } from "../runtime/types.ts";
import { isIpAddress } from "./_ip.ts";
import type { NetAddr } from "./types.ts";

/** The address if it is a real one (an IP address and a port from 1 to 65535), else undefined. */
export function realSocketAddr(reported: ReportedAddr | undefined): NetAddr | undefined {
  if (reported === undefined || reported === null || typeof reported !== "object") return undefined;
  const { hostname, port } = reported;
  if (typeof hostname !== "string" || !isIpAddress(hostname)) return undefined;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { hostname, port };
}
