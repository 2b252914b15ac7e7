/**
 * One line for each network failure the connecting and listening commands report (echo,
 * echo-server, tcping, proxy, and the HTTP servers serve-api, serve-static and pcap view):
 * the same wording on every runtime, whatever the runtime said.
 *
 * @module
 */
import { formatAddr } from "../../_address.ts";
import { NetError } from "../../net/errors.ts";
import { missingPermissionFlag } from "../../_error_kind.ts";
import { CommandError, UsageError } from "../command.ts";

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

/**
 * The one-line failure of `command` that could not listen on `host:port` (echo-server,
 * proxy, serve-api, serve-static, pcap view): "cannot listen: 127.0.0.1:8080 is already in
 * use"; a value the listening call refused before trying (a `--host` that names no host)
 * is a usage error (exit 2).
 */
export function listenFailure(command: string, host: string, port: number, error: unknown): CommandError | UsageError {
  if (error instanceof TypeError || error instanceof RangeError) return new UsageError(error.message, command);
  return new CommandError(`cannot listen: ${describeNetFailure(error, host, port)}`, { cause: error });
}

// The error's own "Cannot connect to HOST:PORT: " is dropped: the line names the target already.
function reasonOf(message: string, target: string): string {
  const line = message.split("\n")[0]!;
  const at = line.startsWith("Cannot ") ? line.indexOf(`${target}: `) : -1;
  return at === -1 ? line.replace(/^Cannot [^:]+: /, "") : line.slice(at + target.length + 2);
}
