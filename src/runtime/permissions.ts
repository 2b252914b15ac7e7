/**
 * The running runtime's permission checks, without the rest of its adapter: a command
 * that only checks that it may write a file should not load the sockets and HTTP modules
 * of all three runtimes (runtime/mod.ts does) to ask.
 *
 * @module
 */
import { bunPermissions } from "./bun/permissions.ts";
import { denoPermissions } from "./deno/permissions.ts";
import { detectRuntime } from "./detect.ts";
import { nodePermissions } from "./node/permissions.ts";
import type { PermissionAdapter } from "./types.ts";

/** What this runtime allows, and how to ask for more. */
export const permissions: PermissionAdapter = {
  node: nodePermissions,
  deno: denoPermissions,
  bun: bunPermissions,
}[detectRuntime().name];
