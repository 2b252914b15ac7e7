/**
 * What a user reads when Deno withholds a permission a command needs: the flag that
 * grants it and the whole `deno run` command line to type, for every command, from the
 * one place where the CLI turns a failure into its message (src/cli/main.ts).
 *
 * @module
 */
import { missingPermissionFlag } from "../_error_kind.ts";

/** The kinds of access Deno's flags grant, in a user's words. */
const ACCESS: Record<string, string> = {
  "--allow-net": "network access",
  "--allow-read": "reading files",
  "--allow-write": "writing files",
  "--allow-env": "environment variables",
  "--allow-run": "running programs",
  "--allow-sys": "system information",
  "--allow-ffi": "native libraries",
};

/**
 * Lines that say which flag grants what `error` was refused, and how to run the same
 * command with it; `undefined` when `error` is no permission refusal, or the runtime
 * has no such flags.
 */
export async function permissionAdvice(error: unknown): Promise<string | undefined> {
  const flag = missingPermissionFlag(error);
  if (!flag) return undefined;
  // The runtime adapters load only for a refusal: importing them at start-up (every
  // runtime's networking) cost a command that needs none of it as much as the runtime's own start.
  const { adapter } = await import("../runtime/mod.ts");
  const command = adapter.permissions.commandWith(flag);
  if (!command) return undefined;
  return `Deno needs ${flag} (${ACCESS[flag] ?? "this access"}) for this command. Run it as:\n  ${command}\n`;
}
