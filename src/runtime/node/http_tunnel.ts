/**
 * A CONNECT tunnel through an HTTP proxy (RFC 9110, section 9.3.6) for the client's https
 * requests on Node: a TCP connection to the proxy, `CONNECT host:port` with the proxy's
 * credentials, and once the proxy answers 2xx, TLS to the server inside the tunnel (the
 * caller starts it, so that its certificate is checked against the server's host, as on
 * a direct connection). The proxy's credentials travel in the CONNECT request alone:
 * nothing written inside the tunnel carries them.
 *
 * A proxy that answers anything but 2xx fails the tunnel with an error whose `code` is
 * `ERR_PROXY_TUNNEL` and whose message ends with the status, as Bun words its own.
 *
 * @module
 */
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { ProxyRoute } from "../http_types.ts";

/** The longest answer to a CONNECT that is read; a longer one is not from a proxy. */
const MAX_ANSWER_BYTES = 16 * 1024;

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: ([^\r\n]*))?/;

/** The error a refused tunnel fails with. */
function tunnelRefused(status: number, statusText: string): Error {
  return Object.assign(new Error(`Proxy refused to open a tunnel: ${status} ${statusText}`.trimEnd()), {
    code: "ERR_PROXY_TUNNEL",
    status,
  });
}

/**
 * Opens a tunnel to `authority` (`host:port`, an IPv6 host in brackets) through the proxy
 * `raw` is connecting to, and resolves to what `startTls` makes of it once it is open.
 * `raw` is the caller's, so that it can let go of it while the proxy has not answered.
 */
export function openTunnel(
  raw: Socket,
  proxy: ProxyRoute,
  authority: string,
  startTls: (socket: Socket) => TLSSocket,
): Promise<TLSSocket> {
  return new Promise<TLSSocket>((resolve, reject) => {
    let answer: Buffer = Buffer.alloc(0);
    const stop = () => {
      raw.off("data", onData);
      raw.off("error", onError);
      raw.off("end", onEnd);
    };
    const fail = (error: Error) => {
      stop();
      raw.destroy();
      reject(error);
    };
    const onError = (error: Error) => fail(error);
    const onEnd = () =>
      fail(Object.assign(new Error("the proxy closed the connection before it answered CONNECT"), {
        code: "ECONNRESET",
      }));
    const onData = (chunk: Buffer) => {
      answer = answer.length === 0 ? chunk : Buffer.concat([answer, chunk]);
      const end = answer.indexOf("\r\n\r\n");
      if (end < 0) {
        if (answer.length > MAX_ANSWER_BYTES) fail(new Error("the proxy's answer to CONNECT is too long"));
        return;
      }
      const line = STATUS_LINE.exec(answer.toString("latin1", 0, end));
      if (line === null) return fail(new Error("the proxy did not answer CONNECT with HTTP"));
      const status = Number(line[1]);
      if (status < 200 || status > 299) return fail(tunnelRefused(status, line[2] ?? ""));
      // The server speaks only after the client's TLS hello: bytes before it are no TLS.
      if (answer.length > end + 4) return fail(new Error("the proxy sent bytes after its answer to CONNECT"));
      stop();
      const socket = startTls(raw);
      raw.on("error", (error) => socket.destroy(error));
      resolve(socket);
    };
    raw.on("data", onData);
    raw.on("error", onError);
    raw.on("end", onEnd);
    let request = `CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n`;
    if (proxy.authorization !== undefined) request += `proxy-authorization: ${proxy.authorization}\r\n`;
    raw.write(request + "\r\n", "latin1");
  });
}
