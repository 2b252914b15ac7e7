/**
 * Shared by the commands that serve HTTP until stopped (`serve-static`, `pcap view`): the
 * `--host` and `--port` flags, the one line for an address that cannot be listened on,
 * and the wait for Ctrl-C or SIGTERM.
 *
 * @module
 */
import { CommandError, type FlagSpec } from "../command.ts";

/** `--host` (127.0.0.1 by default) and `--port` with the command's default port. */
export function listenFlags(defaultPort: number): FlagSpec[] {
  return [
    { name: "host", type: "string", description: "Address to listen on", default: "127.0.0.1", valueName: "HOST" },
    {
      name: "port",
      type: "integer",
      description: "Port to listen on (0 picks a free one)",
      default: defaultPort,
      min: 0,
      max: 65535,
    },
  ];
}

/** The one-line failure of a server that could not listen on `hostname:port` (with the system's code). */
export function listenFailure(hostname: string, port: number, error: unknown): CommandError {
  const code = (error as { code?: string }).code ?? "";
  const message = error instanceof Error ? error.message : String(error);
  return new CommandError(
    `cannot listen on ${hostname}:${port}: ${code && !message.includes(code) ? `${code}: ` : ""}${message}`,
    { cause: error },
  );
}

/** Resolves when the command is asked to stop (Ctrl-C, SIGTERM). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
