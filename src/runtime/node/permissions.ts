/**
 * What Node lets this program do: everything, unless it was started with `--permission`,
 * which sets `process.permission` (file writes are then granted per path by
 * `--allow-fs-write`).
 *
 * @module
 */
import { globalProcess } from "../_shared/global_process.ts";
import type { PermissionAdapter } from "../types.ts";

interface NodePermission {
  has(scope: string, reference?: string): boolean;
}

// Present only when Node runs with --permission.
function nodePermission(): NodePermission | undefined {
  return (globalProcess() as { permission?: NodePermission }).permission;
}

/** Node's permission model. */
export const nodePermissions: PermissionAdapter = {
  isGranted(descriptor) {
    const node = nodePermission();
    if (!node) return true;
    return descriptor.name === "write" ? node.has("fs.write", descriptor.path) : true;
  },
  missingWrite(path) {
    return nodePermissions.isGranted({ name: "write", path })
      ? undefined
      : { runtime: "Node", flag: `--allow-fs-write=${path}` };
  },
  commandWith: () => undefined,
};
