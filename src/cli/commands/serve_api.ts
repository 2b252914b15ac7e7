import { CommandError, type CommandSpec } from "../command.ts";
import { createRestApi } from "../../http/rest_api.ts";
import { serve } from "../../http/serve.ts";

/** `anynet serve-api`: the local JSONPlaceholder-style REST API. */
export const serveApiCommand: CommandSpec = {
  name: "serve-api",
  summary: "Serve a local JSONPlaceholder-style REST API (posts, comments, users)",
  description: "Serves /posts, /posts/:id, /posts/:id/comments, /users and /users/:id with GET, POST, PUT, " +
    "PATCH and DELETE and JSON bodies, kept in memory, so that HTTP examples work offline. Bad input gets 400 " +
    "naming the field, unknown routes 404, oversized bodies 413; with --api-key, requests without " +
    "'Authorization: Bearer KEY' or 'X-API-Key: KEY' get 401. Runs until Ctrl-C.",
  flags: [
    { name: "host", type: "string", description: "Address to listen on", default: "127.0.0.1", valueName: "HOST" },
    {
      name: "port",
      type: "integer",
      description: "Port to listen on (0 picks a free one)",
      default: 3000,
      min: 0,
      max: 65535,
    },
    { name: "api-key", type: "string", description: "Require this API key", valueName: "KEY" },
    {
      name: "max-body-bytes",
      type: "integer",
      description: "Largest accepted request body",
      default: 65536,
      min: 0,
      valueName: "N",
    },
  ],
  examples: ["serve-api", "serve-api --port 0", "serve-api --api-key s3cret"],
  async run(input, io) {
    const hostname = input.flags.host as string;
    const port = input.flags.port as number;
    const apiKey = input.flags["api-key"] as string | undefined;
    const maxBodyBytes = input.flags["max-body-bytes"] as number;
    if (apiKey === "") throw new CommandError("--api-key must not be empty", { exitCode: 2 });
    let server;
    try {
      server = await serve(createRestApi({ apiKey, maxBodyBytes }), {
        hostname,
        port,
        maxBodyBytes,
        onError: (error) => {
          void io.err(`anynet serve-api: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
          return new Response(JSON.stringify({ error: "internal error" }) + "\n", {
            status: 500,
            headers: { "content-type": "application/json" },
          });
        },
      });
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      const message = error instanceof Error ? error.message : String(error);
      throw new CommandError(
        `cannot listen on ${hostname}:${port}: ${code && !message.includes(code) ? `${code}: ` : ""}${message}`,
        {
          cause: error,
        },
      );
    }
    await io.out(`listening on ${server.url}\n`);
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await server.close();
    return 0;
  },
};
