/**
 * The media type of a file served by `serveStatic()`, from its extension: a small table
 * of the types the web serves most, `application/octet-stream` for the rest (so a
 * browser downloads what it cannot name rather than guessing). Text gets
 * `charset=utf-8`: without it browsers fall back to a legacy encoding. Which types are
 * worth compressing on the fly is decided here too.
 *
 * @module
 */

/** Extension (lower case, without the dot) → media type. */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  js: "text/javascript",
  mjs: "text/javascript",
  cjs: "text/javascript",
  json: "application/json",
  map: "application/json",
  webmanifest: "application/manifest+json",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  xml: "application/xml",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  ico: "image/vnd.microsoft.icon",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  otf: "font/otf",
  wasm: "application/wasm",
  pdf: "application/pdf",
  mp4: "video/mp4",
  webm: "video/webm",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  wav: "audio/wav",
  zip: "application/zip",
  gz: "application/gzip",
};

/** Types that are not `text/*` but are text, and so take a charset and compress well. */
const TEXTUAL_TYPES: ReadonlySet<string> = new Set([
  "application/json",
  "application/manifest+json",
  "application/xml",
  "image/svg+xml",
]);

/** The fallback for an extension the table does not know. */
export const DEFAULT_MEDIA_TYPE = "application/octet-stream";

/**
 * The `Content-Type` for a file name: `"text/css; charset=utf-8"` for `site.css`,
 * `application/octet-stream` for an unknown extension or none.
 */
export function contentTypeFor(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  const type = dot > 0 ? MEDIA_TYPES[fileName.slice(dot + 1).toLowerCase()] : undefined;
  if (!type) return DEFAULT_MEDIA_TYPE;
  return type.startsWith("text/") ? `${type}; charset=utf-8` : type;
}

/** Whether a body of this `Content-Type` shrinks when compressed (text does; PNG, video and zip do not). */
export function isCompressible(contentType: string): boolean {
  const type = contentType.split(";", 1)[0]!;
  return type.startsWith("text/") || TEXTUAL_TYPES.has(type) || type === "application/wasm";
}
