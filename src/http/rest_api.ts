import { isBodyTooLargeError } from "./errors.ts";
import type { Handler } from "./serve.ts";

/** A user of the REST API. */
export interface ApiUser {
  id: number;
  name: string;
  username: string;
  email: string;
}

/** A post of the REST API. */
export interface ApiPost {
  userId: number;
  id: number;
  title: string;
  body: string;
}

/** A comment on a post. */
export interface ApiComment {
  postId: number;
  id: number;
  name: string;
  email: string;
  body: string;
}

/** Options of {@linkcode createRestApi}. */
export interface RestApiOptions {
  /** When set, every request needs `Authorization: Bearer KEY` or `X-API-Key: KEY`, or gets 401. */
  apiKey?: string;
  /** Request bodies larger than this get 413. @default 65536 */
  maxBodyBytes?: number;
}

const NAMES = ["Ada", "Brian", "Chidi", "Dana", "Emeka", "Fatima", "Goran", "Hana", "Ivo", "Jun"];
const WORDS = [
  "network",
  "packet",
  "socket",
  "retry",
  "timeout",
  "stream",
  "buffer",
  "header",
  "router",
  "latency",
  "bandwidth",
  "protocol",
  "server",
  "client",
  "handshake",
  "checksum",
  "payload",
  "frame",
  "window",
  "queue",
];

function words(seed: number, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(WORDS[(seed * 7 + i * 13 + i * i) % WORDS.length]);
  return out.join(" ");
}

function seed(): { users: Map<number, ApiUser>; posts: Map<number, ApiPost>; comments: ApiComment[] } {
  const users = new Map<number, ApiUser>();
  NAMES.forEach((name, i) => {
    const id = i + 1;
    users.set(id, {
      id,
      name: `${name} Example`,
      username: name.toLowerCase(),
      email: `${name.toLowerCase()}@example.net`,
    });
  });
  const posts = new Map<number, ApiPost>();
  const comments: ApiComment[] = [];
  for (let id = 1; id <= 100; id++) {
    posts.set(id, { userId: Math.ceil(id / 10), id, title: words(id, 4), body: words(id + 1000, 12) });
    for (let c = 1; c <= 5; c++) {
      const commentId = (id - 1) * 5 + c;
      const author = NAMES[(commentId * 3) % NAMES.length].toLowerCase();
      comments.push({
        postId: id,
        id: commentId,
        name: words(commentId + 2000, 3),
        email: `${author}@example.org`,
        body: words(commentId + 3000, 8),
      });
    }
  }
  return { users, posts, comments };
}

/** A 4xx answer from the API: JSON `{ "error": message, "field"?: name }`. */
class ApiFailure extends Error {
  readonly status: number;
  readonly field?: string;
  readonly headers?: Record<string, string>;
  constructor(status: number, message: string, field?: string, headers?: Record<string, string>) {
    super(message);
    this.status = status;
    this.field = field;
    this.headers = headers;
  }
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value, null, 2) + "\n", {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

const POST_FIELDS: Record<string, "string" | "id"> = { userId: "id", title: "string", body: "string" };

function checkPost(input: unknown, partial: boolean): Partial<Omit<ApiPost, "id">> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ApiFailure(400, "the body must be a JSON object");
  }
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (field === "id") continue; // The id comes from the URL or the server, never the body.
    const kind = POST_FIELDS[field];
    if (!kind) throw new ApiFailure(400, `unknown field '${field}' (expected userId, title, body)`, field);
    if (kind === "string" && typeof value !== "string") {
      throw new ApiFailure(400, `'${field}' must be a string: got ${JSON.stringify(value)}`, field);
    }
    if (kind === "id" && !(typeof value === "number" && Number.isInteger(value) && value > 0)) {
      throw new ApiFailure(400, `'${field}' must be a positive integer: got ${JSON.stringify(value)}`, field);
    }
    out[field] = value;
  }
  if (!partial) {
    for (const field of Object.keys(POST_FIELDS)) {
      if (!(field in out)) throw new ApiFailure(400, `'${field}' is required`, field);
    }
  }
  return out as Partial<Omit<ApiPost, "id">>;
}

async function readJson(request: Request, limit: number): Promise<unknown> {
  const bytes = new Uint8Array(await request.arrayBuffer());
  // A chunked body declares no length: count what arrived.
  if (bytes.byteLength > limit) throw new ApiFailure(413, `the body is over ${limit} bytes`);
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiFailure(400, `malformed JSON body: ${(error as Error).message}`);
  }
}

function idFrom(segment: string, what: string): number {
  if (!/^\d{1,9}$/.test(segment) || Number(segment) === 0) throw new ApiFailure(404, `no ${what} '${segment}'`);
  return Number(segment);
}

function sameText(a: string, b: string): boolean {
  // Compare the whole string every time, so the answer's timing does not leak the key.
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/**
 * A local REST API in the style of JSONPlaceholder, kept in memory, for offline examples
 * and tests: `/posts`, `/posts/:id`, `/posts/:id/comments`, `/users`, `/users/:id`
 * with GET, POST, PUT, PATCH and DELETE and JSON bodies. Input is validated (400 with a
 * JSON error naming the field), unknown routes get 404, oversized bodies 413 and, with
 * `apiKey`, unauthenticated requests 401.
 *
 * @param options An API key and a body limit.
 * @returns A fetch-style handler for {@linkcode serve}.
 * @throws {TypeError} For an empty API key.
 * @example Serve it
 * ```ts
 * import { createRestApi, serve } from "anynet/http";
 * const server = await serve(createRestApi(), { port: 0 });
 * const response = await fetch(`${server.url}/posts/1`);
 * console.log(await response.json());
 * await server.close();
 * ```
 */
export function createRestApi(options: RestApiOptions = {}): Handler {
  const { apiKey } = options;
  if (apiKey !== undefined && (typeof apiKey !== "string" || apiKey === "")) {
    throw new TypeError("Cannot create the REST API: 'apiKey' must be a non-empty string");
  }
  const limit = options.maxBodyBytes ?? 65536;
  const { users, posts, comments } = seed();
  let nextPostId = posts.size + 1;

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
          {
            "www-authenticate": 'Bearer realm="anynet"',
          },
        );
      }
    }
    const declared = request.headers.get("content-length");
    if (declared !== null && Number(declared) > limit) throw new ApiFailure(413, `the body is over ${limit} bytes`);
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
      return json(200, { resources: ["/posts", "/posts/:id", "/posts/:id/comments", "/users", "/users/:id"] });
    }
    if (parts[0] === "posts" && parts.length === 1) {
      if (method === "GET" || method === "HEAD") {
        const userId = url.searchParams.get("userId");
        const list = [...posts.values()].filter((p) => userId === null || String(p.userId) === userId);
        return json(200, list);
      }
      if (method === "POST") {
        const fields = checkPost(await readJson(request, limit), false) as Omit<ApiPost, "id">;
        const created: ApiPost = { userId: fields.userId, id: nextPostId++, title: fields.title, body: fields.body };
        posts.set(created.id, created);
        return json(201, created, { location: `/posts/${created.id}` });
      }
      allow("GET, HEAD, POST");
    }
    if (parts[0] === "posts" && (parts.length === 2 || (parts.length === 3 && parts[2] === "comments"))) {
      const id = idFrom(parts[1], "post");
      const existing = posts.get(id);
      if (parts.length === 3) {
        if (method !== "GET" && method !== "HEAD") allow("GET, HEAD");
        if (!existing) throw new ApiFailure(404, `no post ${id}`);
        return json(200, comments.filter((c) => c.postId === id));
      }
      if (method === "GET" || method === "HEAD") {
        if (!existing) throw new ApiFailure(404, `no post ${id}`);
        return json(200, existing);
      }
      if (method === "PUT" || method === "PATCH") {
        if (!existing) throw new ApiFailure(404, `no post ${id}`);
        const fields = checkPost(await readJson(request, limit), method === "PATCH");
        const updated: ApiPost = { ...existing, ...fields, id };
        posts.set(id, updated);
        return json(200, updated);
      }
      if (method === "DELETE") {
        if (!existing) throw new ApiFailure(404, `no post ${id}`);
        posts.delete(id);
        return json(200, {});
      }
      allow("GET, HEAD, PUT, PATCH, DELETE");
    }
    if (parts[0] === "users" && parts.length <= 2) {
      if (method !== "GET" && method !== "HEAD") allow("GET, HEAD");
      if (parts.length === 1) return json(200, [...users.values()]);
      const user = users.get(idFrom(parts[1], "user"));
      if (!user) throw new ApiFailure(404, `no user ${parts[1]}`);
      return json(200, user);
    }
    throw new ApiFailure(404, `no route ${method} ${url.pathname}`);
  };

  return async (request: Request): Promise<Response> => {
    try {
      return await route(request);
    } catch (error) {
      if (error instanceof ApiFailure) {
        return json(
          error.status,
          error.field ? { error: error.message, field: error.field } : { error: error.message },
          error.headers,
        );
      }
      if (isBodyTooLargeError(error) || isBodyTooLargeError((error as { cause?: unknown })?.cause)) {
        return json(413, { error: `the body is over the server's limit` });
      }
      throw error;
    }
  };
}
