/**
 * anynet/echo: echo servers and clients over TCP, TLS and UDP, on Node.js, Deno and Bun.
 *
 * @example Serve and ask
 * ```ts
 * import { echo, serveEcho } from "anynet/echo";
 * // `await using`: native on Deno, Bun, Node 24+; on Node 22 call close() in finally, or compile with tsc.
 * await using server = await serveEcho({ port: 0 });
 * console.log(await echo("hello", { port: server.addr.port }));
 * ```
 *
 * @module
 */
export { echo, EchoIncompleteError, type EchoOptions, udpEcho, type UdpEchoOptions } from "./client.ts";
export type { EchoEvent } from "./events.ts";
export { describeAddr, type EchoServer, serveEcho, type ServeEchoOptions } from "./server.ts";
export { DEFAULT_ECHO_PORT } from "./_options.ts";
export { serveUdpEcho, type ServeUdpEchoOptions, type UdpEchoServer } from "./udp_server.ts";
