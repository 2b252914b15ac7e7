/**
 * The runtime-specific HTTP pieces: the `serve` adapter and the CA-aware fetch for the
 * runtime this process runs on.
 *
 * @module
 */
import { detectRuntime } from "../detect.ts";
import { serveBun } from "../bun/serve.ts";
import { serveDeno } from "../deno/serve.ts";
import { serveNode } from "../node/serve.ts";
import type { ServeAdapter } from "../serve_types.ts";

export type * from "../serve_types.ts";
export { fetchWithCa } from "./fetch.ts";

/** The `serve` adapter for the current runtime. */
export const serveAdapter: ServeAdapter = { node: serveNode, deno: serveDeno, bun: serveBun }[detectRuntime().name];
