// The smallest native Node.js echo server, the baseline for anynet on Node: `net` and
// `socket.pipe(socket)`, nothing else. JavaScript, not TypeScript, so that
// type stripping costs nothing at start. Usage: node native_node.mjs [--host 127.0.0.1] [--port 0]
// Prints "listening on HOST:PORT" once it accepts.
import { createServer } from "node:net";
import process from "node:process";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const host = flag("--host", "127.0.0.1");
const port = Number(flag("--port", "0"));

const server = createServer((socket) => {
  // A reset by the load client at the end of a run is not an error of the server.
  socket.on("error", () => socket.destroy());
  socket.pipe(socket);
});
server.listen({ host, port, backlog: 4096 }, () => {
  process.stdout.write(`listening on ${host}:${server.address().port}\n`);
});
