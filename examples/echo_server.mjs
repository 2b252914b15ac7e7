// The classic blocking echo server: one client at a time, everything it sends comes back.
//
//   node examples/echo_server.mjs [PORT] [HOST]
//   bun examples/echo_server.mjs [PORT] [HOST]
//   deno run --allow-net=127.0.0.1 examples/echo_server.mjs [PORT] [HOST]
//
// PORT defaults to 65432 (0 picks a free one), HOST to 127.0.0.1 (Deno: allow the host you
// give). Try it with examples/echo_client.mjs; Ctrl-C stops it.
import process from "node:process";
import { formatAddr, listen } from "anynet/net";

const port = Number(process.argv[2] ?? 65432);
const hostname = process.argv[3] ?? "127.0.0.1";

const listener = await listen({ hostname, port });
console.log(`listening on ${formatAddr(listener.addr)}`);

let current;
const stop = () => {
  listener.close();
  current?.close();
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

// Accept a client, serve it until it closes, and only then accept the next one.
for await (const conn of listener) {
  current = conn;
  console.log(`connected by ${formatAddr(conn.remoteAddr)}`);
  let bytes = 0;
  try {
    for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) {
      await conn.write(chunk);
      bytes += chunk.byteLength;
    }
    await conn.closeWrite();
  } catch (error) {
    if (!listener.closed) console.error(`client ${formatAddr(conn.remoteAddr)} failed: ${error.message}`);
  } finally {
    conn.close();
  }
  console.log(`${formatAddr(conn.remoteAddr)} done, ${bytes} bytes echoed`);
}
console.log("stopped");
