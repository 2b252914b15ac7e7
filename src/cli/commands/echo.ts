import { MAX_DELAY_S } from "../../_delay.ts";
import { DEFAULT_ECHO_PORT, echo, udpEcho } from "../../echo/mod.ts";
import { CommandError, type CommandSpec, UsageError } from "../command.ts";
import { describeNetFailure } from "./_net_messages.ts";
import { CA_FLAG, readCaFlag } from "./_pem_files.ts";

/** `anynet echo`: the echo client. */
export const echoCommand: CommandSpec = {
  name: "echo",
  summary: "Send a message to an echo server and print what comes back",
  description: "Prints 'Sent: MESSAGE' and 'Received: MESSAGE'. A refused connection, a timeout or an " +
    "answer that differs from the message is a one-line error and exit code 1. Over TLS the server's " +
    "certificate and name are always verified; trust a private CA with --ca.",
  positionals: [{ name: "MESSAGE", description: "The message (several words are joined with spaces)", variadic: true }],
  flags: [
    { name: "host", type: "string", description: "The server's host", default: "127.0.0.1", valueName: "HOST" },
    { name: "port", type: "integer", description: "The server's port", default: DEFAULT_ECHO_PORT, min: 1, max: 65535 },
    { name: "udp", type: "boolean", description: "Send one UDP datagram instead of using TCP" },
    { name: "tls", type: "boolean", description: "Connect over TLS" },
    CA_FLAG,
    {
      name: "timeout",
      type: "number",
      description: "Seconds to wait for the answer",
      default: 10,
      min: 0.001,
      max: MAX_DELAY_S,
      valueName: "SECONDS",
    },
  ],
  examples: ["echo hello", "echo --port 9999 --udp ping", "echo --tls --ca ca.pem --host localhost --port 8443 secret"],
  async run(input, io) {
    const f = input.flags;
    if (input.positionals.length === 0) throw new UsageError("missing MESSAGE", "echo");
    const message = input.positionals.join(" ");
    const host = f.host as string;
    const port = f.port as number;
    if (f.udp === true && f.tls === true) throw new UsageError("--udp and --tls cannot be combined", "echo");
    const caCerts = await readCaFlag(f, "echo");
    const timeout = (f.timeout as number) * 1000;
    let received: string;
    try {
      received = f.udp === true
        ? await udpEcho(message, { hostname: host, port, timeout, signal: io.signal })
        : await echo(message, {
          hostname: host,
          port,
          tls: f.tls === true ? { caCerts } : undefined,
          timeout,
          signal: io.signal,
        });
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError) throw new UsageError(error.message, "echo");
      throw new CommandError(describeNetFailure(error, host, port));
    }
    await io.out(`Sent: ${message}\nReceived: ${received}\n`);
    if (received !== message) throw new CommandError("the answer differs from the message");
    return 0;
  },
};
