/**
 * Shared by the commands that serve HTTP until stopped (`serve-static`, `pcap view`): the
 * `--host` and `--port` flags and the wait for Ctrl-C or SIGTERM.
 *
 * @module
 */
import type { FlagSpec } from "../command.ts";

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

/** Resolves when the command is asked to stop (Ctrl-C, SIGTERM). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
