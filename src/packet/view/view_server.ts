/**
 * What `anynet pcap view` serves: the viewer page, its scripts (bundled at build time),
 * uPlot, and the capture file itself, streamed with its length. Only requests addressed
 * to an IP address, `localhost` or the name it listens on are answered, so that a web page
 * elsewhere cannot reach the capture through a DNS name rebound to 127.0.0.1.
 *
 * @module
 */
import { UPLOT_CSS, UPLOT_JS, VIEWER_JS, VIEWER_WORKER_JS } from "../_browser_assets_embedded.ts";
import { fileBody } from "../../runtime/static_files.ts";
import { viewerHtml } from "./viewer_html.ts";

/** The capture the viewer serves. */
export interface ViewedCapture {
  /** The file (already checked to be a readable regular file). */
  path: string;
  /** Its size in bytes. */
  size: number;
  /** How the page names it. */
  name: string;
}

const SECURITY_HEADERS: Record<string, string> = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'",
};

function answer(body: BodyInit | null, type: string, status = 200, extra: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": type, ...SECURITY_HEADERS, ...extra } });
}

/**
 * Whether a request's Host may reach the capture: an IP address (no DNS name can be
 * rebound to it), `localhost`, or the name the server was told to listen on.
 */
function allowedHost(host: string | null, listening: string): boolean {
  if (host === null) return false;
  const name = host.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1").toLowerCase();
  const address = /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(":");
  return address || name === "localhost" || name === listening.toLowerCase();
}

/**
 * The request handler.
 * @param capture The capture file.
 * @param listening The address the server listens on (a name requests may use).
 */
export function viewerHandler(capture: ViewedCapture, listening: string): (request: Request) => Promise<Response> {
  const page = viewerHtml(capture.name, "capture");
  return async (request) => {
    if (!allowedHost(request.headers.get("host"), listening)) {
      return answer("This viewer answers requests to its own address only.\n", "text/plain; charset=utf-8", 421);
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return answer("Method Not Allowed\n", "text/plain; charset=utf-8", 405, { allow: "GET, HEAD" });
    }
    const head = request.method === "HEAD";
    const text = (body: string, type: string) => answer(head ? null : body, type);
    switch (new URL(request.url).pathname) {
      case "/":
        return text(page, "text/html; charset=utf-8");
      case "/viewer.js":
        return text(VIEWER_JS, "text/javascript; charset=utf-8");
      case "/worker.js":
        return text(VIEWER_WORKER_JS, "text/javascript; charset=utf-8");
      case "/uplot.js":
        return text(UPLOT_JS, "text/javascript; charset=utf-8");
      case "/uplot.css":
        return text(UPLOT_CSS, "text/css; charset=utf-8");
      case "/capture": {
        const length = { "content-length": String(capture.size) };
        if (head || capture.size === 0) return answer(null, "application/octet-stream", 200, length);
        // The body types of the runtime's file reader are among what a Response takes.
        const body = (await fileBody(capture.path, 0, capture.size - 1)) as BodyInit;
        return answer(body, "application/octet-stream", 200, length);
      }
      default:
        return answer("Not Found\n", "text/plain; charset=utf-8", 404);
    }
  };
}
