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

/** The permissions Deno grants by a flag of its own, in the order `deno run --help` lists them. */
const GRANTABLE = ["read", "write", "net", "env", "run", "sys", "ffi"] as const;

/** A word as a POSIX shell reads it back unchanged. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The path of a `file:` URL, or the URL itself (a module run from the network, say). */
function modulePath(url: string): string {
  return url.startsWith("file://") ? decodeURIComponent(new URL(url).pathname) : url;
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
  commandWith(flag) {
    // What was granted in full is kept; a grant for some paths or hosts only cannot be
    // read back, and the flag to add covers its kind in full.
    const api = deno();
    const kept = GRANTABLE.filter((name) => api.permissions.querySync({ name }).state === "granted");
    const flags = [...new Set([...kept.map((name) => `--allow-${name}`), flag])];
    return ["deno", "run", ...flags, modulePath(api.mainModule), ...api.args].map(shellWord).join(" ");
  },
};
