/**
 * Proves src/runtime/deno/deno_api.ts, the part of Deno's API that the Deno adapter is
 * written against, against Deno's own declarations: `npm run check` runs `deno check`
 * on this file (deno.json's `deno.window` lib). A Deno release that changes one of these
 * APIs makes an assignment below fail.
 *
 * @module
 */
import type { DenoApi, DenoConn, DenoHandlerInfo, DenoListener } from "../src/runtime/deno/deno_api.ts";

// The global itself, as the adapter calls it: Deno's functions take what the adapter gives.
export const api: DenoApi = Deno;
// What Deno hands back has at least what the adapter reads.
export const tcpConn: DenoConn = {} as Deno.TcpConn;
export const tlsConn: DenoConn = {} as Deno.TlsConn;
export const tlsListener: DenoListener = {} as Deno.TlsListener;
export const info: DenoHandlerInfo = {} as Deno.ServeHandlerInfo<Deno.NetAddr>;
