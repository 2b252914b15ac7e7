/**
 * The smallest native Bun echo server, the baseline for anynet on Bun: `Bun.listen` with correct
 * partial writes. Bun's `socket.write()` does not buffer: it returns how many bytes the kernel
 * took, so the rest is kept per socket and sent from `drain`.
 *
 * Usage: bun native_bun.ts [--host 127.0.0.1] [--port 0]
 * Prints "listening on HOST:PORT" once it accepts.
 *
 * @module
 */

/** The part of a Bun socket this server uses. */
interface BunSocket {
  data: { pending: Uint8Array[] };
  write(bytes: Uint8Array): number;
  end(): void;
}

/** The part of the `Bun` global this server uses (typed locally so `deno check` passes too). */
interface BunLike {
  argv: string[];
  listen(options: {
    hostname: string;
    port: number;
    socket: {
      open(socket: BunSocket): void;
      data(socket: BunSocket, bytes: Uint8Array): void;
      drain(socket: BunSocket): void;
      error?(socket: BunSocket, error: Error): void;
    };
  }): { port: number };
}

const bun = (globalThis as unknown as { Bun: BunLike }).Bun;

function flag(name: string, fallback: string): string {
  const at = bun.argv.indexOf(name);
  return at >= 0 && at + 1 < bun.argv.length ? bun.argv[at + 1] : fallback;
}

/** Writes queued chunks until the kernel stops taking them; returns false if some are left. */
function flush(socket: BunSocket): boolean {
  const pending = socket.data.pending;
  while (pending.length > 0) {
    const chunk = pending[0];
    const written = socket.write(chunk);
    if (written < chunk.length) {
      pending[0] = chunk.subarray(Math.max(written, 0));
      return false;
    }
    pending.shift();
  }
  return true;
}

const hostname = flag("--host", "127.0.0.1");
const server = bun.listen({
  hostname,
  port: Number(flag("--port", "0")),
  socket: {
    open(socket) {
      socket.data = { pending: [] };
    },
    data(socket, bytes) {
      const pending = socket.data.pending;
      if (pending.length === 0) {
        const written = socket.write(bytes);
        if (written >= bytes.length) return;
        // Bun may reuse the buffer it passed in after this callback returns, and Buffer#slice is a
        // view, so copy with the Uint8Array constructor.
        pending.push(new Uint8Array(bytes.subarray(Math.max(written, 0))));
      } else {
        pending.push(new Uint8Array(bytes));
      }
    },
    drain(socket) {
      flush(socket);
    },
    error() {
      // a reset by the load client at the end of a run
    },
  },
});
console.log(`listening on ${hostname}:${server.port}`);
