// A UDP echo client: send one datagram, wait for the answer (UDP may lose it: time out).
//
//   node examples/udp_echo_client.mjs [PORT] [HOST] [MESSAGE]
//   bun examples/udp_echo_client.mjs [PORT] [HOST] [MESSAGE]
//   deno run --allow-net=127.0.0.1 examples/udp_echo_client.mjs [PORT] [HOST] [MESSAGE]
//
// PORT defaults to 65432, HOST to 127.0.0.1, MESSAGE to "Hello, Network World!".
// Start examples/udp_echo_server.mjs first.
import process from "node:process";
import { udpEcho } from "anynet/echo";

const port = Number(process.argv[2] ?? 65432);
const hostname = process.argv[3] ?? "127.0.0.1";
const message = process.argv.slice(4).join(" ") || "Hello, Network World!";

try {
  const received = await udpEcho(message, { hostname, port, timeout: 3000 });
  console.log(`Sent: ${message}`);
  console.log(`Received: ${received}`);
  process.exitCode = received === message ? 0 : 1;
} catch (error) {
  // A closed port and a lost datagram look the same over UDP: no answer in time.
  console.error(`udp_echo_client: ${error.code ?? "error"}: ${error.message}`);
  process.exitCode = 1;
}
