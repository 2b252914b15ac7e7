// The local REST API (JSONPlaceholder-style posts, comments and users, kept in memory), so
// that HTTP examples work offline. `anynet serve-api` is the same as a command.
//
//   node examples/rest_api_server.mjs [PORT] [HOST]
//   bun examples/rest_api_server.mjs [PORT] [HOST]
//   deno run --allow-net=127.0.0.1 examples/rest_api_server.mjs [PORT] [HOST]
//
// PORT defaults to 3000 (0 picks a free one), HOST to 127.0.0.1. Try it with
// examples/rest_client.mjs; Ctrl-C stops it.
import process from "node:process";
import { createRestApi, restApiErrorResponse, serve } from "anynet/http";

const port = Number(process.argv[2] ?? 3000);
const hostname = process.argv[3] ?? "127.0.0.1";

// restApiErrorResponse: the answers serve() gives itself (413, 408, 501 …) are JSON too,
// like every error of the API.
const server = await serve(createRestApi(), { hostname, port, errorResponse: restApiErrorResponse });
console.log(`listening on ${server.addr.hostname}:${server.addr.port}`);
const stop = async () => {
  await server.close();
  console.log("stopped");
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
