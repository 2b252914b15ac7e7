// An echo server that serves many clients at once, with anynet/echo's serveEcho: flow
// control, idle timeouts and a graceful stop included.
//
//   node examples/echo_server_async.mjs [PORT] [HOST]
//   bun examples/echo_server_async.mjs [PORT] [HOST]
//   deno run --allow-net=127.0.0.1 examples/echo_server_async.mjs [PORT] [HOST]
//
// PORT defaults to 65432 (0 picks a free one), HOST to 127.0.0.1. Try it with
// examples/echo_client.mjs from several terminals; Ctrl-C stops it gracefully.
import process from "node:process";
import { describeAddr, serveEcho } from "anynet/echo";

const port = Number(process.argv[2] ?? 65432);
const hostname = process.argv[3] ?? "127.0.0.1";

const stop = new AbortController();
process.once("SIGINT", () => stop.abort());
process.once("SIGTERM", () => stop.abort());

const server = await serveEcho({
  hostname,
  port,
  idleTimeout: 60_000,
  signal: stop.signal,
  onEvent(event) {
    const who = describeAddr(event.remoteAddr);
    if (event.type === "open") console.log(`connected by ${who} (${server.activeConnections} active)`);
    else if (event.type === "close") console.log(`${who} done, ${event.bytes} bytes echoed`);
    else if (event.type === "error") console.log(`${who} failed after ${event.bytes} bytes: ${event.error.message}`);
    else if (event.type === "idle") console.log(`${who} idle for 60 s: closed`);
  },
});
console.log(`listening on ${describeAddr(server.addr)}`);
await server.finished;
console.log("stopped");
