/**
 * Reading a JSON request body for the REST API: only a body that says it is JSON, no
 * larger than the limit, valid UTF-8, nested no deeper than {@linkcode MAX_JSON_DEPTH}.
 *
 * The depth is checked on the text, before parsing: a body of 20,000 nested arrays parses,
 * but then fails everything that walks it (serialising it overflows the stack).
 *
 * @module
 */
import { ApiFailure, briefly } from "./_rest_answer.ts";

/** How deeply arrays and objects may nest in a request body. */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACKET = 91, CLOSE_BRACKET = 93, OPEN_BRACE = 123, CLOSE_BRACE = 125, QUOTE = 34, BACKSLASH = 92;

/** Whether a Content-Type names JSON: `application/json` or `application/<something>+json`, with any parameters. */
export function isJsonType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const type = contentType.split(";", 1)[0].trim().toLowerCase();
  return type === "application/json" || /^application\/[!#$%&'*+.^_`|~0-9a-z-]+\+json$/.test(type);
}

/** How deeply the JSON text nests, counting brackets outside strings (stops past `max`). */
function nestingDepth(text: string, max: number): number {
  let depth = 0, deepest = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > deepest && (deepest = depth) > max) return deepest;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return deepest;
}

/** Reads and parses the request's JSON body, or throws the ApiFailure that says why not. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    throw new ApiFailure(413, `the request body is over the limit of ${maxBytes} bytes`);
  }
  const type = request.headers.get("content-type");
  if (!isJsonType(type)) {
    throw new ApiFailure(
      415,
      `the body must be JSON (Content-Type: application/json): got ${
        type === null ? "no Content-Type" : briefly(type)
      }`,
    );
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  // A chunked body declares no length: count what arrived.
  if (bytes.byteLength > maxBytes) throw new ApiFailure(413, `the request body is over the limit of ${maxBytes} bytes`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiFailure(400, "the body is not valid UTF-8");
  }
  if (nestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new ApiFailure(400, `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiFailure(400, `malformed JSON body: ${(error as Error).message}`);
  }
}
