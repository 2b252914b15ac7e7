// The classic echo client: connect, send a message, read until the server closes, print it.
//
//   node examples/echo_client.mjs [PORT] [HOST] [MESSAGE]
//   bun examples/echo_client.mjs [PORT] [HOST] [MESSAGE]
//   deno run --allow-net=127.0.0.1 examples/echo_client.mjs [PORT] [HOST] [MESSAGE]
//
// PORT defaults to 65432, HOST to 127.0.0.1 (Deno: allow the host you give), MESSAGE to
// "Hello, Network World!". Start examples/echo_server.mjs (or echo_server_async.mjs) first.
import process from "node:process";
import { connect } from "anynet/net";

const port = Number(process.argv[2] ?? 65432);
const hostname = process.argv[3] ?? "127.0.0.1";
const message = process.argv.slice(4).join(" ") || "Hello, Network World!";

let conn;
try {
  conn = await connect({ hostname, port, timeout: 5000 });
  await conn.write(message);
  await conn.closeWrite(); // "that is all": the server answers our FIN with its own
  let received = "";
  const decoder = new TextDecoder();
  for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) {
    received += decoder.decode(chunk, { stream: true });
  }
  received += decoder.decode();
  console.log(`Sent: ${message}`);
  console.log(`Received: ${received}`);
  process.exitCode = received === message ? 0 : 1;
} catch (error) {
  // anynet's errors carry a stable code: ECONNREFUSED, ETIMEDOUT, ECONNRESET …
  console.error(`echo_client: ${error.code ?? "error"}: ${error.message}`);
  process.exitCode = 1;
} finally {
  conn?.close();
}
