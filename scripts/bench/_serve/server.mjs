// One server of the serve benchmark, on whichever runtime runs this file (Node, Deno, Bun).
// JavaScript, not TypeScript, so that all three run it as it is.
//
// Usage: <runtime> server.mjs anynet|native|api
//   anynet  anynet's serve() answering /small, /1k and /1m with fixed bodies
//   native  the runtime's own server answering the same paths with the same bytes: a
//           node:http handler (writeHead + res.end), Deno.serve, Bun.serve
//   api     the demo REST API on serve() (the benchmark asks for GET /posts/1)
// Prints "port N" once it listens; stops on SIGTERM.
import process from "node:process";

const runtime = typeof Deno !== "undefined" ? "deno" : typeof Bun !== "undefined" ? "bun" : "node";
const kind = process.argv.at(-1);

// The same three bodies for every server: a small JSON document, 1 KiB and 1 MiB of bytes.
const small = JSON.stringify({ id: 1, title: "benchmark", tags: ["a", "b", "c"], text: "x".repeat(200) });
const kib = new Uint8Array(1024).fill(97);
const mib = new Uint8Array(1024 * 1024).fill(98);
const JSON_TYPE = { "content-type": "application/json" };
const BYTES_TYPE = { "content-type": "application/octet-stream" };

/** The fetch-style answer to a path, as anynet's serve(), Deno.serve and Bun.serve give it. */
function fetchAnswer(url) {
  if (url.endsWith("/1m")) return new Response(mib, { headers: BYTES_TYPE });
  if (url.endsWith("/1k")) return new Response(kib, { headers: BYTES_TYPE });
  return new Response(small, { headers: JSON_TYPE });
}

async function anynet() {
  // Deno runs the sources as a user of the JSR package does; Node and Bun the built package.
  return await import(runtime === "deno" ? "../../../src/http/mod.ts" : "../../../dist/http/mod.js");
}

async function start() {
  if (kind === "anynet") {
    const { serve } = await anynet();
    const server = await serve((request) => fetchAnswer(request.url), { port: 0 });
    return { port: server.addr.port, close: () => server.close() };
  }
  if (kind === "api") {
    const { serve, createRestApi, restApiErrorResponse } = await anynet();
    const server = await serve(createRestApi(), { port: 0, errorResponse: restApiErrorResponse });
    return { port: server.addr.port, close: () => server.close() };
  }
  if (kind !== "native") throw new Error(`unknown server kind '${kind}' (anynet, native or api)`);
  if (runtime === "deno") {
    const { promise, resolve } = Promise.withResolvers();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: resolve },
      (request) => fetchAnswer(request.url),
    );
    await promise;
    return { port: server.addr.port, close: () => server.shutdown() };
  }
  if (runtime === "bun") {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => fetchAnswer(request.url) });
    return { port: server.port, close: () => server.stop(true) };
  }
  const http = await import("node:http");
  const smallBytes = Buffer.from(small);
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const [body, type] = url.endsWith("/1m")
      ? [mib, BYTES_TYPE["content-type"]]
      : url.endsWith("/1k")
      ? [kib, BYTES_TYPE["content-type"]]
      : [smallBytes, JSON_TYPE["content-type"]];
    res.writeHead(200, { "content-type": type, "content-length": body.byteLength });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
}

const server = await start();
process.stdout.write(`port ${server.port}\n`);
process.on("SIGTERM", async () => {
  await Promise.race([server.close(), new Promise((resolve) => setTimeout(resolve, 1000))]);
  process.exit(0);
});
