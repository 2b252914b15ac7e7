/**
 * What the runtime lets this program do. Deno grants files, network, environment and
 * system information per flag, and Node does so too when started with `--permission`;
 * Bun allows everything. A command asks before it starts, so that a missing permission
 * is one clear line at once, not a failure after a whole run.
 *
 * @module
 */
import process from "node:process";

/** The permissions asked about here, in Deno's terms. */
export type PermissionDescriptor = { name: "write"; path: string } | { name: "sys"; kind: "networkInterfaces" };

type PermissionState = "granted" | "denied" | "prompt";

interface DenoPermissions {
  querySync(descriptor: PermissionDescriptor): { state: PermissionState };
  requestSync(descriptor: PermissionDescriptor): { state: PermissionState };
}

interface NodePermission {
  has(scope: string, reference?: string): boolean;
}

function denoPermissions(): DenoPermissions | undefined {
  return (globalThis as { Deno?: { permissions?: DenoPermissions } }).Deno?.permissions;
}

// Present only when Node runs with --permission (Deno and Bun do not set it).
function nodePermission(): NodePermission | undefined {
  return denoPermissions() ? undefined : (process as { permission?: NodePermission }).permission;
}

/** Whether the runtime grants `descriptor` now, without asking anyone. */
export function isGranted(descriptor: PermissionDescriptor): boolean {
  const deno = denoPermissions();
  if (deno) return deno.querySync(descriptor).state === "granted";
  const node = nodePermission();
  if (!node) return true;
  return descriptor.name === "write" ? node.has("fs.write", descriptor.path) : true;
}

/** A permission the runtime withholds, and the flag that grants it. */
export interface MissingPermission {
  /** `"Deno"` or `"Node"`. */
  runtime: string;
  /** The flag to add to the runtime's command line: `--allow-write=PATH`, `--allow-fs-write=PATH`. */
  flag: string;
}

/**
 * Whether this program may write `path`, or what it lacks. On a terminal Deno asks its
 * user first, as it would at the write itself, but now, before the work.
 */
export function missingWritePermission(path: string): MissingPermission | undefined {
  const descriptor: PermissionDescriptor = { name: "write", path };
  const deno = denoPermissions();
  if (deno) {
    let state = deno.querySync(descriptor).state;
    // Without a terminal, Deno denies at once instead of asking.
    if (state === "prompt") state = deno.requestSync(descriptor).state;
    return state === "granted" ? undefined : { runtime: "Deno", flag: `--allow-write=${path}` };
  }
  return isGranted(descriptor) ? undefined : { runtime: "Node", flag: `--allow-fs-write=${path}` };
}
