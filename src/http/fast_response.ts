/**
 * `FastResponse`: the `Response` class that `serve()` writes fastest on the runtime this
 * process runs on, and that is a `Response` to every other piece of code.
 *
 * @module
 */
import { adapter } from "../runtime/mod.ts";

/**
 * A `Response` that `serve()` writes faster: use it instead of `Response` in handlers
 * (`new FastResponse(body, init)`, `FastResponse.json(data, init)`).
 *
 * On Node, a response made with a string, bytes, an `ArrayBuffer` or no body keeps them as
 * given, and serve() writes it in one go without building fetch's `Response`, its headers
 * or its body stream (a small JSON answer costs about half as much). It is still a real
 * `Response` to anything else: `instanceof Response`, `status`, `headers`, `body`,
 * `text()`, `json()`, `clone()` all work, the first use of the body making fetch's own
 * `Response` behind it. Unlike `Response`, it does not copy bytes (do not change them
 * until the answer is written) and checks header names and values only when serve()
 * writes them (an invalid one closes the connection). On Deno and Bun it is the runtime's
 * own `Response`, which their servers already write fastest.
 *
 * @example A JSON answer
 * ```ts
 * import { FastResponse, serve } from "anynet/http";
 * const server = await serve(() => FastResponse.json({ hello: "world" }), { port: 0 });
 * await server.close();
 * ```
 */
export const FastResponse: typeof Response = adapter.http.fastResponse ?? Response;
