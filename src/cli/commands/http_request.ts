import { MAX_DELAY_S } from "../../_delay.ts";
import { CommandError, type CommandIO, type CommandSpec, type FlagSpec, UsageError } from "../command.ts";
import {
  isBodyTooLargeError,
  isHttpError,
  isNetworkError,
  isRedirectError,
  isTimeoutError,
} from "../../http/errors.ts";
import { request } from "../../http/request.ts";
import { fileErrorReason, readTextFile } from "../../runtime/files.ts";
import { apiKeyFlags, resolveApiKey } from "./_api_key.ts";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * The default response body limit: 64 MiB, far above what a command-line request
 * usually prints, far below what would hurt the machine (a JSON body is held three
 * times over while it is pretty-printed). A server that sends more, or a small
 * compressed body that decodes to more, ends the command instead of its memory.
 */
const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

const commonFlags: FlagSpec[] = [
  {
    name: "json",
    type: "boolean",
    description: "Ask for JSON (Accept: application/json) and fail unless the body is JSON",
  },
  {
    name: "timeout",
    type: "number",
    description: "Seconds per attempt, until the body is read",
    default: 10,
    min: 0.001,
    max: MAX_DELAY_S,
    valueName: "S",
  },
  {
    name: "retries",
    type: "integer",
    description: "Retries on network errors and 408/429/5xx (idempotent methods)",
    default: 2,
    min: 0,
    max: 20,
    valueName: "N",
  },
  {
    name: "header",
    short: "H",
    type: "string",
    multiple: true,
    description: "Add a request header",
    valueName: "'Name: value'",
  },
  ...apiKeyFlags("Send X-API-Key: KEY"),
  { name: "ca", type: "string", description: "Also trust the CA certificate(s) in this PEM file", valueName: "FILE" },
  {
    name: "proxy",
    type: "string",
    description:
      "Go through this HTTP proxy (http://[user:password@]host:port) instead of HTTP_PROXY/HTTPS_PROXY/ALL_PROXY; '' for none",
    valueName: "URL",
  },
  {
    name: "noproxy",
    type: "string",
    description: "Hosts that go direct, instead of NO_PROXY (names, .domains, IPs, CIDR, host:port; '*' for all)",
    valueName: "LIST",
  },
  {
    name: "max-body-bytes",
    type: "integer",
    description: "Largest response body to accept, counted after decompression",
    default: DEFAULT_MAX_BODY_BYTES,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    valueName: "N",
  },
];

const dataFlag: FlagSpec = { name: "data", type: "string", description: "JSON request body", valueName: "JSON" };

function parseHeaders(command: string, raw: readonly string[]): Headers {
  const headers = new Headers();
  for (const line of raw) {
    const colon = line.indexOf(":");
    const name = colon === -1 ? "" : line.slice(0, colon).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new UsageError(`-H must be 'Name: value': got '${line}'`, command);
    }
    try {
      headers.append(name, line.slice(colon + 1).trim());
    } catch {
      throw new UsageError(`-H has an invalid header value: got '${line}'`, command);
    }
  }
  return headers;
}

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max) + "…" : flat;
}

function isJsonType(type: string | null): boolean {
  return type !== null && /^application\/([\w.+-]*\+)?json\b/i.test(type.trim());
}

async function run(
  command: string,
  method: Method,
  input: Parameters<CommandSpec["run"]>[0],
  io: CommandIO,
): Promise<number> {
  const url = input.positionals[0];
  const flags = input.flags;
  const wantJson = flags.json === true;
  const headers = parseHeaders(command, (flags.header as string[] | undefined) ?? []);
  if (wantJson && !headers.has("accept")) headers.set("accept", "application/json");
  const apiKey = await resolveApiKey(flags, command);
  const maxBodyBytes = flags["max-body-bytes"] as number;
  let json: unknown;
  const data = flags.data as string | undefined;
  if (data !== undefined) {
    try {
      json = JSON.parse(data);
    } catch (error) {
      throw new UsageError(`--data must be JSON: ${(error as Error).message}: got '${oneLine(data, 80)}'`, command);
    }
  }
  let ca: string | undefined;
  const caFile = flags.ca as string | undefined;
  if (caFile !== undefined) {
    try {
      ca = await readTextFile(caFile);
    } catch (error) {
      throw new CommandError(`cannot read --ca file '${caFile}': ${fileErrorReason(error)}`);
    }
    if (!ca.includes("-----BEGIN CERTIFICATE-----")) {
      throw new CommandError(`--ca file '${caFile}' holds no PEM certificate`);
    }
  }
  try {
    const response = await request(url, {
      method,
      headers,
      ...(json !== undefined ? { json } : {}),
      ...(apiKey !== undefined ? { auth: { apiKey } } : {}),
      ...(ca !== undefined ? { ca } : {}),
      // An empty --proxy turns the proxy off, as in curl.
      ...(flags.proxy !== undefined ? { proxy: flags.proxy === "" ? false : flags.proxy as string } : {}),
      ...(flags.noproxy !== undefined ? { noProxy: flags.noproxy as string } : {}),
      maxBodyBytes,
      timeout: (flags.timeout as number) * 1000,
      retry: flags.retries as number,
      signal: io.signal,
      hooks: {
        beforeRetry: [
          (c) =>
            io.err(
              `anynet ${command}: retry ${c.retry}/${c.limit} in ${c.delay} ms after: ${
                oneLine(c.error.message, 200)
              }\n`,
            ),
        ],
      },
    });
    const type = response.headers.get("content-type");
    if (wantJson || isJsonType(type)) {
      const text = await response.text();
      if (text.trim() === "" && !wantJson) return 0;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        if (wantJson) {
          throw new CommandError(
            `${method} ${response.url}: the body is not JSON (Content-Type: ${type ?? "none"}): '${oneLine(text, 60)}'`,
          );
        }
        await io.out(text);
        return 0;
      }
      await io.out(JSON.stringify(value, null, 2) + "\n");
      return 0;
    }
    const body = response.body;
    if (body) {
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await io.out(value);
      }
    }
    return 0;
  } catch (error) {
    if (io.signal.aborted) return 0;
    if (isHttpError(error)) {
      const reason = error.statusText ? `${error.status} ${error.statusText}` : String(error.status);
      const preview = oneLine(error.bodyPreview, 200);
      throw new CommandError(`HTTP ${reason} from ${error.method} ${error.url}` + (preview ? `: ${preview}` : ""), {
        cause: error,
      });
    }
    if (isBodyTooLargeError(error)) {
      const where = error.url === undefined ? "" : `${error.method} ${error.url}: `;
      throw new CommandError(
        `${where}the response body is larger than --max-body-bytes ${maxBodyBytes} (counted after decompression)`,
        { cause: error },
      );
    }
    if (isTimeoutError(error) || isNetworkError(error) || isRedirectError(error)) {
      throw new CommandError(oneLine(error.message, 400), { cause: error });
    }
    if (error instanceof TypeError || error instanceof RangeError) {
      // request() checks its arguments before any I/O: a bad URL is a usage mistake.
      throw new UsageError(error.message.replace(/^Cannot send the request: /, ""), command);
    }
    throw error;
  }
}

function spec(name: string, method: Method, summary: string, withData: boolean, examples: string[]): CommandSpec {
  return {
    name,
    summary,
    description: `Sends one ${method} request with anynet's HTTP client (timeouts, retries with backoff and ` +
      "Retry-After, safe redirects) and prints the body; JSON is pretty-printed. An HTTP error status, a timeout, " +
      "a network error or a body over --max-body-bytes (64 MiB by default, counted after decompression) is one " +
      "line on stderr and exit code 1; retries are reported on stderr as they happen. The API key is taken from " +
      "--api-key, --api-key-file or the ANYNET_API_KEY environment variable (on Deno, allow it with " +
      "--allow-env=ANYNET_API_KEY). Credential headers (the API key, Authorization, Cookie, X-Auth-Token and the " +
      "like, also when given with -H) are not sent on to another origin after a redirect.",
    positionals: [{ name: "URL", description: "http:// or https:// URL" }],
    flags: withData ? [...commonFlags, dataFlag] : commonFlags,
    examples,
    run: (input, io) => run(name, method, input, io),
  };
}

/** `anynet get URL`. */
export const getCommand: CommandSpec = spec(
  "get",
  "GET",
  "Fetch a URL and print the body (JSON pretty-printed)",
  false,
  [
    "get http://127.0.0.1:3000/posts/1",
    "get http://127.0.0.1:3000/users/1 --json --timeout 2 --retries 0",
    "get http://127.0.0.1:3000/posts -H 'Accept: application/json' --api-key-file ~/.config/anynet/key",
    "get http://127.0.0.1:3000/posts/1/comments --max-body-bytes 1000000",
  ],
);

/** `anynet post URL --data JSON`. */
export const postCommand: CommandSpec = spec("post", "POST", "POST JSON to a URL and print the answer", true, [
  `post http://127.0.0.1:3000/posts --data '{"userId":1,"title":"hi","body":"there"}'`,
]);

/** `anynet put URL --data JSON`. */
export const putCommand: CommandSpec = spec("put", "PUT", "PUT JSON to a URL and print the answer", true, [
  `put http://127.0.0.1:3000/posts/1 --data '{"userId":1,"title":"new","body":"text"}'`,
]);

/** `anynet patch URL --data JSON`. */
export const patchCommand: CommandSpec = spec("patch", "PATCH", "PATCH a URL with JSON and print the answer", true, [
  `patch http://127.0.0.1:3000/posts/1 --data '{"title":"renamed"}'`,
]);

/** `anynet delete URL`. */
export const deleteCommand: CommandSpec = spec("delete", "DELETE", "DELETE a URL and print the answer", false, [
  "delete http://127.0.0.1:3000/posts/1",
]);
