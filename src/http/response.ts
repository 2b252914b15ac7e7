import type { Attempt } from "./_attempt.ts";
import { concatBytes } from "../_bytes.ts";
import { BodyMeter, isEncoded } from "./_body_meter.ts";
import { BodyTooLargeError, ERROR_BODY_PREVIEW_CHARS, HttpError } from "./errors.ts";
import { NULL_BODY_STATUSES } from "../_fetch_spec.ts";
import { hopHeader, type HopResponse, isTransportResponse } from "./_fetch_hop.ts";
import type { TransportResponse } from "../runtime/mod.ts";
import type { CacheOutcome } from "./cache.ts";
import type { RequestTimings } from "./_progress_timings.ts";

/**
 * The chunk itself, or a copy when it is a small view on a much larger buffer: Deno hands
 * a decoded body over as 4 KiB views, each on a 64 KiB buffer of its own, and keeping
 * those until the body is complete would hold sixteen times the body.
 */
function ownBytes(chunk: Uint8Array): Uint8Array {
  return chunk.byteLength * 2 < chunk.buffer.byteLength ? chunk.slice() : chunk;
}

/** A function that checks parsed JSON and returns it typed, or throws. */
export type JsonValidator<T> = (value: unknown) => T;

/**
 * The response to {@linkcode request}: status and headers at once, the body on demand
 * (`text()`, `json()`, `bytes()` or the `body` stream; one of them, once).
 *
 * The request's `timeout` and `deadline` keep running until the body has been read, so
 * read or cancel every body you do not want (`await response.body?.cancel()`).
 *
 * @example Read JSON
 * ```ts
 * import { get } from "anynet/http";
 * const response = await get("http://127.0.0.1:3000/posts/1");
 * const post = await response.json<{ id: number }>();
 * console.log(response.status, post.id);
 * ```
 */
export class HttpResponse {
  /** How many redirects were followed. */
  readonly redirects: number;
  /** The status code. */
  readonly status: number;
  /** fetch's Response, or the one built from the transport's response when `raw` was read. */
  #raw: Response | undefined;
  /** The runtime transport's response (Node), read directly while its body is untouched. */
  #native: TransportResponse | undefined;
  #attempt: Attempt;
  #maxBodyBytes: number | undefined;
  #used: boolean;
  #stream: ReadableStream<Uint8Array> | null | undefined;
  #cached: CacheOutcome | undefined;

  /** @internal Made by `request()`. */
  constructor(
    source: HopResponse,
    attempt: Attempt,
    redirects: number,
    maxBodyBytes: number | undefined,
    status: number = source.status,
  ) {
    // Every field is set here, none by an initializer, and the method and URL are read
    // from the attempt: a response is made for every request, so each field counts.
    const transfer = attempt.transfer;
    if (isTransportResponse(source)) {
      this.#raw = undefined;
      this.#native = source;
      transfer?.clock.headIn(source.timings);
    } else {
      this.#raw = source;
      this.#native = undefined;
      transfer?.clock.headIn(undefined);
    }
    // The length onDownloadProgress counts towards: an encoded body's says nothing of its decoded size.
    if (transfer?.download !== undefined && !isEncoded(hopHeader(source, "content-encoding"))) {
      const length = Number(hopHeader(source, "content-length") ?? NaN);
      if (Number.isSafeInteger(length) && length >= 0) transfer.download.expect(length);
    }
    // Kept as a field: `raw.status` is a native getter, which costs a call on every read.
    this.status = status;
    this.redirects = redirects;
    this.#attempt = attempt;
    this.#maxBodyBytes = maxBodyBytes;
    this.#used = false;
    this.#stream = undefined;
    this.#cached = undefined;
    // Reading `raw.body` here would make Deno and Bun build a stream for every body and
    // lose their fast text()/arrayBuffer() paths, so decide from the status and method.
    if (NULL_BODY_STATUSES.has(status) || attempt.method === "HEAD") {
      attempt.finish();
    }
  }

  /**
   * The runtime's own `Response`, for what this class does not cover. Its body is the same
   * one-shot body. On Node's transport it is built when first read.
   */
  get raw(): Response {
    return this.#raw ??= this.#native!.toResponse();
  }

  /**
   * The transport's response, to read the body from directly: while no `Response` was
   * built from it, or nobody has touched that Response's body.
   */
  #direct(): TransportResponse | undefined {
    const native = this.#native;
    if (native === undefined) return undefined;
    const raw = this.#raw;
    if (raw !== undefined && (raw.bodyUsed || raw.body?.locked)) return undefined;
    return native;
  }

  /** The body stream of whichever response holds it. */
  #source(): ReadableStream<Uint8Array> | null {
    const native = this.#direct();
    return native !== undefined ? native.stream() : this.raw.body;
  }

  /**
   * What the `cache` option did: `"hit"` (answered from the cache, the server not asked),
   * `"revalidated"` (the server answered 304, the body came from the cache) or `"miss"`
   * (the body came from the server); `undefined` when the request had no cache.
   */
  get cached(): CacheOutcome | undefined {
    return this.#cached;
  }

  /** @internal Set by the cache (_cache_flow.ts). */
  setCached(outcome: CacheOutcome): void {
    this.#cached = outcome;
  }

  /**
   * When the phases of the request that gave this response ended: `start` in ms since the
   * epoch, the others in ms after it (`undefined` where the runtime does not show the
   * phase, and `end` until the body has been read). See docs/http.md.
   */
  get timings(): RequestTimings {
    return this.#attempt.transfer!.clock.timings();
  }

  /** The request method. */
  get method(): string {
    return this.#attempt.method;
  }

  /** The final URL, after redirects. */
  get url(): string {
    return this.#attempt.url;
  }

  /** The status text (may be empty; HTTP/2 has none). */
  get statusText(): string {
    return (this.#raw ?? this.#native!).statusText;
  }

  /** Whether the status is 2xx. */
  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  /** The response headers. */
  get headers(): Headers {
    return this.raw.headers;
  }

  /** Whether the body was read or its stream taken. */
  get bodyUsed(): boolean {
    return this.#used;
  }

  #claim(action: string): void {
    if (this.#used) {
      throw new TypeError(`Cannot ${action}: the response body of ${this.method} ${this.url} was already used`);
    }
    this.#used = true;
  }

  /**
   * Whether the body must be read chunk by chunk: to count it, or because fetch decodes
   * it on the way (_body_meter.ts; a transport decodes in turns of its event loop).
   */
  #metered(native: TransportResponse | undefined): boolean {
    return this.#maxBodyBytes !== undefined || this.#attempt.transfer?.download !== undefined ||
      (native === undefined && isEncoded(this.raw.headers.get("content-encoding")));
  }

  #header(name: string): string | null {
    return hopHeader(this.#native ?? this.raw, name);
  }

  #checkDeclaredLength(): void {
    const limit = this.#maxBodyBytes;
    // An encoded body's Content-Length counts encoded bytes: only the decoded count says.
    if (limit === undefined || isEncoded(this.#header("content-encoding"))) return;
    const declared = Number(this.#header("content-length"));
    if (Number.isFinite(declared) && declared > limit) {
      throw new BodyTooLargeError(limit, "response", { method: this.method, url: this.url });
    }
  }

  async #readAll(): Promise<Uint8Array> {
    const native = this.#direct();
    if (!this.#metered(native)) {
      if (native !== undefined) return await this.#attempt.readBody(native.bytes());
      return new Uint8Array(await this.#attempt.readBody(this.raw.arrayBuffer()));
    }
    if (native !== undefined) return await this.#readCounted(native);
    const body = this.raw.body;
    if (body === null) {
      this.#attempt.finish();
      return new Uint8Array(0);
    }
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    try {
      this.#checkDeclaredLength();
      const meter = new BodyMeter(this.#attempt, this.#maxBodyBytes);
      const chunks: Uint8Array[] = [];
      reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        meter.count(value);
        chunks.push(ownBytes(value));
        if (meter.due()) await meter.turn();
      }
      meter.finished();
      return concatBytes(chunks);
    } catch (error) {
      if (error instanceof BodyTooLargeError) this.#attempt.abortWith(error);
      // Cancelling closes the connection, so a too-large body stops arriving.
      (reader ?? body).cancel().catch(() => {});
      throw this.#attempt.mapError(error, "body");
    } finally {
      this.#attempt.finish();
    }
  }

  /** Reads a transport's body whole, counting each chunk against the limit as it comes. */
  async #readCounted(native: TransportResponse): Promise<Uint8Array> {
    const meter = new BodyMeter(this.#attempt, this.#maxBodyBytes);
    try {
      this.#checkDeclaredLength();
      const bytes = await native.bytes((chunk) => meter.count(chunk));
      meter.finished();
      return bytes;
    } catch (error) {
      if (error instanceof BodyTooLargeError) this.#attempt.abortWith(error);
      native.cancel();
      throw this.#attempt.mapError(error, "body");
    } finally {
      this.#attempt.finish();
    }
  }

  /**
   * Reads the whole body as bytes.
   *
   * @returns The body.
   * @throws {TimeoutError} When `timeout` or `deadline` fires while reading.
   * @throws {BodyTooLargeError} When the body passes `maxBodyBytes`.
   * @throws {NetworkError} When the body breaks off.
   */
  bytes(): Promise<Uint8Array> {
    try {
      this.#claim("read bytes()");
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#readAll();
  }

  /**
   * Reads the whole body as UTF-8 text.
   *
   * @returns The text.
   * @throws {TimeoutError} When `timeout` or `deadline` fires while reading.
   * @throws {BodyTooLargeError} When the body passes `maxBodyBytes`.
   * @throws {NetworkError} When the body breaks off.
   */
  text(): Promise<string> {
    try {
      this.#claim("read text()");
    } catch (error) {
      return Promise.reject(error);
    }
    // The runtime's own text() is the fast path when nothing needs counting or decoding;
    // a `then` instead of an async frame keeps the per-request cost down.
    const native = this.#direct();
    if (!this.#metered(native)) return this.#attempt.readBody((native ?? this.raw).text());
    return this.#readAll().then((bytes) => new TextDecoder().decode(bytes));
  }

  /**
   * Reads the body as JSON, optionally checked by `validate`.
   *
   * @param validate Checks the parsed value and returns it typed, or throws.
   * @returns The parsed (and validated) value.
   * @throws {SyntaxError} When the body is not JSON; the message names the request.
   * @example Validated JSON
   * ```ts
   * import { get } from "anynet/http";
   * const response = await get("http://127.0.0.1:3000/users/1");
   * const user = await response.json((v) => {
   *   if (typeof v !== "object" || v === null || typeof (v as { name?: unknown }).name !== "string") {
   *     throw new TypeError("not a user");
   *   }
   *   return v as { name: string };
   * });
   * ```
   */
  json<T = unknown>(validate?: JsonValidator<T>): Promise<T> {
    return this.text().then((text) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        const start = text.slice(0, 60).replace(/\s+/g, " ");
        throw new SyntaxError(
          `${this.method} ${this.url}: the response body is not valid JSON (${(error as Error).message}): '${start}'`,
          { cause: error },
        );
      }
      return validate ? validate(value) : (value as T);
    });
  }

  /**
   * The body as a stream of bytes (`null` for a bodiless response). Counts against
   * `maxBodyBytes`; errors carry the same types as `text()`.
   */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream !== undefined) return this.#stream;
    this.#claim("take the body stream");
    const source = this.#source();
    if (source === null) return (this.#stream = null);
    const attempt = this.#attempt;
    const meter = new BodyMeter(attempt, this.#maxBodyBytes);
    const reader = source.getReader();
    this.#stream = new ReadableStream<Uint8Array>({
      start: () => this.#checkDeclaredLength(),
      async pull(controller) {
        try {
          if (meter.due()) await meter.turn();
          const { done, value } = await reader.read();
          if (done) {
            meter.finished();
            attempt.finish();
            controller.close();
            return;
          }
          meter.count(value);
          controller.enqueue(value);
        } catch (error) {
          if (error instanceof BodyTooLargeError) attempt.abortWith(error);
          reader.cancel().catch(() => {});
          attempt.finish();
          controller.error(attempt.mapError(error, "body"));
        }
      },
      async cancel(reason) {
        attempt.finish();
        await reader.cancel(reason).catch(() => {});
      },
    });
    return this.#stream;
  }

  /** Reads at most `chars` characters of the body for an error message, then drops the rest. */
  async previewBody(chars: number = ERROR_BODY_PREVIEW_CHARS): Promise<string> {
    if (this.#used) return "";
    this.#used = true;
    const body = this.#source();
    if (body === null) return "";
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let text = "";
    try {
      while (text.length < chars) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // The preview is a courtesy: a body that breaks off still leaves the status to report.
    } finally {
      reader.cancel().catch(() => {});
      this.#attempt.finish();
    }
    return text.slice(0, chars);
  }

  /** Drops the body without reading it and stops the attempt's timer. */
  async discard(): Promise<void> {
    this.#used = true;
    try {
      const native = this.#direct();
      if (native !== undefined) native.cancel();
      else await this.raw.body?.cancel();
    } catch {
      // Cancelling an already-broken body is fine.
    } finally {
      this.#attempt.finish();
    }
  }

  /**
   * Throws an {@linkcode HttpError} for a 4xx or 5xx status (reading the start of the body
   * for the message); otherwise resolves to this response.
   *
   * @returns This response, when its status is not an error.
   * @throws {HttpError} For a 4xx or 5xx status.
   */
  async raiseForStatus(): Promise<this> {
    if (this.status < 400) return this;
    throw await this.toHttpError();
  }

  /** @internal An HttpError describing this response (reads and drops the body). */
  async toHttpError(): Promise<HttpError> {
    const bodyPreview = await this.previewBody();
    return new HttpError({
      status: this.status,
      statusText: this.statusText,
      method: this.method,
      url: this.url,
      headers: this.headers,
      bodyPreview,
    });
  }
}
