/**
 * One line for each network failure the connecting and listening commands report (echo,
 * echo-server, tcping, proxy): the same wording on every runtime, whatever the runtime said.
 *
 * @module
 */
import { formatAddr, NetError } from "../../net/mod.ts";
import { missingPermissionFlag } from "../../_error_kind.ts";

/** One line for a network failure, the same wording on every runtime. */
export function describeNetFailure(error: unknown, host: string, port: number): string {
  const target = formatAddr({ hostname: host, port });
  if (!(error instanceof NetError)) return error instanceof Error ? error.message : String(error);
  switch (error.code) {
    case "ECONNREFUSED":
      return `connection refused by ${target} (is the server running?)`;
    case "ETIMEDOUT":
      return `no answer from ${target} in time`;
    case "ECONNRESET":
      return `${target} closed or reset the connection: ${reasonOf(error.message, target)}`;
    case "ENOTFOUND":
      return `cannot resolve host '${host}'`;
    case "EADDRINUSE":
      return `${target} is already in use`;
    case "EADDRNOTAVAIL":
      return `${host} is not an address of this machine`;
    case "EACCES":
      // Deno's own words name the flag that grants it; main() turns them into advice.
      return `permission denied for ${target}` +
        (missingPermissionFlag(error) ? ` (${reasonOf(error.message, target)})` : "");
    case "ETLS":
      return `TLS failure with ${target}: ${reasonOf(error.message, target)}`;
    default:
      return reasonOf(error.message, target);
  }
}

// The error's own "Cannot connect to HOST:PORT: " is dropped: the line names the target already.
function reasonOf(message: string, target: string): string {
  const line = message.split("\n")[0]!;
  const at = line.startsWith("Cannot ") ? line.indexOf(`${target}: `) : -1;
  return at === -1 ? line.replace(/^Cannot [^:]+: /, "") : line.slice(at + target.length + 2);
}
