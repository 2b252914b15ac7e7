/**
 * Which request methods reach a `serve()` handler.
 *
 * Node's parser (llhttp) accepts a fixed list of methods and refuses any other, Bun's
 * closes the connection on one it does not know, and Deno hands any token to the handler,
 * `get` in lower case included (which fetch's `Request` would then turn into `GET`:
 * methods are case-sensitive). So serve() passes the methods of that list, the same on
 * every runtime, and answers any other with 501 Not Implemented, as RFC 9110 §9.1 asks for
 * a method the server does not recognise.
 *
 * CONNECT, TRACE and TRACK are also answered 501: a fetch `Request` cannot carry them
 * (the Fetch standard forbids them, and Node's `Request` throws on them), and serve()
 * neither opens tunnels nor echoes requests back.
 *
 * @module
 */

/** The methods Node's HTTP parser accepts (`http.METHODS` on Node 22, 24 and 26). */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  "ACL",
  "BIND",
  "CHECKOUT",
  "COPY",
  "DELETE",
  "GET",
  "HEAD",
  "LINK",
  "LOCK",
  "M-SEARCH",
  "MERGE",
  "MKACTIVITY",
  "MKCALENDAR",
  "MKCOL",
  "MOVE",
  "NOTIFY",
  "OPTIONS",
  "PATCH",
  "POST",
  "PROPFIND",
  "PROPPATCH",
  "PURGE",
  "PUT",
  "QUERY",
  "REBIND",
  "REPORT",
  "SEARCH",
  "SOURCE",
  "SUBSCRIBE",
  "UNBIND",
  "UNLINK",
  "UNLOCK",
  "UNSUBSCRIBE",
]);

/** Why serve() answers `method` itself with 501, or undefined when the handler gets it. */
export function refusedMethod(method: string): string | undefined {
  // Most requests are GETs: a comparison is cheaper than hashing the method for the set.
  if (method === "GET" || KNOWN_METHODS.has(method)) return undefined;
  if (method === "CONNECT") return "CONNECT is not supported: this server opens no tunnels";
  if (method === "TRACE" || method === "TRACK") return `${method} is not supported`;
  const shown = method.length > 32 ? `${method.slice(0, 32)}…` : method;
  return `unknown method '${shown}' (methods are case-sensitive)`;
}
