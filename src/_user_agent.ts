/**
 * The `User-Agent` anynet's HTTP client sends unless the caller gives one: the same words
 * on every runtime and transport (`anynet/0.1.0 (node 24.1.0)`, `(deno 2.9.6)`,
 * `(bun 1.4.5)`), where each runtime's fetch would otherwise send its own. The version
 * comes from src/version.ts, as `anynet --version` reads it.
 *
 * To change what the client calls itself, edit it here.
 *
 * @module
 */
import { detectRuntime } from "./runtime/detect.ts";
import { VERSION } from "./version.ts";

const runtime = detectRuntime();

/** `anynet/VERSION (RUNTIME VERSION)`. */
export const USER_AGENT: string = `anynet/${VERSION} (${runtime.name} ${runtime.version})`;
