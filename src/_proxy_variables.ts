/**
 * The environment variables that name an HTTP proxy, in both spellings, lower case first:
 * the HTTP client reads them (src/http/_proxy_choice.ts), and a runtime whose own fetch
 * reads them too must hide them from it (src/runtime/deno/fetch.ts).
 *
 * @module
 */

/** Every proxy variable, lower case first. */
export const PROXY_VARIABLES: readonly string[] = [
  "http_proxy",
  "HTTP_PROXY",
  "https_proxy",
  "HTTPS_PROXY",
  "all_proxy",
  "ALL_PROXY",
  "no_proxy",
  "NO_PROXY",
];
