/**
 * A small `fetch` over `node:http`/`node:https` for Node requests that must trust extra CA
 * certificates (Node's built-in fetch cannot be given any). It always behaves like
 * `redirect: "manual"`: the HTTP client above follows redirects itself.
 *
 * @module
 */
import * as http from "node:http";
import * as https from "node:https";
import { Readable } from "node:stream";
import { rootCertificates } from "node:tls";
import { NULL_BODY_STATUSES } from "../../_fetch_spec.ts";

/** Sends one request with `node:https` trusting `caCerts` too, and resolves to a `Response`. */
export async function nodeHttpsFetch(url: string, init: RequestInit, caCerts: readonly string[]): Promise<Response> {
  // A Request normalises the body (string, bytes, Blob, URLSearchParams, stream) into one
  // byte stream and sets its Content-Type, exactly as fetch would.
  const hasBody = init.body !== undefined && init.body !== null;
  const request = new Request(
    url,
    { ...init, ...(hasBody ? { duplex: "half" } : {}), redirect: "manual" } as RequestInit,
  );
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const target = new URL(url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name] = value));
  const module = target.protocol === "https:" ? https : http;
  return await new Promise<Response>((resolve, reject) => {
    const outgoing = module.request(target, {
      method: request.method,
      headers,
      ca: [...rootCertificates, ...caCerts],
      // Verification can never be switched off, not even by NODE_TLS_REJECT_UNAUTHORIZED.
      rejectUnauthorized: true,
    });
    const onAbort = () => {
      outgoing.destroy(signal!.reason);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    outgoing.on("error", (error) => {
      signal?.removeEventListener("abort", onAbort);
      reject(new TypeError("fetch failed", { cause: error }));
    });
    outgoing.on("response", (incoming) => {
      const responseHeaders = new Headers();
      for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
        responseHeaders.append(incoming.rawHeaders[i], incoming.rawHeaders[i + 1]);
      }
      const status = incoming.statusCode ?? 0;
      let body: ReadableStream<Uint8Array> | null = null;
      if (NULL_BODY_STATUSES.has(status) || request.method === "HEAD") {
        incoming.resume();
      } else {
        body = Readable.toWeb(incoming) as ReadableStream<Uint8Array>;
      }
      incoming.on("close", () => signal?.removeEventListener("abort", onAbort));
      const response = new Response(body, {
        status,
        statusText: incoming.statusMessage ?? "",
        headers: responseHeaders,
      });
      Object.defineProperty(response, "url", { value: url });
      resolve(response);
    });
    if (request.body) {
      Readable.fromWeb(request.body as import("node:stream/web").ReadableStream).on("error", (e) => outgoing.destroy(e))
        .pipe(outgoing);
    } else {
      outgoing.end();
    }
  });
}
