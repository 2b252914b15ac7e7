// Resets a connection right after asking for its end, before the runtime has carried the
// end out, then closes everything and lets the process end by itself. Prints "done"
// first; a runtime that leaks the socket would hang here at exit instead of ending.
import process from "node:process";
import { connect, listen } from "anynet/net";

const listener = await listen({ hostname: "127.0.0.1", port: 0 });
const client = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
const server = await listener.accept();
await server.write(new TextEncoder().encode("hi"));
server.closeWrite().catch(() => {});
// Node asks libuv for the shutdown on a next tick; the reset comes after that, before
// the event loop turns again.
await new Promise((resolve) => process.nextTick(resolve));
await new Promise((resolve) => process.nextTick(resolve));
server.reset();
client.reset();
listener.close();
console.log("done");
