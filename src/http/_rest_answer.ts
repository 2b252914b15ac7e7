/**
 * How the REST API answers: JSON bodies, and every failure as `{"error": …}` with the
 * status that says what went wrong.
 *
 * @module
 */
import { FastResponse } from "./fast_response.ts";

/** A failure the REST API answers itself: JSON `{ "error": message, "field"?: name }`. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly field?: string;
  readonly headers?: Record<string, string>;
  constructor(status: number, message: string, field?: string, headers?: Record<string, string>) {
    super(message);
    this.name = "ApiFailure";
    this.status = status;
    this.field = field;
    this.headers = headers;
  }
}

/** A JSON response, pretty-printed as the API's examples show it (a FastResponse: serve() writes it in one go). */
export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): Response {
  return new FastResponse(JSON.stringify(value, null, 2) + "\n", {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** The answer to a failure. */
export function failureResponse(failure: ApiFailure): Response {
  return jsonResponse(
    failure.status,
    failure.field ? { error: failure.message, field: failure.field } : { error: failure.message },
    failure.headers,
  );
}

/**
 * The REST API's error body for the answers `serve()` gives itself (413, 408, 400, 501,
 * 500 …): pass it as `serve()`'s `errorResponse`, so that every error of the API is JSON.
 *
 * @param status The status serve() answers with.
 * @param message What went wrong, in plain words.
 * @returns `{"error": message}` with that status.
 * @example Serve the REST API with JSON errors throughout
 * ```ts
 * import { createRestApi, restApiErrorResponse, serve } from "anynet/http";
 * const server = await serve(createRestApi(), { port: 0, errorResponse: restApiErrorResponse });
 * await server.close();
 * ```
 */
export function restApiErrorResponse(status: number, message: string): Response {
  return jsonResponse(status, { error: message });
}

/** A value named briefly for an error message: `42`, `"text"`, `an array`, `an object`. */
export function briefly(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  return String(value);
}
