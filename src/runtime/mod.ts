/**
 * The adapter for the runtime this process runs on, chosen once at load time: the one
 * place that decides which runtime's code runs. Everything above src/runtime/ reaches
 * the runtime through {@linkcode adapter}.
 *
 * All three adapters are imported statically: each touches its runtime's globals only
 * when called, and `node:*` modules load on Deno and Bun too, so nothing fails to load.
 *
 * @module
 */
import { bunAdapter } from "./bun/adapter.ts";
import { denoAdapter } from "./deno/adapter.ts";
import { detectRuntime } from "./detect.ts";
import { nodeAdapter } from "./node/adapter.ts";
import type { RuntimeAdapter } from "./types.ts";

export type * from "./types.ts";
export type * from "./http_types.ts";
export { detectRuntime, type RuntimeInfo, type RuntimeName } from "./detect.ts";

const adapters: Record<RuntimeAdapter["runtime"], RuntimeAdapter> = {
  node: nodeAdapter,
  deno: denoAdapter,
  bun: bunAdapter,
};

/** The adapter for the current runtime. */
export const adapter: RuntimeAdapter = adapters[detectRuntime().name];
