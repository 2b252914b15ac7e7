// One server of the serve benchmark, on whichever runtime runs this file (Node, Deno, Bun).
// JavaScript, not TypeScript, so that all three run it as it is.
//
// Usage: <runtime> server.mjs anynet|anynet-fast|native|api|floor
//   anynet  anynet's serve() answering /small, /1k and /1m with fixed bodies
//   anynet-fast  the same with anynet's FastResponse instead of Response
//   native  the runtime's own server answering the same paths with the same bytes: a
//           node:http handler (writeHead + res.end), Deno.serve, Bun.serve
//   api     the demo REST API on serve() (the benchmark asks for GET /posts/1)
//   floor   what any server built as serve() is pays on this runtime before anynet's own
//           code: on Node, a node:http handler that builds the same fetch Response and
//           writes the bytes read from it; on Deno, an accept loop of its own serving each
//           connection with Deno's serveHttpOnConnection (what serve() runs on) and the
//           bare handler; none on Bun
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
function fetchAnswer(url, ResponseClass = Response) {
  if (url.endsWith("/1m")) return new ResponseClass(mib, { headers: BYTES_TYPE });
  if (url.endsWith("/1k")) return new ResponseClass(kib, { headers: BYTES_TYPE });
  return new ResponseClass(small, { headers: JSON_TYPE });
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
  if (kind === "anynet-fast") {
    const { serve, FastResponse } = await anynet();
    const server = await serve((request) => fetchAnswer(request.url, FastResponse), { port: 0 });
    return { port: server.addr.port, close: () => server.close() };
  }
  if (kind === "api") {
    const { serve, createRestApi, restApiErrorResponse } = await anynet();
    const server = await serve(createRestApi(), { port: 0, errorResponse: restApiErrorResponse });
    return { port: server.addr.port, close: () => server.close() };
  }
  if (kind === "floor") return await floor();
  if (kind !== "native") throw new Error(`unknown server kind '${kind}' (anynet, anynet-fast, native, api or floor)`);
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

async function floor() {
  if (runtime === "deno") {
    const internals = Deno[Deno.internal];
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    (async () => {
      for (;;) {
        const conn = await listener.accept();
        const served = internals.serveHttpOnConnection(
          conn,
          // One signal per connection, as serve() has: Deno adds a listener to it per
          // connection, so a shared one would grow without end.
          new AbortController().signal,
          (request) => fetchAnswer(request.url),
          () => new Response(null, { status: 500 }),
          () => {},
        );
        // A connection the client resets ends here, not as an uncaught error.
        served.finished.catch(() => {});
      }
    })().catch(() => {});
    // Stopping just ends the process: aborting connections Deno has closed throws.
    return { port: listener.addr.port, close: () => listener.close() };
  }
  if (runtime !== "node") throw new Error(`no floor server on ${runtime}`);
  const http = await import("node:http");
  const server = http.createServer(async (req, res) => {
    const response = fetchAnswer(req.url ?? "/");
    const reader = response.body.getReader();
    const { value } = await reader.read();
    await reader.read();
    const headers = [];
    response.headers.forEach((v, k) => headers.push(k, v));
    headers.push("content-length", String(value.byteLength));
    res.writeHead(response.status, headers);
    res.end(value);
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
