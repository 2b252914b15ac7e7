/**
 * anynet: one network toolkit for Node.js, Deno and Bun.
 *
 * The areas live in their own entry points: `anynet/net` (sockets), `anynet/echo`,
 * `anynet/http`, `anynet/packet` and `anynet/tools`. This root module holds what they
 * share: the version and runtime detection.
 *
 * @example Which runtime runs this
 * ```ts
 * import { detectRuntime, VERSION } from "anynet";
 * console.log(`anynet ${VERSION} on ${detectRuntime().name}`);
 * ```
 *
 * @module
 */
export { VERSION } from "./version.ts";
export { detectRuntime, type RuntimeInfo, type RuntimeName } from "./runtime/detect.ts";
