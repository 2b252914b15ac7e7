// A UDP echo server: every datagram goes back to its sender.
//
//   node examples/udp_echo_server.mjs [PORT] [HOST]
//   bun examples/udp_echo_server.mjs [PORT] [HOST]
//   deno run --allow-net=127.0.0.1 examples/udp_echo_server.mjs [PORT] [HOST]
//
// PORT defaults to 65432 (0 picks a free one), HOST to 127.0.0.1. Try it with
// examples/udp_echo_client.mjs; Ctrl-C stops it.
import process from "node:process";
import { describeAddr, serveUdpEcho } from "anynet/echo";

const port = Number(process.argv[2] ?? 65432);
const hostname = process.argv[3] ?? "127.0.0.1";

const stop = new AbortController();
process.once("SIGINT", () => stop.abort());
process.once("SIGTERM", () => stop.abort());

const server = await serveUdpEcho({
  hostname,
  port,
  signal: stop.signal,
  onEvent: (event) => console.log(`${event.bytes} bytes from ${describeAddr(event.remoteAddr)} echoed`),
});
console.log(`listening on ${describeAddr(server.addr)}`);
await server.finished;
console.log("stopped");
