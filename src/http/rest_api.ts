import { checkCount, refuse } from "../_argument_checks.ts";
import type { Handler } from "./serve.ts";
import { isBodyTooLargeError } from "./errors.ts";
import { causedBy } from "./_request_body.ts";
import { ApiFailure, briefly, failureResponse, jsonResponse } from "./_rest_answer.ts";
import { readJsonBody } from "./_rest_body.ts";
import { type ApiComment, type ApiUser, seed } from "./_rest_seed.ts";
import { type ApiPost, PostStore } from "./_rest_store.ts";

export type { ApiComment, ApiUser } from "./_rest_seed.ts";
export type { ApiPost } from "./_rest_store.ts";
export { restApiErrorResponse } from "./_rest_answer.ts";

/** Options of {@linkcode createRestApi}. */
export interface RestApiOptions {
  /** When set, every request needs `Authorization: Bearer KEY` or `X-API-Key: KEY`, or gets 401. */
  apiKey?: string;
  /** Request bodies larger than this get 413. @default 65536 */
  maxBodyBytes?: number;
  /**
   * The most the stored posts may take, in bytes (each post's JSON plus 256); a write
   * past it gets 507. The seeded posts count too. @default 8388608
   */
  maxStoreBytes?: number;
}

/** The most posts one `GET /posts` returns (`?_limit=` may ask for fewer). */
const MAX_PAGE_POSTS = 100;
/** The most bytes of posts one `GET /posts` returns (at least one post). */
const MAX_PAGE_BYTES = 1024 * 1024;

/** How each field of a post is checked; a Map, so that `__proto__` or `toString` is no field. */
const POST_FIELDS: ReadonlyMap<string, "string" | "id"> = new Map([["userId", "id"], ["title", "string"], [
  "body",
  "string",
]]);

function checkPost(input: unknown, partial: boolean): Partial<Omit<ApiPost, "id">> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ApiFailure(400, "the body must be a JSON object");
  }
  // Own keys only, into an object without a prototype: JSON.parse makes `__proto__` an own
  // key, which assigned to a plain object would replace its prototype.
  const out: Record<string, unknown> = Object.create(null);
  for (const [field, value] of Object.entries(input)) {
    if (field === "id") continue; // The id comes from the URL or the server, never the body.
    const kind = POST_FIELDS.get(field);
    if (kind === undefined) {
      throw new ApiFailure(400, `unknown field ${briefly(field)} (expected userId, title, body)`, field);
    }
    if (kind === "string" && typeof value !== "string") {
      throw new ApiFailure(400, `'${field}' must be a string: got ${briefly(value)}`, field);
    }
    if (kind === "id" && !(typeof value === "number" && Number.isInteger(value) && value > 0)) {
      throw new ApiFailure(400, `'${field}' must be a positive integer: got ${briefly(value)}`, field);
    }
    out[field] = value;
  }
  if (!partial) {
    for (const field of POST_FIELDS.keys()) {
      if (!Object.hasOwn(out, field)) throw new ApiFailure(400, `'${field}' is required`, field);
    }
  }
  return out as Partial<Omit<ApiPost, "id">>;
}

function idFrom(segment: string, what: string): number {
  if (!/^\d{1,9}$/.test(segment) || Number(segment) === 0) {
    throw new ApiFailure(404, `no ${what} ${briefly(segment)}`);
  }
  return Number(segment);
}

/** A whole number from the query string, within bounds, or the default when absent. */
function queryNumber(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const text = params.get(name);
  if (text === null) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new ApiFailure(400, `'${name}' must be a whole number from ${min} to ${max}: got ${briefly(text)}`, name);
  }
  return Number(text);
}

function sameText(a: string, b: string): boolean {
  // Compare the whole string every time, so the answer's timing does not leak the key.
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

function checkLimit(name: string, value: number | undefined, fallback: number): number {
  return checkCount("create the REST API", name, value ?? fallback);
}

/**
 * A local REST API in the style of JSONPlaceholder, kept in memory, for offline examples
 * and tests: `/posts`, `/posts/:id`, `/posts/:id/comments`, `/users`, `/users/:id`
 * with GET, POST, PUT, PATCH and DELETE and JSON bodies. Every failure is a JSON
 * `{"error": …}`: input is validated (400 naming the field), a body that is not JSON gets
 * 415, unknown routes 404, wrong methods 405, oversized bodies 413, a full store 507 and,
 * with `apiKey`, unauthenticated requests 401. `GET /posts` answers a page of at most
 * 100 posts (`?_start=N&_limit=N`, the total in `X-Total-Count`).
 *
 * Serve it with `errorResponse: restApiErrorResponse`, so that the answers `serve()`
 * gives itself (a body over its limit, a body too slow, a method it refuses) are JSON too.
 *
 * @param options An API key, a body limit and a store limit.
 * @returns A fetch-style handler for {@linkcode serve}.
 * @throws {TypeError} For an empty API key.
 * @throws {RangeError} For a negative limit.
 * @example Serve it
 * ```ts
 * import { createRestApi, restApiErrorResponse, serve } from "anynet/http";
 * const server = await serve(createRestApi(), { port: 0, errorResponse: restApiErrorResponse });
 * const response = await fetch(`${server.url}/posts/1`);
 * console.log(await response.json());
 * await server.close();
 * ```
 */
export function createRestApi(options: RestApiOptions = {}): Handler {
  const { apiKey } = options;
  if (apiKey !== undefined && (typeof apiKey !== "string" || apiKey === "")) {
    refuse("create the REST API", "'apiKey' must be a non-empty string");
  }
  const limit = checkLimit("maxBodyBytes", options.maxBodyBytes, 65536);
  const maxStoreBytes = checkLimit("maxStoreBytes", options.maxStoreBytes, 8 * 1024 * 1024);
  const seeded = seed();
  const users: ReadonlyMap<number, ApiUser> = seeded.users;
  const comments: readonly ApiComment[] = seeded.comments;
  const posts = new PostStore(seeded.posts, maxStoreBytes);

  const route = async (request: Request): Promise<Response> => {
    if (apiKey !== undefined) {
      const auth = request.headers.get("authorization") ?? "";
      const key = request.headers.get("x-api-key");
      const bearer = /^Bearer (.+)$/i.exec(auth)?.[1];
      if (!((bearer !== undefined && sameText(bearer, apiKey)) || (key !== null && sameText(key, apiKey)))) {
        throw new ApiFailure(
          401,
          "missing or wrong API key (send 'Authorization: Bearer KEY' or 'X-API-Key: KEY')",
          undefined,
          { "www-authenticate": 'Bearer realm="anynet"' },
        );
      }
    }
    // A body's declared length is checked where a body is read (readJsonBody): a GET does
    // not touch request.headers at all, which each runtime builds on first use (Deno copies
    // every header then, about 1.5 µs a request).
    const url = new URL(request.url);
    const parts = url.pathname.split("/").filter(Boolean);
    const method = request.method;
    const allow = (allowed: string) => {
      throw new ApiFailure(405, `${method} is not allowed on ${url.pathname} (allowed: ${allowed})`, undefined, {
        allow: allowed,
      });
    };

    if (parts.length === 0) {
      if (method !== "GET" && method !== "HEAD") allow("GET, HEAD");
      return jsonResponse(200, { resources: ["/posts", "/posts/:id", "/posts/:id/comments", "/users", "/users/:id"] });
    }
    if (parts[0] === "posts" && parts.length === 1) {
      if (method === "GET" || method === "HEAD") {
        const params = url.searchParams;
        const userId = params.get("userId");
        const start = queryNumber(params, "_start", 0, 0, 999_999_999);
        const pageSize = queryNumber(params, "_limit", MAX_PAGE_POSTS, 1, MAX_PAGE_POSTS);
        const page = posts.page((p) => userId === null || String(p.userId) === userId, start, pageSize, MAX_PAGE_BYTES);
        const headers: Record<string, string> = { "x-total-count": String(page.total) };
        if (page.next !== undefined) {
          const next = new URLSearchParams(params);
          next.set("_start", String(page.next));
          headers.link = `</posts?${next}>; rel="next"`;
        }
        return jsonResponse(200, page.posts, headers);
      }
      if (method === "POST") {
        const fields = checkPost(await readJsonBody(request, limit), false) as Omit<ApiPost, "id">;
        const created = posts.create(fields);
        return jsonResponse(201, created, { location: `/posts/${created.id}` });
      }
      allow("GET, HEAD, POST");
    }
    if (parts[0] === "posts" && (parts.length === 2 || (parts.length === 3 && parts[2] === "comments"))) {
      const id = idFrom(parts[1], "post");
      const existing = posts.get(id);
      if (parts.length === 3) {
        if (method !== "GET" && method !== "HEAD") allow("GET, HEAD");
        if (!existing) throw new ApiFailure(404, `no post ${id}`);
        return jsonResponse(200, comments.filter((c) => c.postId === id));
      }
      if (method === "GET" || method === "HEAD") {
        if (!existing) throw new ApiFailure(404, `no post ${id}`);
        return jsonResponse(200, existing);
      }
      if (method === "PUT" || method === "PATCH") {
        if (!existing) throw new ApiFailure(404, `no post ${id}`);
        const fields = checkPost(await readJsonBody(request, limit), method === "PATCH");
        const updated: ApiPost = {
          userId: fields.userId ?? existing.userId,
          id,
          title: fields.title ?? existing.title,
          body: fields.body ?? existing.body,
        };
        posts.replace(updated);
        return jsonResponse(200, updated);
      }
      if (method === "DELETE") {
        if (!posts.delete(id)) throw new ApiFailure(404, `no post ${id}`);
        return jsonResponse(200, {});
      }
      allow("GET, HEAD, PUT, PATCH, DELETE");
    }
    if (parts[0] === "users" && parts.length <= 2) {
      if (method !== "GET" && method !== "HEAD") allow("GET, HEAD");
      if (parts.length === 1) return jsonResponse(200, [...users.values()]);
      const user = users.get(idFrom(parts[1], "user"));
      if (!user) throw new ApiFailure(404, `no user ${parts[1]}`);
      return jsonResponse(200, user);
    }
    throw new ApiFailure(404, `no route ${method} ${url.pathname}`);
  };

  return async (request: Request): Promise<Response> => {
    try {
      return await route(request);
    } catch (error) {
      if (error instanceof ApiFailure) return failureResponse(error);
      // A chunked body that outgrew serve()'s own limit.
      if (causedBy(error, isBodyTooLargeError)) {
        return failureResponse(new ApiFailure(413, "the request body is over the server's limit"));
      }
      // Anything else (a body too slow, a bug) is serve()'s to answer: with
      // `errorResponse: restApiErrorResponse`, in JSON too.
      throw error;
    }
  };
}
