import type { CommandSpec, FlagSpec } from "../command.ts";
import { createRestApi, restApiErrorResponse } from "../../http/rest_api.ts";
import { type Handler, serve } from "../../http/serve.ts";
import { API_KEY_ENV, apiKeyFlags, resolveApiKey } from "./_api_key.ts";
import { listenFlags, untilAborted } from "./_http_listen.ts";
import { listenFailure } from "./_net_messages.ts";
import { MAX_DELAY_S } from "../../_delay.ts";
import { startWorkers, workerCount, type WorkerService, workersFlag } from "../workers.ts";

/** The response header that says which worker answered, with more than one. */
export const WORKER_HEADER = "x-anynet-worker";

/** What every worker of serve-api is started with. */
interface ServeApiPlan {
  hostname: string;
  apiKey: string | undefined;
  maxBodyBytes: number;
  maxStoreBytes: number;
  idleTimeout: number;
  headersTimeout: number;
  bodyTimeout: number;
}

/** `handler`, with each answer saying which worker gave it. */
function answeredBy(handler: Handler, worker: number): Handler {
  const id = String(worker);
  return async (request, info) => {
    const response = await handler(request, info);
    response.headers.set(WORKER_HEADER, id);
    return response;
  };
}

/** One serve-api server: each worker has a store of its own. */
export const serveApiWorker: WorkerService<ServeApiPlan, void> = {
  async start(plan, context) {
    const { hostname, apiKey, maxBodyBytes, maxStoreBytes } = plan;
    const api = createRestApi({ apiKey, maxBodyBytes, maxStoreBytes });
    let server;
    try {
      server = await serve(context.workers === 1 ? api : answeredBy(api, context.worker), {
        hostname,
        port: context.port,
        reusePort: context.reusePort,
        maxBodyBytes,
        idleTimeout: plan.idleTimeout,
        headersTimeout: plan.headersTimeout,
        bodyTimeout: plan.bodyTimeout,
        errorResponse: restApiErrorResponse,
        onError: (error) => {
          context.log(`anynet serve-api: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
          return restApiErrorResponse(500, "internal error");
        },
      });
    } catch (error) {
      throw listenFailure("serve-api", hostname, context.port, error);
    }
    const { signal } = context;
    return { address: server.url, port: server.addr.port, finished: untilAborted(signal).then(() => server.close()) };
  },
};

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
    "--*-timeout flags change that). With --workers N, N threads share the port, each with a store of its " +
    "own (a client may meet another worker's data on its next connection), and every answer names the " +
    "worker that gave it in an X-Anynet-Worker header (1 to N). Runs until Ctrl-C.",
  flags: [
    ...listenFlags(3000),
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
    workersFlag,
  ],
  examples: [
    "serve-api",
    "serve-api --port 0",
    "serve-api --api-key-file ~/.config/anynet/key",
    "serve-api --workers auto",
  ],
  async run(input, io) {
    const count = workerCount(input.flags.workers as string, "serve-api");
    const group = await startWorkers({
      command: "serve-api",
      count,
      port: input.flags.port as number,
      plan: {
        hostname: input.flags.host as string,
        apiKey: await resolveApiKey(input.flags, "serve-api"),
        maxBodyBytes: input.flags["max-body-bytes"] as number,
        maxStoreBytes: input.flags["max-store-bytes"] as number,
        idleTimeout: (input.flags["idle-timeout"] as number) * 1000,
        headersTimeout: (input.flags["headers-timeout"] as number) * 1000,
        bodyTimeout: (input.flags["body-timeout"] as number) * 1000,
      },
      service: serveApiWorker,
      io,
    });
    await io.out(`listening on ${group.address}\n`);
    await group.finished;
    return 0;
  },
};
