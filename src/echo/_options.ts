import { checkOptionsObject } from "../_argument_checks.ts";
import { checkDelayMs } from "../_delay.ts";
import { DEFAULT_ECHO_PORT_VALUE } from "./_port.ts";

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

function positiveInteger(action: string, name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`Cannot ${action}: '${name}' must be a positive integer: got ${String(value)}`);
  }
  return value;
}

function positiveNumber(action: string, name: string, value: unknown): number | undefined {
  return value === undefined ? undefined : checkDelayMs(action, name, value);
}

/** Checks what the echo servers add to the socket options (the rest is checked by listen/bindUdp). */
export function checkEchoOptions(action: string, options: unknown, names: readonly string[]): CheckedEchoOptions {
  checkOptionsObject(action, options, names);
  const o = options as Record<string, unknown>;
  if (o.signal !== undefined && (typeof o.signal !== "object" || o.signal === null || !("aborted" in o.signal))) {
    throw new TypeError(`Cannot ${action}: 'signal' must be an AbortSignal`);
  }
  return {
    hostname: (o.hostname ?? "127.0.0.1") as string,
    port: (o.port ?? DEFAULT_ECHO_PORT_VALUE) as number,
    maxConnections: positiveInteger(action, "maxConnections", o.maxConnections),
    idleTimeout: positiveNumber(action, "idleTimeout", o.idleTimeout),
    maxClients: positiveInteger(action, "maxClients", o.maxClients),
    gracePeriod: positiveNumber(action, "gracePeriod", o.gracePeriod) ?? 5000,
    signal: o.signal as AbortSignal | undefined,
  };
}
