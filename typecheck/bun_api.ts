/**
 * Proves src/runtime/bun/bun_api.ts, the part of Bun's API that the Bun adapter is
 * written against, against Bun's own declarations (`bun-types`): compiled by
 * `npm run check` with typecheck/tsconfig.bun.json, which also compiles the whole of
 * src/runtime/bun/ with Bun's globals. A Bun release that changes one of these APIs makes
 * an assignment below fail.
 *
 * @module
 */
import type { BunApi, BunServer, BunSocket, BunUdpSocket } from "../src/runtime/bun/bun_api.ts";

/** What the adapter keeps in a socket's `data`. */
interface Owner {
  readonly owner: true;
}

// The global itself, as the adapter calls it: Bun's functions take what the adapter gives.
export const api: BunApi = Bun;
// What Bun hands back has at least what the adapter reads.
export const socket: BunSocket<Owner | undefined> = {} as Bun.Socket<Owner | undefined>;
export const udpSocket: BunUdpSocket = {} as Bun.udp.Socket<"uint8array">;
export const server: BunServer = {} as Bun.Server<undefined>;
