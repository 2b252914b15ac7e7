/**
 * The smallest native Deno echo server, the baseline for anynet on Deno: `Deno.listen` and a
 * read/write loop per connection (a plain loop beats `readable.pipeTo(writable)` about 3× for
 * small messages here, so it is the fair baseline).
 *
 * Usage: deno run -A native_deno.ts [--host 127.0.0.1] [--port 0]
 * Prints "listening on HOST:PORT" once it accepts.
 *
 * @module
 */

function flag(name: string, fallback: string): string {
  const at = Deno.args.indexOf(name);
  return at >= 0 && at + 1 < Deno.args.length ? Deno.args[at + 1] : fallback;
}

async function echo(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const read = await conn.read(buffer);
      if (read === null) break;
      // conn.write() may take only part of the bytes.
      for (let written = 0; written < read;) {
        written += await conn.write(buffer.subarray(written, read));
      }
    }
  } catch {
    // a reset by the load client at the end of a run
  } finally {
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}

const hostname = flag("--host", "127.0.0.1");
const listener = Deno.listen({ hostname, port: Number(flag("--port", "0")) });
console.log(`listening on ${hostname}:${(listener.addr as Deno.NetAddr).port}`);
for await (const conn of listener) echo(conn);
