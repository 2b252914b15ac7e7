/**
 * Hostile response bodies for the HTTP client's body-limit tests: compression bombs
 * (a small gzip, deflate or brotli body that decodes to far more) and a body that never
 * ends, served by a raw node:http server, and a child process's peak memory.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { root } from "./env.ts";
import { join } from "node:path";
import zlib from "node:zlib";
import { type RawServer, rawServer } from "./http_servers.ts";
import { sharedFixture } from "./shared_fixture.ts";

const MIB = 1024 * 1024;

/** A content coding the bombs come in. */
export type BombEncoding = "gzip" | "deflate" | "br";

/**
 * How many bytes each bomb decodes to: 10 GiB of gzip or deflate (10 MiB on the wire),
 * far more than any runtime decodes before a test's limits end the read; brotli takes
 * real compressing, so a smaller one (12 KiB on the wire).
 */
export const BOMB_DECODED_BYTES: Record<BombEncoding, number> = {
  gzip: 10240 * MIB,
  deflate: 10240 * MIB,
  br: 64 * MIB,
};

/**
 * A raw deflate stream of `mib` MiB of zeros, made without compressing them all: one
 * MiB compressed with a full flush is a self-contained, byte-aligned block sequence, so
 * it can be repeated; an empty final block ends the stream.
 */
function deflateZeros(mib: number): Uint8Array {
  const block = zlib.deflateRawSync(new Uint8Array(MIB), { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const out = new Uint8Array(block.byteLength * mib + 2);
  for (let i = 0; i < mib; i++) out.set(block, i * block.byteLength);
  // BFINAL=1, BTYPE=01 (fixed Huffman), then the end-of-block code.
  out.set([0x03, 0x00], block.byteLength * mib);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((size, part) => size + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

function makeBombs(folder: string): void {
  const mib = BOMB_DECODED_BYTES.gzip / MIB;
  const raw = deflateZeros(mib);
  const zeros = new Uint8Array(MIB);
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = zlib.crc32(zeros, crc);
  const gzipTrailer = new DataView(new ArrayBuffer(8));
  gzipTrailer.setUint32(0, crc >>> 0, true);
  gzipTrailer.setUint32(4, (mib * MIB) % 2 ** 32, true);
  // RFC 1952 header: magic, deflate, no flags, no time, no extra flags, unknown OS.
  const gzip = [Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff), raw, new Uint8Array(gzipTrailer.buffer)];
  writeFileSync(join(folder, "gzip"), concat(gzip));
  // RFC 1950: the Adler-32 of n zeros is (n mod 65521) << 16 | 1.
  const adler = new DataView(new ArrayBuffer(4));
  adler.setUint32(0, ((((mib * MIB) % 65521) << 16) | 1) >>> 0);
  writeFileSync(join(folder, "deflate"), concat([Uint8Array.of(0x78, 0x9c), raw, new Uint8Array(adler.buffer)]));
  const br = zlib.brotliCompressSync(new Uint8Array(BOMB_DECODED_BYTES.br), {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1, [zlib.constants.BROTLI_PARAM_LGWIN]: 24 },
  });
  writeFileSync(join(folder, "br"), br);
}

/** The bombs, made once per test run and shared by the legs. */
export function compressionBombs(): Record<BombEncoding, Uint8Array> {
  const folder = sharedFixture("http-compression-bombs", makeBombs);
  const read = (name: BombEncoding) => new Uint8Array(readFileSync(join(folder, name)));
  return { gzip: read("gzip"), deflate: read("deflate"), br: read("br") };
}

/**
 * A server with `/gzip`, `/deflate` and `/br` (a bomb each, with its Content-Length),
 * `/endless` (a JSON array that never ends, sent as fast as the client reads) and
 * `/small-gzip?n=N` (N random bytes gzipped: a body that grows when compressed).
 */
export async function startBombServer(): Promise<RawServer> {
  const bombs = compressionBombs();
  return await rawServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const name = url.pathname.slice(1);
    if (name === "endless") {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[");
      const chunk = "0,".repeat(32 * 1024);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on("drain", pump);
      pump();
      return;
    }
    if (name === "small-gzip") {
      const plain = crypto.getRandomValues(new Uint8Array(Number(url.searchParams.get("n"))));
      const body = zlib.gzipSync(plain);
      res.writeHead(200, { "content-encoding": "gzip", "content-length": String(body.byteLength) });
      res.end(body);
      return;
    }
    if (name in bombs) {
      const body = bombs[name as BombEncoding];
      res.writeHead(200, {
        "content-type": "application/json",
        "content-encoding": name,
        "content-length": String(body.byteLength),
      });
      res.end(body);
      return;
    }
    res.writeHead(404).end();
  });
}

/** Whether this system shows a process's peak memory (`VmHWM` in /proc/PID/status). */
export function canReadPeakMemory(): boolean {
  return existsSync("/proc/self/status");
}

/** The peak resident memory of process `pid` in MiB (`VmHWM`), or undefined once it has gone. */
export function peakMemoryMiB(pid: number): number | undefined {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

/** How a watched process ended. */
export interface WatchedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The highest peak memory seen while it ran, in MiB (0 when it could not be read). */
  peakMiB: number;
  /** Why the watch killed it, if it did. */
  killed: string | undefined;
}

/**
 * Runs a program in the project root and watches its peak memory: a process that passes
 * `killAboveMiB`, or runs past `timeoutMs`, is killed at once (so that a runaway cannot
 * hurt the machine) and the result says why.
 */
export function runWatched(
  command: string,
  args: string[],
  { killAboveMiB, timeoutMs, env }: { killAboveMiB: number; timeoutMs: number; env?: Record<string, string> },
): Promise<WatchedRun> {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "", stderr = "", peakMiB = 0;
  let killed: string | undefined;
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const kill = (why: string) => {
    killed ??= why;
    child.kill("SIGKILL");
  };
  const poll = setInterval(() => {
    const peak = child.pid === undefined ? undefined : peakMemoryMiB(child.pid);
    if (peak === undefined) return;
    peakMiB = Math.max(peakMiB, peak);
    if (peak > killAboveMiB) kill(`its peak memory passed ${killAboveMiB} MiB (${Math.round(peak)} MiB)`);
  }, 25);
  const timer = setTimeout(() => kill(`it ran for more than ${timeoutMs} ms`), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on("error", (error) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, stdout, stderr, peakMiB: Math.round(peakMiB), killed });
    });
  });
}
