// A REST client that copes with a flaky network: a time limit per attempt, retries with
// exponential backoff and jitter (and Retry-After), clear errors, JSON in and out.
//
//   node examples/rest_client.mjs [BASE_URL]
//   bun examples/rest_client.mjs [BASE_URL]
//   deno run --allow-net=127.0.0.1 examples/rest_client.mjs [BASE_URL]
//
// BASE_URL defaults to http://127.0.0.1:3000 (Deno: allow its host); start
// examples/rest_api_server.mjs or `anynet serve-api` first.
import process from "node:process";
import { get, isHttpError, isNetworkError, isTimeoutError, post } from "anynet/http";

const baseUrl = process.argv[2] ?? "http://127.0.0.1:3000";
const options = {
  baseUrl,
  timeout: 5000, // per attempt, until the body has been read
  retry: { limit: 3, backoffBase: 200 }, // 408, 429, 5xx and network errors on GET; up to 3 retries
  hooks: {
    beforeRetry: [
      ({ error, retry, limit, delay }) =>
        console.log(`retry ${retry} of ${limit} in ${Math.round(delay)} ms: ${error.message}`),
    ],
  },
};

try {
  const post1 = await (await get("posts/1", options)).json();
  console.log(`post ${post1.id} by user ${post1.userId}: ${post1.title}`);

  const comments = await (await get("posts/1/comments", options)).json();
  console.log(`${comments.length} comments on post 1, the first by ${comments[0].email}`);

  // POST is not idempotent, so it is never retried automatically.
  const created = await post("posts", { ...options, json: { userId: 1, title: "hello", body: "from anynet" } });
  console.log(`created post ${(await created.json()).id}: ${created.status} ${created.statusText}`);
} catch (error) {
  if (isHttpError(error)) console.error(`rest_client: HTTP ${error.status} from ${error.url}: ${error.bodyPreview}`);
  else if (isTimeoutError(error)) console.error(`rest_client: no answer within ${error.ms} ms from ${error.url}`);
  else if (isNetworkError(error)) console.error(`rest_client: network error (${error.reason}): ${error.message}`);
  else throw error;
  process.exitCode = 1;
}
