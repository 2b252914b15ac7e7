import { checkCount, checkDelayMs, checkOptionsObject, checkSignal } from "../_argument_checks.ts";

/** The classic echo port, for the servers and the clients alike. */
export const DEFAULT_ECHO_PORT: number = 65432;

/** Checked options shared by the echo servers. */
export interface CheckedEchoOptions {
  hostname: string;
  port: number;
  maxConnections: number | undefined;
  idleTimeout: number | undefined;
  maxClients: number | undefined;
  gracePeriod: number;
  signal: AbortSignal | undefined;
}

/** Checks what the echo servers add to the socket options (the rest is checked by listen/bindUdp). */
export function checkEchoOptions(action: string, options: unknown, names: readonly string[]): CheckedEchoOptions {
  const o = checkOptionsObject(action, options, names);
  return {
    hostname: (o.hostname ?? "127.0.0.1") as string,
    port: (o.port ?? DEFAULT_ECHO_PORT) as number,
    maxConnections: o.maxConnections === undefined
      ? undefined
      : checkCount(action, "maxConnections", o.maxConnections, 1),
    idleTimeout: o.idleTimeout === undefined ? undefined : checkDelayMs(action, "idleTimeout", o.idleTimeout),
    maxClients: o.maxClients === undefined ? undefined : checkCount(action, "maxClients", o.maxClients, 1),
    gracePeriod: o.gracePeriod === undefined ? 5000 : checkDelayMs(action, "gracePeriod", o.gracePeriod),
    signal: checkSignal(action, o.signal),
  };
}
