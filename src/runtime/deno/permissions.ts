/**
 * What Deno lets this program do: files, network, environment and system information
 * are granted per flag (`--allow-write`, `--allow-sys` …), and on a terminal Deno asks
 * its user for what was not granted.
 *
 * @module
 */
import type { PermissionAdapter, PermissionDescriptor } from "../types.ts";
import { deno } from "./deno_api.ts";

function query(descriptor: PermissionDescriptor): "granted" | "denied" | "prompt" {
  return deno().permissions.querySync(descriptor).state;
}

/** Deno's permissions. */
export const denoPermissions: PermissionAdapter = {
  isGranted: (descriptor) => query(descriptor) === "granted",
  missingWrite(path) {
    const descriptor: PermissionDescriptor = { name: "write", path };
    let state = query(descriptor);
    // Without a terminal, Deno denies at once instead of asking.
    if (state === "prompt") state = deno().permissions.requestSync(descriptor).state;
    return state === "granted" ? undefined : { runtime: "Deno", flag: `--allow-write=${path}` };
  },
};
