// Sends its very first request, with a 300 ms timeout, to the URL given as the first
// argument (a server that never answers) and prints what it threw. On Node the first
// request of a process goes out before anynet has seen that undici hands over its abort
// function, so this is the request that relies on the abort signal alone. The process then
// stays up for a while: the server must see the connection closed by the abort, not by
// the process ending.
import { get } from "anynet/http";

const url = globalThis.Deno ? Deno.args[0] : process.argv[2];
const started = performance.now();
try {
  await get(url, { timeout: 300, retry: 0 });
  console.log("no error");
} catch (error) {
  console.log(`${error.name} ${error.kind} ${Math.round(performance.now() - started)}`);
}
await new Promise((resolve) => setTimeout(resolve, 4000));
