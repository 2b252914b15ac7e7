import { CommandError, type CommandSpec, type FlagSpec } from "../command.ts";
import { createRestApi, restApiErrorResponse } from "../../http/rest_api.ts";
import { serve } from "../../http/serve.ts";
import { API_KEY_ENV, apiKeyFlags, resolveApiKey } from "./_api_key.ts";
import { MAX_DELAY_S } from "../../_delay.ts";

/** A time limit in seconds, as serve() takes it in milliseconds. */
function timeoutFlag(name: string, description: string, seconds: number): FlagSpec {
  return { name, type: "number", description, default: seconds, min: 0.001, max: MAX_DELAY_S, valueName: "SECONDS" };
}

/** `anynet serve-api`: the local JSONPlaceholder-style REST API. */
export const serveApiCommand: CommandSpec = {
  name: "serve-api",
  summary: "Serve a local JSONPlaceholder-style REST API (posts, comments, users)",
  description: "Serves /posts, /posts/:id, /posts/:id/comments, /users and /users/:id with GET, POST, PUT, " +
    "PATCH and DELETE and JSON bodies, kept in memory, so that HTTP examples work offline. Every error is JSON: " +
    "bad input gets 400 naming the field, a body that is not JSON 415, unknown routes 404, oversized bodies 413, " +
    "a full store 507. GET /posts answers pages of at most 100 posts (?_start=N&_limit=N). With an API key " +
    `(--api-key-file FILE, or ${API_KEY_ENV} in the environment; --api-key KEY shows the key to every user ` +
    "in the process list), requests without 'Authorization: Bearer KEY' or 'X-API-Key: KEY' get 401. " +
    "Idle connections close after 5 s, headers must arrive within 10 s and bodies within 30 s (the three " +
    "--*-timeout flags change that). Runs until Ctrl-C.",
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
    ...apiKeyFlags("Require this API key"),
    {
      name: "max-body-bytes",
      type: "integer",
      description: "Largest accepted request body",
      default: 65536,
      min: 0,
      valueName: "N",
    },
    {
      name: "max-store-bytes",
      type: "integer",
      description: "Most bytes the stored posts may take (each post's JSON plus 256); more gets 507",
      default: 8 * 1024 * 1024,
      min: 0,
      valueName: "N",
    },
    timeoutFlag("idle-timeout", "Close a keep-alive connection idle for this many seconds", 5),
    timeoutFlag("headers-timeout", "Close a connection whose request head takes longer than this", 10),
    timeoutFlag("body-timeout", "Answer 408 to a request body that takes longer than this", 30),
  ],
  examples: ["serve-api", "serve-api --port 0", "serve-api --api-key-file ~/.config/anynet/key"],
  async run(input, io) {
    const hostname = input.flags.host as string;
    const port = input.flags.port as number;
    const apiKey = await resolveApiKey(input.flags, "serve-api");
    const maxBodyBytes = input.flags["max-body-bytes"] as number;
    const maxStoreBytes = input.flags["max-store-bytes"] as number;
    let server;
    try {
      server = await serve(createRestApi({ apiKey, maxBodyBytes, maxStoreBytes }), {
        hostname,
        port,
        maxBodyBytes,
        idleTimeout: (input.flags["idle-timeout"] as number) * 1000,
        headersTimeout: (input.flags["headers-timeout"] as number) * 1000,
        bodyTimeout: (input.flags["body-timeout"] as number) * 1000,
        errorResponse: restApiErrorResponse,
        onError: (error) => {
          void io.err(`anynet serve-api: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
          return restApiErrorResponse(500, "internal error");
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
