/**
 * anynet/net: TCP, TLS and UDP sockets with one API on Node.js, Deno and Bun.
 *
 * - {@linkcode listen} and {@linkcode connect} for TCP and TLS streams
 *   ({@linkcode Listener}, {@linkcode Connection}),
 * - {@linkcode bindUdp} for datagrams ({@linkcode UdpSocket}),
 * - typed errors: {@linkcode NetError} with a stable `code`, and one subclass per kind.
 *
 * @example Connect, write, read
 * ```ts
 * import { connect } from "anynet/net";
 * // `await using`: native on Deno, Bun, Node 24+; on Node 22 call close() in finally, or compile with tsc.
 * await using conn = await connect({ hostname: "127.0.0.1", port: 65432, timeout: 3000 });
 * await conn.write("hello");
 * console.log(await conn.read());
 * ```
 *
 * @module
 */
export { connect } from "./connect.ts";
export { formatAddr } from "../_address.ts";
export { Connection, type ConnectionEcho } from "./connection.ts";
export {
  AddressInUseError,
  AddressNotAvailableError,
  ConnectionRefusedError,
  ConnectionResetError,
  HostNotFoundError,
  HostUnreachableError,
  NetError,
  type NetErrorCode,
  type NetErrorOptions,
  PermissionDeniedError,
  SocketClosedError,
  TimedOutError,
  TlsError,
  UnsupportedError,
} from "./errors.ts";
export { listen, Listener } from "./listen.ts";
export { pump, type PumpOptions } from "./pump.ts";
export type {
  BindUdpOptions,
  ConnectOptions,
  ListenOptions,
  NetAddr,
  TlsClientOptions,
  TlsServerOptions,
  UdpMessage,
} from "./types.ts";
export { bindUdp, lookupHost, udpImplementation, UdpSocket } from "./udp.ts";
