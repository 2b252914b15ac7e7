import { formatAddr } from "../_address.ts";
import { adapter } from "../runtime/mod.ts";
import type { StreamSocket, TlsClientConfig } from "../runtime/types.ts";
import { toNetError } from "./_to_net_error.ts";
import { isIpAddress } from "./_ip.ts";
import { realSocketAddr } from "./_socket_addr.ts";
import {
  brieflyShown,
  checkDelayMs,
  checkHostname,
  checkOptionsObject,
  checkPem,
  checkPort,
  checkSignal,
  checkStringList,
} from "../_argument_checks.ts";
import { Connection } from "./connection.ts";
import { ConnectionResetError, TimedOutError } from "./errors.ts";
import type { ConnectOptions } from "./types.ts";

function tlsConfig(action: string, tls: unknown, hostname: string): TlsClientConfig | undefined {
  if (tls === undefined || tls === false) return undefined;
  const t = tls === true
    ? {}
    : checkOptionsObject(action, tls, ["caCerts", "serverName", "alpnProtocols"], "tls.", brieflyShown);
  const caCerts = t.caCerts === undefined ? [] : checkStringList(action, "tls.caCerts", t.caCerts)!;
  caCerts.forEach((pem, i) => checkPem(action, `tls.caCerts[${i}]`, pem));
  const serverName = t.serverName === undefined ? hostname : checkHostname(action, t.serverName);
  return {
    caCerts,
    serverName,
    // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName."
    sni: isIpAddress(serverName) ? undefined : serverName,
    alpnProtocols: checkStringList(action, "tls.alpnProtocols", t.alpnProtocols),
  };
}

/**
 * Opens a TCP connection, or a TLS one with `tls` (certificate and hostname verified).
 *
 * @param options Where to connect; see {@linkcode ConnectOptions}.
 * @returns The connection, with the TLS handshake done.
 * @throws {TypeError | RangeError} For bad options, before any I/O.
 * @throws {NetError} `ConnectionRefusedError`, `TimedOutError` (after `timeout`),
 *   `HostNotFoundError`, `TlsError` …; an abort rejects with the signal's reason.
 * @example Connect with a time limit
 * ```ts
 * import { connect, TimedOutError } from "anynet/net";
 * try {
 *   // `await using`: native on Deno, Bun, Node 24+; on Node 22 call close() in finally, or compile with tsc.
 *   await using conn = await connect({ hostname: "example.com", port: 443, tls: true, timeout: 5000 });
 *   console.log(conn.remoteAddr);
 * } catch (error) {
 *   if (error instanceof TimedOutError) console.log("too slow");
 * }
 * ```
 */
export function connect(options: ConnectOptions): Promise<Connection> {
  return connectMarked(options, {});
}

/** Moments of a connection attempt that a probe times (`tcping`); not part of the public API. */
export interface ConnectMarks {
  /** Called once the TCP connection is made, before the TLS handshake (with `tls`). */
  onConnected?(): void;
  /** The caller reads `peerCertificate` (with `tls`): see `TcpConnectRequest.wantsPeerCertificate`. */
  wantsPeerCertificate?: boolean;
}

/** {@linkcode connect}, telling `marks` when the TCP connection is made. */
export async function connectMarked(options: ConnectOptions, marks: ConnectMarks): Promise<Connection> {
  const action = "connect";
  const o = checkOptionsObject(action, options, ["hostname", "port", "tls", "timeout", "signal"], "", brieflyShown);
  const hostname = checkHostname(action, o.hostname ?? "127.0.0.1");
  const port = checkPort(action, o.port, 1);
  const timeout = o.timeout === undefined ? undefined : checkDelayMs(action, "timeout", o.timeout);
  const signal = checkSignal(action, o.signal);
  const tls = tlsConfig(action, o.tls, hostname);
  signal?.throwIfAborted();

  const target = formatAddr({ hostname, port });
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = timeout === undefined ? undefined : setTimeout(() => {
    controller.abort(
      new TimedOutError(`Cannot connect to ${target}: no ${tls ? "TLS session" : "connection"} within ${timeout} ms`),
    );
  }, timeout);
  const attempt = adapter.net.connectTcp({
    hostname,
    port,
    tls,
    signal: controller.signal,
    ...(marks.onConnected ? { onConnected: marks.onConnected } : {}),
    ...(marks.wantsPeerCertificate ? { wantsPeerCertificate: true } : {}),
  });
  // Not every runtime's connect can be aborted (Deno's DNS lookup, say): stop waiting
  // on the abort, and close a connection that still turns up later.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  let socket: StreamSocket;
  try {
    socket = await Promise.race([attempt, aborted]);
  } catch (error) {
    attempt.then((late) => late.close(), () => {});
    if (controller.signal.aborted) throw controller.signal.reason;
    throw toNetError(error, `connect to ${target}`);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
  const localAddr = realSocketAddr(socket.localAddr);
  const remoteAddr = realSocketAddr(socket.remoteAddr);
  if (!localAddr || !remoteAddr) {
    // No address for a socket that has just connected: the server reset it at once (see _socket_addr.ts).
    socket.close();
    throw new ConnectionResetError(
      `Cannot connect to ${target}: the server reset the connection as soon as it was made`,
    );
  }
  return new Connection(socket, localAddr, remoteAddr);
}
