/**
 * The runtime-specific HTTP pieces: the `serve` adapter and the CA-aware fetch for the
 * runtime this process runs on.
 *
 * @module
 */
import { detectRuntime } from "../detect.ts";
import { serveBun } from "./serve_bun.ts";
import { serveDeno } from "./serve_deno.ts";
import { serveNode } from "./serve_node.ts";
import type { ServeAdapter } from "./types.ts";

export type * from "./types.ts";
export { fetchWithCa } from "./fetch.ts";

/** The `serve` adapter for the current runtime. */
export const serveAdapter: ServeAdapter = { node: serveNode, deno: serveDeno, bun: serveBun }[detectRuntime().name];
