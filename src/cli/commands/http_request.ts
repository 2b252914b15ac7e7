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
import type { HttpResponse } from "../../http/response.ts";
import { fileErrorReason, readTextFile } from "../../runtime/files.ts";
import { isTerminal } from "../../runtime/process.ts";
import { apiKeyFlags, resolveApiKey } from "./_api_key.ts";
import { DownloadBar } from "./_download_bar.ts";
import { requestHead, responseHead, timingsLine } from "./_http_transcript.ts";
import { checkOutputFile } from "./_output_file.ts";
import { readDataFlag } from "./_request_data.ts";

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
    name: "retry-on-timeout",
    type: "boolean",
    description: "Retry an attempt that ran out of --timeout too (like a network error)",
  },
  {
    name: "include",
    short: "i",
    type: "boolean",
    description: "Print the status line and response headers before the body",
  },
  {
    name: "verbose",
    short: "v",
    type: "boolean",
    description: "Print the request and response heads and the timings on stderr (> sent, < received, * timings)",
  },
  {
    name: "output",
    short: "o",
    type: "string",
    valueName: "FILE",
    description: "Write the body to FILE as it came (a progress bar on stderr when it is a terminal)",
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

const dataFlag: FlagSpec = {
  name: "data",
  type: "string",
  description: "JSON request body; @FILE reads it from a file, @- from standard input",
  valueName: "JSON",
};

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

/** Prints the body on standard output: JSON pretty-printed, anything else as it came. */
async function printBody(response: HttpResponse, method: Method, wantJson: boolean, io: CommandIO): Promise<void> {
  const type = response.headers.get("content-type");
  if (wantJson || isJsonType(type)) {
    const text = await response.text();
    if (text.trim() === "" && !wantJson) return;
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
      return;
    }
    await io.out(JSON.stringify(value, null, 2) + "\n");
    return;
  }
  await copyBody(response, (chunk) => io.out(chunk));
}

/** Hands each chunk of the body to `write` as it comes; a write that fails stops the body. */
async function copyBody(response: HttpResponse, write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
  const body = response.body;
  if (body === null) return;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    try {
      await write(value);
    } catch (error) {
      reader.cancel().catch(() => {});
      throw error;
    }
  }
}

/**
 * Writes the body to `path` as it comes (`-o`); a download that fails leaves no file
 * behind, so that a part is never taken for the whole.
 */
async function saveBody(response: HttpResponse, path: string): Promise<void> {
  const { openFileWriter, removeFile } = await import("../../runtime/files.ts");
  let file: Awaited<ReturnType<typeof openFileWriter>>;
  try {
    file = await openFileWriter(path);
  } catch (error) {
    await response.discard();
    throw new CommandError(`cannot write --output ${path}: ${fileErrorReason(error)}`, { cause: error });
  }
  try {
    await copyBody(response, async (chunk) => {
      try {
        await file.write(chunk);
      } catch (error) {
        throw new CommandError(`cannot write --output ${path}: ${fileErrorReason(error)}`, { cause: error });
      }
    });
    await file.close();
  } catch (error) {
    await file.close().catch(() => {});
    await removeFile(path).catch(() => {});
    throw error;
  }
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
  const data = flags.data as string | undefined;
  const json = data === undefined ? undefined : await readDataFlag(command, data, io.signal);
  const output = flags.output as string | undefined;
  if (output === "") throw new UsageError("-o needs a file name", command);
  if (output !== undefined) await checkOutputFile("output", output);
  const verbose = flags.verbose === true;
  const bar = output !== undefined && isTerminal("stderr") ? new DownloadBar((text) => io.err(text)) : undefined;
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
      retry: { limit: flags.retries as number, retryOnTimeout: flags["retry-on-timeout"] === true },
      signal: io.signal,
      ...(bar !== undefined ? { onDownloadProgress: bar.update } : {}),
      hooks: {
        // Every attempt's request and response, so that a retried or failing one shows too.
        beforeRequest: verbose ? [(c) => io.err(requestHead(c.method, c.url, c.headers))] : [],
        afterResponse: verbose ? [(r) => io.err(responseHead(r, "< "))] : [],
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
    if (flags.include === true) await io.out(responseHead(response, ""));
    if (output !== undefined) {
      try {
        await saveBody(response, output);
      } finally {
        bar?.clear();
      }
    } else {
      await printBody(response, method, wantJson, io);
    }
    if (verbose) await io.err(timingsLine(response.timings));
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
      "like, also when given with -H) are not sent on to another origin after a redirect. -i prints the status line " +
      "and headers before the body; -v prints on stderr each attempt's request as anynet gave it (> lines; the " +
      "runtime adds defaults such as Accept), the response's head (< lines) and the timings (* line, ms after the " +
      "start; - where the runtime does not show a phase). -o FILE writes the body to FILE as it came (not " +
      "pretty-printed), with a progress bar on stderr when stderr is a terminal; a download that fails leaves no file." +
      " A timed-out attempt is retried only with --retry-on-timeout.",
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
    "get http://127.0.0.1:3000/posts -o posts.json",
    "get http://127.0.0.1:3000/posts/1 -i -v",
    "get http://127.0.0.1:3000/posts/1 --timeout 2 --retries 1 --retry-on-timeout",
  ],
);

/** `anynet post URL --data JSON`. */
export const postCommand: CommandSpec = spec("post", "POST", "POST JSON to a URL and print the answer", true, [
  `post http://127.0.0.1:3000/posts --data '{"userId":1,"title":"hi","body":"there"}'`,
  "post http://127.0.0.1:3000/posts --data @post.json",
  "post http://127.0.0.1:3000/posts --data @- < post.json",
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
