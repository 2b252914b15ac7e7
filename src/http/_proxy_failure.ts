/**
 * A hop through a proxy that failed because of the proxy, said of the proxy: one that
 * could not be reached (down, or its name does not resolve), one that wants credentials
 * (407), and one that refused to open a CONNECT tunnel (403, 502 …). Each is a
 * NetworkError with `reason: "proxy"`, the proxy's address in `proxy` and its status, when
 * it answered, in `proxyStatus`. Any other failure (the server's certificate, a timeout)
 * is left as it is, for the usual mapping.
 *
 * The runtimes report a refused tunnel each their own way: anynet's Node transport and
 * Bun with the code `ERR_PROXY_TUNNEL` and the status in the message, Deno as an
 * "unsuccessful tunnel" without the status; then the proxy is asked once more, with a
 * CONNECT of anynet's own over a plain socket, so that the error can say why (a 407 is
 * not a 403), on every runtime alike.
 *
 * @module
 */
import { classifyError } from "../_error_kind.ts";
import { connect } from "../net/connect.ts";
import type { ProxyEndpoint } from "./_proxy_choice.ts";
import { NetworkError } from "./errors.ts";

/** The request a failure belongs to. */
interface Hop {
  method: string;
  url: string;
}

/** The host:port a tunnel to `url` opens. */
function authorityOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol === "https:" ? "443" : "80")}`;
}

/** The proxy answered `status` instead of forwarding the request or opening the tunnel. */
export function proxyRefusal(
  proxy: ProxyEndpoint,
  status: number | undefined,
  statusText: string,
  hop: Hop,
  cause?: unknown,
): NetworkError {
  const what = hop.url.startsWith("https:") ? `open a tunnel to ${authorityOf(hop.url)}` : "forward the request";
  let detail: string;
  if (status === 407) {
    detail = `proxy authentication required: the proxy ${proxy.origin} answered 407 ` +
      (proxy.credentials === undefined
        ? "(give the credentials in the proxy URL: http://user:password@host:port)"
        : "(it did not accept the credentials in the proxy URL)");
  } else if (status === undefined) {
    detail = `the proxy ${proxy.origin} refused to ${what} (this runtime does not say with which status)`;
  } else {
    detail = `the proxy ${proxy.origin} refused to ${what}: ${status}${statusText ? ` ${statusText}` : ""}`;
  }
  return new NetworkError(
    { reason: "proxy", detail, method: hop.method, url: hop.url, proxy: proxy.origin, proxyStatus: status },
    { cause },
  );
}

/** The errors of this client, which pass as they are. */
const OWN_ERRORS = new Set(["HttpError", "TimeoutError", "NetworkError", "BodyTooLargeError", "RedirectError"]);

const TUNNEL_STATUS = /\b([1-5]\d\d)\b ?([^\n]*)$/;

/** How long the second CONNECT may take, in ms: it only words an error that has happened already. */
const PROBE_MS = 1000;

/**
 * Asks `proxy` to open a tunnel to the host of `url` and reads the status it answers
 * with; undefined when no answer comes in time. The tunnel, if opened, is closed at once.
 */
async function probeTunnelStatus(proxy: ProxyEndpoint, url: string): Promise<[number, string] | undefined> {
  const authority = authorityOf(url);
  let head = `CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n`;
  if (proxy.authorization !== undefined) head += `proxy-authorization: ${proxy.authorization}\r\n`;
  try {
    const connection = await connect({ hostname: proxy.hostname, port: proxy.port, timeout: PROBE_MS });
    let timeout: ReturnType<typeof setTimeout> | undefined;
    try {
      await connection.write(head + "\r\n");
      const timer = new Promise<null>((resolve) => (timeout = setTimeout(() => resolve(null), PROBE_MS)));
      let answer = "";
      while (!answer.includes("\r\n")) {
        const chunk = await Promise.race([connection.read(), timer]);
        if (chunk === null) return undefined;
        answer += new TextDecoder("latin1").decode(chunk);
      }
      const line = /^HTTP\/1\.[01] (\d{3}) ?([^\r\n]*)/.exec(answer);
      return line === null ? undefined : [Number(line[1]), line[2]!];
    } finally {
      clearTimeout(timeout);
      connection.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * `error` said of the proxy when the proxy is what failed, or `error` itself. The chain of
 * causes is searched, since fetch wraps the runtime's own error in a TypeError.
 */
export async function proxyFailure(error: unknown, proxy: ProxyEndpoint, hop: Hop): Promise<unknown> {
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === "string" && OWN_ERRORS.has(name)) return error;
  let link: unknown = error;
  for (let depth = 0; depth < 4 && link !== null && typeof link === "object"; depth++) {
    const { code, message, cause } = link as { code?: unknown; message?: unknown; cause?: unknown };
    const text = typeof message === "string" ? message : "";
    if (code === "ERR_PROXY_TUNNEL") {
      const match = TUNNEL_STATUS.exec(text);
      return proxyRefusal(proxy, match ? Number(match[1]) : undefined, match?.[2] ?? "", hop, error);
    }
    if (/unsuccessful tunnel/i.test(text)) {
      const answer = await probeTunnelStatus(proxy, hop.url);
      return proxyRefusal(proxy, answer?.[0], answer?.[1] ?? "", hop, error);
    }
    link = cause;
  }
  // The runtime's own words stay in the cause.
  const { kind } = classifyError(error);
  let detail: string;
  if (kind === "refused") detail = `connection refused by the proxy ${proxy.origin} (is the proxy running?)`;
  else if (kind === "host-not-found") detail = `DNS lookup failed: cannot resolve the proxy's host '${proxy.hostname}'`;
  else return error;
  return new NetworkError(
    { reason: "proxy", detail, method: hop.method, url: hop.url, proxy: proxy.origin },
    { cause: error },
  );
}
