/**
 * `anynet bench echo`: the echo load generator's command line. The load itself is
 * tools/echo_load.ts; this file turns flags into its options, shows a live line on a
 * terminal, and writes the report as text or JSON.
 *
 * @module
 */
import { MAX_DELAY_S } from "../../_delay.ts";
import { echoLoad, type EchoLoadResult } from "../../tools/echo_load.ts";
import { CommandError, type CommandSpec, UsageError } from "../command.ts";
import { connectionsFlag, durationFlag, fixed, latencyLines, liveLine, rateFlag, warmupFlag } from "./_load_flags.ts";

/** The human-readable report of a load run. */
function echoLoadText(r: EchoLoadResult): string {
  const [percentiles, ...rest] = latencyLines(r.latency, r.histogram, "             ");
  return [
    `echo load on ${r.target}: ${r.connections} connections, ${r.size}-byte messages, ${
      fixed(r.durationMs / 1000, 2)
    } s` + (r.rate === null ? "" : `, rate ${r.rate}/s (latency from when each message was due)`),
    `round trips: ${r.roundTrips} (${fixed(r.roundTripsPerSecond, 0)}/s)`,
    `throughput:  ${fixed(r.megabytesPerSecond, 2)} MB/s echoed (${r.bytesEchoed} bytes)`,
    `latency:     ${percentiles}`,
    ...rest,
    `mismatches:  ${r.mismatches}`,
    `failures:    ${r.failures}${r.firstFailure ? ` (first: ${r.firstFailure})` : ""}`,
    `connections opened: ${r.connectionsOpened}`,
  ].join("\n") + "\n";
}

/** `anynet bench echo`: the echo load generator. */
export const benchEchoCommand: CommandSpec = {
  name: "bench echo",
  summary: "Load an echo server and check every echoed byte (round trips/s, MB/s, latency)",
  description: "Keeps --connections connections busy for --duration seconds (or until --messages echoes): " +
    "each sends a --size-byte message, waits for the whole echo, checks every byte and sends the next. With " +
    "--rate, messages are due at that fixed rate instead and each one's latency counts from when it was due " +
    "(coordinated omission corrected). Reports round trips per second, megabytes echoed per second, " +
    "p50/p90/p99/p99.9/max latency (within 0.4 %) with a histogram, a live line on a terminal, mismatches " +
    "(echoes that differ from what was sent) and " +
    "failures (refused, reset, timed out, closed early). Ctrl-C stops early and reports. Exits 1 when an echo " +
    "mismatched or no round trip completed.",
  flags: [
    { name: "host", type: "string", default: "127.0.0.1", valueName: "HOST", description: "The echo server's host" },
    {
      name: "port",
      type: "integer",
      min: 1,
      max: 65535,
      valueName: "PORT",
      description: "The echo server's port (required)",
    },
    connectionsFlag,
    durationFlag(5, "How long to measure (unless --messages)"),
    {
      name: "messages",
      short: "n",
      type: "integer",
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
      valueName: "N",
      description: "Stop after N measured messages instead",
    },
    rateFlag("messages"),
    warmupFlag,
    {
      name: "size",
      short: "s",
      type: "integer",
      min: 1,
      max: 16777216,
      default: 64,
      valueName: "BYTES",
      description: "Bytes per message",
    },
    {
      name: "timeout",
      type: "number",
      min: 0.001,
      max: MAX_DELAY_S,
      default: 5,
      valueName: "SECONDS",
      description: "Time limit of one connect or round trip",
    },
    { name: "json", type: "boolean", description: "Print the figures as one JSON object" },
  ],
  examples: [
    "bench echo --port 65432",
    "bench echo --host 10.0.0.2 --port 7 --connections 50 --duration 10 --size 1024 --json",
    "bench echo --port 65432 --rate 5000 --warmup 1 --duration 10",
  ],
  async run(input, io) {
    const f = input.flags;
    if (f.port === undefined) throw new UsageError("--port PORT is required", "bench echo");
    const live = liveLine(io, !f.json);
    let result: EchoLoadResult;
    try {
      result = await echoLoad({
        hostname: f.host as string,
        port: f.port as number,
        connections: f.connections as number,
        duration: (f.duration as number) * 1000,
        ...(f.messages === undefined ? {} : { messages: f.messages as number }),
        ...(f.rate === undefined ? {} : { rate: f.rate as number }),
        warmup: ((f.warmup as number | undefined) ?? 0) * 1000,
        size: f.size as number,
        timeout: (f.timeout as number) * 1000,
        ...(live.shown
          ? {
            onProgress: (p) =>
              live.show(
                `${(p.elapsedMs / 1000).toFixed(1)} s, ${p.roundTrips} round trips, ${p.currentRate.toFixed(0)}/s`,
              ),
            progressInterval: 500,
          }
          : {}),
        signal: io.signal,
      });
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError) throw new UsageError(error.message, "bench echo");
      throw new CommandError((error as Error).message);
    }
    await live.clear();
    await io.out(f.json ? JSON.stringify(result, null, 2) + "\n" : echoLoadText(result));
    return result.mismatches > 0 || result.roundTrips === 0 ? 1 : 0;
  },
};
