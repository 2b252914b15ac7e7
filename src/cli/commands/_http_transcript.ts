/**
 * What `anynet get -i` and `-v` print besides the body: the response's status line and
 * headers (`-i`, on standard output before the body), and with `-v`, on standard error
 * as curl marks them, the request as anynet sent it (`> `), the response's head (`< `)
 * and its timings (`* `). The values of headers that carry credentials are not printed.
 *
 * To change how the transcript looks, edit it here.
 *
 * @module
 */
import { SENSITIVE_HEADERS } from "../../http/request.ts";
import type { HttpResponse, RequestTimings } from "../../http/mod.ts";

/** A response's status line as printed: `HTTP 200 OK` (the HTTP version is not known on every runtime). */
export function statusLine(response: HttpResponse): string {
  return response.statusText === "" ? `HTTP ${response.status}` : `HTTP ${response.status} ${response.statusText}`;
}

/** The response's status line and headers, each line after `prefix`, then a line with the prefix alone. */
export function responseHead(response: HttpResponse, prefix: string): string {
  let text = `${prefix}${statusLine(response)}\n`;
  response.headers.forEach((value, name) => (text += `${prefix}${name}: ${value}\n`));
  return text + `${prefix.trimEnd()}\n`;
}

/**
 * The request line, the Host header every runtime sends (from the URL unless given) and
 * the headers anynet gave the request, marked `> `; then a `* ` line naming the headers
 * the transport adds on its own (accept, accept-encoding, connection …), whose values
 * differ between runtimes and are not shown to anynet before the request goes out.
 */
export function requestHead(method: string, url: URL, headers: Headers): string {
  let text = `> ${method} ${url.href}\n`;
  if (!headers.has("host")) text += `> host: ${url.host}\n`;
  headers.forEach((value, name) => {
    text += `> ${name}: ${SENSITIVE_HEADERS.includes(name) ? "(hidden)" : value}\n`;
  });
  return text + ">\n* the runtime adds its own defaults too (accept, accept-encoding, connection)\n";
}

/** One phase's time after the start, or `-` where the runtime does not show it. */
function ms(value: number | undefined): string {
  return value === undefined ? "-" : `${value.toFixed(1)} ms`;
}

/** The timings line of `-v`. */
export function timingsLine(timings: RequestTimings): string {
  return `* timings after the start at ${new Date(timings.start).toISOString()}: dns ${ms(timings.dns)}, ` +
    `connect ${ms(timings.connect)}, tls ${ms(timings.tls)}, first byte ${ms(timings.firstByte)}, ` +
    `end ${ms(timings.end)}\n`;
}
