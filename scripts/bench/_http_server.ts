/**
 * The server of the HTTP benchmark: anynet's serve() on Deno answering every request with
 * the same small JSON document. Prints "port N" when ready; stops on SIGTERM.
 */
import { serve } from "../../src/http/mod.ts";

const body = JSON.stringify({ id: 1, title: "benchmark", tags: ["a", "b", "c"], text: "x".repeat(200) });
const server = await serve(() => new Response(body, { headers: { "content-type": "application/json" } }), { port: 0 });
console.log(`port ${server.addr.port}`);
Deno.addSignalListener("SIGTERM", async () => {
  await server.close();
  Deno.exit(0);
});
