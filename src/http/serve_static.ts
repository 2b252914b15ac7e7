/**
 * `serveStatic()`: a handler for `serve()` that answers GET and HEAD with the files under
 * one directory, the way caches and browsers expect: validators (`ETag`, `Last-Modified`)
 * and conditional requests (304, 412), `Cache-Control` (immutable for hashed file names),
 * byte ranges (206, 416, `If-Range`, several ranges as `multipart/byteranges`),
 * precompressed `.br`/`.gz` siblings and on-the-fly Brotli or gzip chosen by
 * `Accept-Encoding`, and media types from a table of the web's common ones.
 *
 * What it refuses, and how:
 * - a path that would leave the root (a decoded `..`, an encoded slash, a backslash, a
 *   NUL byte) or a symbolic link whose target is outside the root: 404, the same answer
 *   as a file that is not there, so that probing tells nothing; no answer names a path;
 * - dotfiles (any segment starting with a dot), unless `dotfiles: true`: 404 too;
 * - a path with broken percent-encoding: 400;
 * - methods other than GET and HEAD: 405 with `Allow: GET, HEAD`;
 * - directories: their `index.html` (a path without its final slash is redirected to
 *   the one with it, so that relative links work), never a listing.
 *
 * With a `fallback` handler, a missing file and another method go to it instead.
 *
 * @module
 */
import { checkFunction, checkIntegerRange, checkOptionsObject, describeValue, refuse } from "../_argument_checks.ts";
import { concatBytes } from "../_bytes.ts";
import { compressStream, type ContentCoding } from "../runtime/compression.ts";
import { absolutePath, fileBody, fileRangeStream, statEntry, type StaticEntry } from "../runtime/static_files.ts";
import { chooseCoding } from "./_accept_encoding.ts";
import { evaluatePreconditions, fileEtag, httpDate, rangeAllowed, type Validators } from "./_conditional.ts";
import { contentTypeFor, isCompressible } from "./_mime.ts";
import { contentRange, type MultipartPlan, multipartPlan, parseRange } from "./_ranges.ts";
import { isInside, staticPath } from "./_static_path.ts";
import { FastResponse } from "./fast_response.ts";
import type { Handler, RequestInfo } from "./serve.ts";

/** Options of {@linkcode serveStatic}. */
export interface ServeStaticOptions {
  /** The URL path the files are served under: `/assets/` maps `/assets/app.js` to `ROOT/app.js`. @default "/" */
  prefix?: string;
  /** The file a directory answers with, or `false` for none (directories are then 404). @default "index.html" */
  index?: string | false;
  /** Serve files and directories whose name starts with a dot. @default false */
  dotfiles?: boolean;
  /** `Cache-Control` of every file but hashed ones: by default caches keep a copy but ask (cheaply, with its `ETag`) before each use. @default "no-cache" */
  cacheControl?: string;
  /** Which file names carry a hash of their content, so never change: `app.3f2a9c1b.js`. `false` for none. @default /\.[0-9a-f]{8,}\.[A-Za-z0-9]+$/i */
  hashedNames?: RegExp | false;
  /** `Cache-Control` of the files `hashedNames` matches. @default "public, max-age=31536000, immutable" */
  immutableCacheControl?: string;
  /** Send `FILE.br` or `FILE.gz`, when there, to clients that accept it. @default true */
  precompressed?: boolean;
  /** Compress text types on the fly (Brotli or gzip) when no precompressed file is there. @default true */
  compress?: boolean;
  /** Smallest file compressed on the fly: below it, the coding costs more than it saves. @default 1024 */
  compressMinBytes?: number;
  /** Where a request goes that names no file here (and any method but GET and HEAD); without it, 404 and 405. */
  fallback?: Handler;
}

/** The codings in the server's order of preference: Brotli is smaller than gzip. */
const CODINGS: readonly ContentCoding[] = ["br", "gzip"];

/** The extension of the precompressed sibling of each coding. */
const SIBLING_EXTENSIONS: Readonly<Record<ContentCoding, string>> = { br: ".br", gzip: ".gz" };

/** The default of `hashedNames`: a dot, 8 or more hex digits, and an extension. */
const HASHED_NAME = /\.[0-9a-f]{8,}\.[A-Za-z0-9]+$/i;

const ACTION = "serve static files";

/** A plain-text answer that names no path. */
function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(`${text}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}

/** Checks the options once, when the handler is made. */
function checkedOptions(root: unknown, options: unknown) {
  if (typeof root !== "string" || root === "") {
    refuse(ACTION, `'root' must be a directory path: got ${describeValue(root)}`);
  }
  const o = checkOptionsObject(ACTION, options, [
    "prefix",
    "index",
    "dotfiles",
    "cacheControl",
    "hashedNames",
    "immutableCacheControl",
    "precompressed",
    "compress",
    "compressMinBytes",
    "fallback",
  ]) as ServeStaticOptions;
  const text = (name: keyof ServeStaticOptions, fallback: string): string => {
    const value = o[name] ?? fallback;
    if (typeof value !== "string" || /[\r\n\0]/.test(value)) {
      refuse(ACTION, `'${name}' must be a header value on one line: got ${describeValue(value)}`);
    }
    return value;
  };
  const flag = (name: keyof ServeStaticOptions, fallback: boolean): boolean => {
    const value = o[name] ?? fallback;
    if (typeof value !== "boolean") refuse(ACTION, `'${name}' must be true or false: got ${describeValue(value)}`);
    return value;
  };
  let prefix = text("prefix", "/");
  if (!prefix.startsWith("/")) refuse(ACTION, `'prefix' must start with '/': got '${prefix}'`);
  if (!prefix.endsWith("/")) prefix += "/";
  const index = o.index ?? "index.html";
  if (index !== false && (typeof index !== "string" || index === "" || /[/\\\0]/.test(index))) {
    refuse(ACTION, `'index' must be a file name or false: got ${describeValue(index)}`);
  }
  const hashedNames = o.hashedNames ?? HASHED_NAME;
  if (hashedNames !== false && !(hashedNames instanceof RegExp)) {
    refuse(ACTION, `'hashedNames' must be a RegExp or false: got ${describeValue(hashedNames)}`);
  }
  if (o.fallback !== undefined) checkFunction(ACTION, "fallback", o.fallback, describeValue);
  return {
    rootPath: absolutePath(root),
    prefix,
    index,
    dotfiles: flag("dotfiles", false),
    cacheControl: text("cacheControl", "no-cache"),
    hashedNames,
    immutableCacheControl: text("immutableCacheControl", "public, max-age=31536000, immutable"),
    precompressed: flag("precompressed", true),
    compress: flag("compress", true),
    compressMinBytes: checkIntegerRange(
      ACTION,
      "compressMinBytes",
      o.compressMinBytes ?? 1024,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    fallback: o.fallback,
  };
}

/** The representation of a file chosen for one request. */
interface Representation {
  /** The file whose bytes are sent (the precompressed sibling, or the file itself). */
  entry: StaticEntry;
  /** Its `Content-Encoding`, if any. */
  coding: ContentCoding | undefined;
  /** Compressed as it is sent (so its length is unknown ahead). */
  onTheFly: boolean;
  validators: Validators;
}

/**
 * A handler for `serve()` that answers with the files under `root`.
 *
 * @param root The directory to serve (relative paths are taken from the working directory).
 * @param options Caching, compression, index and fallback; see {@linkcode ServeStaticOptions}.
 * @returns The handler.
 * @throws {TypeError} When `root` or an option is not of the right kind.
 * @example Serve ./public, with the REST API for everything that is not a file
 * ```ts
 * import { createRestApi, serve, serveStatic } from "anynet/http";
 * const server = await serve(serveStatic("./public", { fallback: createRestApi() }), { port: 0 });
 * console.log(`listening on ${server.url}`);
 * await server.close();
 * ```
 */
export function serveStatic(root: string, options: ServeStaticOptions = {}): Handler {
  const config = checkedOptions(root, options);
  const { prefix, index, fallback } = config;
  // The root's real path is looked up on first use (and again until it exists), so a
  // handler can be made before its directory is.
  let realRoot: string | undefined;
  const rootDirectory = async (): Promise<string | undefined> => {
    if (realRoot === undefined) {
      const entry = await statEntry(config.rootPath);
      if (entry?.isDirectory) realRoot = entry.realPath;
    }
    return realRoot;
  };
  /** An entry under the root, or undefined if it is not there, leads out of it, or is hidden. */
  const entryInside = async (rootReal: string, path: string): Promise<StaticEntry | undefined> => {
    const entry = await statEntry(path);
    if (!entry || !isInside(rootReal, entry.realPath)) return undefined;
    // A link inside the root may still lead to a dotfile.
    if (!config.dotfiles && entry.realPath.slice(rootReal.length).split("/").some((name) => name.startsWith("."))) {
      return undefined;
    }
    return entry;
  };
  const missing = (request: Request, info: RequestInfo): Response | Promise<Response> =>
    fallback ? fallback(request, info) : plain(404, "Not Found");

  return async (request, info) => {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") {
      return fallback ? fallback(request, info) : plain(405, "Method Not Allowed", { allow: "GET, HEAD" });
    }
    const url = new URL(request.url);
    const path = staticPath(url.pathname, prefix, config.dotfiles);
    if ("refused" in path) {
      return path.refused === "malformed" ? plain(400, "Bad Request: malformed path") : missing(request, info);
    }
    const rootReal = await rootDirectory();
    if (rootReal === undefined) return missing(request, info);
    let entry: StaticEntry | undefined;
    let name = path.segments.at(-1) ?? "";
    try {
      entry = await entryInside(rootReal, [rootReal, ...path.segments].join("/"));
      if (entry?.isDirectory) {
        const indexEntry = index === false ? undefined : await entryInside(rootReal, `${entry.realPath}/${index}`);
        if (!indexEntry?.isFile) return missing(request, info);
        if (!path.trailingSlash) {
          // One leading slash only: "//host/x/" would be read as another origin.
          const location = `/${url.pathname.replace(/^\/+/, "")}/${url.search}`;
          return new Response(null, { status: 301, headers: { location, "cache-control": config.cacheControl } });
        }
        entry = indexEntry;
        name = index as string;
      } else if (path.trailingSlash && entry?.isFile) {
        // "file.txt/" names no file; serving it would break the page's relative links.
        entry = undefined;
      }
    } catch (error) {
      if ((error as { code?: string }).code === "EACCES") return plain(403, "Forbidden");
      throw error;
    }
    if (!entry?.isFile) return missing(request, info);
    return sendFile(request, entry, name);
  };

  /** The answer for an existing regular file, `name` being the name the client asked for. */
  async function sendFile(request: Request, file: StaticEntry, name: string): Promise<Response> {
    const contentType = contentTypeFor(name);
    // A record rather than Headers: FastResponse hands it to the server as it is.
    const headers: Record<string, string> = {
      "content-type": contentType,
      "cache-control": config.hashedNames && config.hashedNames.test(name)
        ? config.immutableCacheControl
        : config.cacheControl,
      "x-content-type-options": "nosniff",
    };
    const representation = await choose(request, file, contentType, headers);
    const { validators } = representation;
    if (validators.etag) headers["etag"] = validators.etag;
    if (validators.mtimeMs !== undefined) headers["last-modified"] = httpDate(validators.mtimeMs);

    const head = request.method === "HEAD";
    // FastResponse is written fastest on Node, but frames a body-less answer itself: the
    // answer to HEAD, which keeps the length of GET's, is a plain Response.
    const Reply = head ? Response : FastResponse;
    const outcome = evaluatePreconditions(request.headers, validators);
    if (outcome === "failed") return plain(412, "Precondition Failed");
    if (outcome === "not-modified") {
      delete headers["content-type"];
      delete headers["x-content-type-options"];
      return new Reply(null, { status: 304, headers });
    }

    const { entry, coding } = representation;
    if (coding) headers["content-encoding"] = coding;
    if (representation.onTheFly) {
      return new Response(head ? null : compressStream(fileRangeStream(entry.realPath, 0, entry.size - 1), coding!), {
        headers,
      });
    }
    headers["accept-ranges"] = "bytes";
    const size = entry.size;
    const ranges = rangeAllowed(request.headers, validators)
      ? parseRange(request.headers.get("range"), size)
      : undefined;
    if (ranges === "unsatisfiable") {
      return new Reply(null, {
        status: 416,
        headers: { "content-range": `bytes */${size}`, "content-length": "0", "cache-control": "no-store" },
      });
    }
    if (ranges === undefined) {
      headers["content-length"] = String(size);
      return new Reply(head || size === 0 ? null : await body(entry.realPath, 0, size - 1, headers), { headers });
    }
    if (ranges.length === 1) {
      const [range] = ranges as [(typeof ranges)[0]];
      headers["content-range"] = contentRange(range, size);
      headers["content-length"] = String(range.end - range.start + 1);
      return new Reply(head ? null : await body(entry.realPath, range.start, range.end, headers), {
        status: 206,
        headers,
      });
    }
    const plan = multipartPlan(ranges, size, contentType);
    headers["content-type"] = plan.contentType;
    headers["content-length"] = String(plan.length);
    delete headers["content-encoding"];
    if (head) return new Response(null, { status: 206, headers });
    // A small one is put together at once, so that it goes out in one write with its
    // length (Bun would send a stream chunked).
    const multipart = plan.length <= SMALL_MULTIPART_BYTES
      ? await multipartBytes(entry.realPath, plan.parts, headers)
      : multipartBody(entry.realPath, plan.parts);
    return new Reply(multipart as BodyInit, { status: 206, headers });
  }

  /**
   * Picks what to send: a precompressed sibling, the file compressed on the fly, or the
   * file as it is. A request with `Range` gets the file as it is, so that its byte
   * positions mean the same whatever the client accepts. Sets `Vary` when the choice
   * depended on `Accept-Encoding`.
   */
  async function choose(
    request: Request,
    file: StaticEntry,
    contentType: string,
    headers: Record<string, string>,
  ): Promise<Representation> {
    const identity: Representation = {
      entry: file,
      coding: undefined,
      onTheFly: false,
      validators: { etag: fileEtag(file.size, file.mtimeMs), mtimeMs: file.mtimeMs },
    };
    const accept = request.headers.get("accept-encoding");
    const ranged = request.headers.has("range");
    const compressible = isCompressible(contentType);
    // Text may be sent compressed (as a sibling or on the fly) to some clients and not to
    // others: say so on every answer, so that no cache hands one client's to another.
    if (compressible && (config.precompressed || config.compress)) headers["vary"] = "accept-encoding";
    // Siblings are looked for only when one could be sent (the lookups cost two stats): to
    // a client that takes a coding, without a Range.
    if (config.precompressed && !ranged && chooseCoding(accept, CODINGS) !== undefined) {
      const rootReal = realRoot!;
      const siblings = new Map<ContentCoding, StaticEntry>();
      await Promise.all(CODINGS.map(async (coding) => {
        const sibling = await entryInside(rootReal, file.realPath + SIBLING_EXTENSIONS[coding]).catch(() => undefined);
        if (sibling?.isFile) siblings.set(coding, sibling);
      }));
      if (siblings.size > 0) {
        // A sibling of a type not compressed on the fly (logo.png.gz) varies the answer
        // for this client only; an identity answer to another client stays correct.
        headers["vary"] = "accept-encoding";
        const coding = chooseCoding(accept, CODINGS.filter((c) => siblings.has(c)));
        if (coding) {
          const sibling = siblings.get(coding)!;
          return {
            entry: sibling,
            coding,
            onTheFly: false,
            validators: { etag: fileEtag(sibling.size, sibling.mtimeMs, coding), mtimeMs: sibling.mtimeMs },
          };
        }
        return identity;
      }
    }
    if (config.compress && compressible && file.size >= config.compressMinBytes) {
      const coding = ranged ? undefined : chooseCoding(accept, CODINGS);
      if (coding) {
        // The compressor's output may differ from one version to the next: the tag is weak.
        return {
          entry: file,
          coding,
          onTheFly: true,
          validators: { etag: `W/${fileEtag(file.size, file.mtimeMs, coding)}`, mtimeMs: file.mtimeMs },
        };
      }
    }
    return identity;
  }
}

/**
 * Bytes `start` to `end` of a file as a body; when they were read at once, the
 * `Content-Length` is what was read (fewer bytes, if the file shrank in between).
 */
async function body(path: string, start: number, end: number, headers: Record<string, string>): Promise<BodyInit> {
  const bytes = await fileBody(path, start, end);
  if (bytes instanceof Uint8Array) headers["content-length"] = String(bytes.byteLength);
  return bytes as BodyInit;
}

/** The largest `multipart/byteranges` body put together in memory (every range then fits one read). */
const SMALL_MULTIPART_BYTES = 64 * 1024;

/** A small `multipart/byteranges` body, read at once; its `Content-Length` is what was read. */
async function multipartBytes(path: string, parts: MultipartPlan["parts"], headers: Record<string, string>) {
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    chunks.push(part.head);
    // Each range is under 64 KiB, so fileBody() reads it at once, into bytes.
    if (part.range) chunks.push(await fileBody(path, part.range.start, part.range.end) as Uint8Array);
  }
  const bytes = concatBytes(chunks);
  headers["content-length"] = String(bytes.length);
  return bytes;
}

/** The body of a `multipart/byteranges` answer: each part's head, then its bytes, read as the client takes them. */
function multipartBody(path: string, parts: { head: Uint8Array; range?: { start: number; end: number } }[]) {
  let index = 0;
  let current: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (current) {
          const { done, value } = await current.read();
          if (!done) return controller.enqueue(value);
          current = undefined;
        }
        const part = parts[index++];
        if (!part) return controller.close();
        if (part.range) current = fileRangeStream(path, part.range.start, part.range.end).getReader();
        controller.enqueue(part.head);
        return;
      }
    },
    async cancel(reason) {
      await current?.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
