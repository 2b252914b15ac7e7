/**
 * Permissions on Bun: it has none to ask for, so everything is granted.
 *
 * @module
 */
import type { PermissionAdapter } from "../types.ts";

/** Bun's permission checks: all granted, nothing missing, no command to suggest. */
export const bunPermissions: PermissionAdapter = {
  isGranted: () => true,
  missingWrite: () => undefined,
  commandWith: () => undefined,
};
