/**
 * Echo servers for the tools' tests that count what they saw and can be killed and
 * brought back on the same port: what a load generator's or a proxy's figures are
 * checked against.
 *
 * @module
 */
import { type Connection, listen, type Listener } from "anynet/net";

/** Options of {@linkcode startTestEcho}. */
export interface TestEchoOptions {
  /** Port to listen on. @default 0 */
  port?: number;
  /** Flip one byte at this offset of every connection's stream (a deliberately broken server). */
  corruptAt?: number;
  /** Wait this many milliseconds before echoing each chunk read (a deliberately slow server). */
  delayMs?: number;
}

/** What a test echo server saw, per connection. */
export interface TestEchoConnection {
  /** Bytes echoed back. */
  bytes: number;
  /** Whether this server flipped a byte on it. */
  corrupted: boolean;
}

/** A counting echo server. */
export interface TestEcho {
  /** Its port (the same after `restart()`). */
  readonly port: number;
  /** Connections accepted since the start (over restarts). */
  readonly connections: TestEchoConnection[];
  /** Bytes echoed, over all connections. */
  bytes(): number;
  /** Waits until every accepted connection has finished. */
  settled(): Promise<void>;
  /** Dies as a crashing process would: stops listening and resets every open connection. */
  kill(): void;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Starts a counting echo server on 127.0.0.1. */
export async function startTestEcho(options: TestEchoOptions = {}): Promise<TestEcho> {
  const open = new Set<Connection>();
  const handlers = new Set<Promise<void>>();
  const connections: TestEchoConnection[] = [];
  let listener: Listener;
  let accepting: Promise<void>;

  async function serve(conn: Connection, seen: TestEchoConnection): Promise<void> {
    try {
      for (let chunk = await conn.read(); chunk; chunk = await conn.read()) {
        const at = options.corruptAt;
        if (at !== undefined && !seen.corrupted && seen.bytes <= at && at < seen.bytes + chunk.byteLength) {
          chunk[at - seen.bytes] ^= 0xff;
          seen.corrupted = true;
        }
        if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
        await conn.write(chunk);
        seen.bytes += chunk.byteLength;
      }
      await conn.closeWrite();
    } catch {
      // a reset client, or kill(): nothing to echo any more
    } finally {
      conn.close();
      open.delete(conn);
    }
  }

  async function start(port: number): Promise<void> {
    listener = await listen({ hostname: "127.0.0.1", port });
    const current = listener;
    accepting = (async () => {
      for await (const conn of current) {
        const seen = { bytes: 0, corrupted: false };
        connections.push(seen);
        open.add(conn);
        const handler = serve(conn, seen);
        handlers.add(handler);
        handler.finally(() => handlers.delete(handler));
      }
    })();
  }

  await start(options.port ?? 0);
  const port = listener!.addr.port;
  return {
    port,
    connections,
    bytes: () => connections.reduce((sum, c) => sum + c.bytes, 0),
    async settled() {
      while (handlers.size > 0) await Promise.allSettled([...handlers]);
    },
    kill() {
      listener.close();
      for (const conn of open) conn.reset();
    },
    async restart() {
      await accepting;
      await start(port);
    },
    async close() {
      listener.close();
      for (const conn of open) conn.close();
      await accepting;
      while (handlers.size > 0) await Promise.allSettled([...handlers]);
    },
  };
}
