/**
 * Misbehaving peers written in python3 (test/_helpers/net_peers.py): clients that reset at
 * once, abandon or stall a TLS handshake, reject the server's certificate, forge a UDP
 * source address; and a TLS server that records the SNI name each client sends. Plus how
 * many files a process has open, from /proc, to see whether a server let go of a socket.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { root } from "./env.ts";

const SCRIPT = join(root, "test", "_helpers", "net_peers.py");

/** Runs one command of net_peers.py to its end; resolves to the JSON line it printed. */
export function runPeer(command: string, args: (string | number)[], timeoutMs = 60_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", ["-u", SCRIPT, command, ...args.map(String)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{") && !line.startsWith("[")) {
        reject(new Error(`net_peers.py ${command} ${args.join(" ")} failed (${code}): ${stdout}${stderr}`));
        return;
      }
      resolve(JSON.parse(line));
    });
  });
}

/** A running SNI-recording TLS server. */
export interface SniServer {
  port: number;
  /** The SNI name of each client hello so far (`null`: the client sent none). */
  names(): (string | null)[];
  stop(): Promise<void>;
}

/** Starts net_peers.py's TLS server with this certificate and key (PEM files). */
export function startSniServer(certPath: string, keyPath: string): Promise<SniServer> {
  const child: ChildProcess = spawn("python3", ["-u", SCRIPT, "sni-server", certPath, keyPath], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const names: (string | null)[] = [];
  let output = "";
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the SNI server did not start: ${output}`));
    }, 15_000);
    child.stderr!.setEncoding("utf8").on("data", (s: string) => (output += s));
    let pending = "";
    child.stdout!.setEncoding("utf8").on("data", (s: string) => {
      output += s;
      pending += s;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        const event = JSON.parse(line) as { port?: number; sni?: string | null };
        if (event.port !== undefined) {
          clearTimeout(timer);
          resolve({
            port: event.port,
            names: () => [...names],
            stop: async () => {
              child.kill("SIGKILL");
              await exited;
            },
          });
        } else {
          names.push(event.sni ?? null);
        }
      }
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Whether this process runs as root (raw sockets for forged datagrams need it). */
export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** How many files (sockets included) process `pid` has open, from /proc; undefined without /proc. */
export function openFiles(pid: number | undefined = process.pid): number | undefined {
  const dir = `/proc/${pid}/fd`;
  if (pid === undefined || !existsSync(dir)) return undefined;
  return readdirSync(dir).length;
}

/** Polls `check` every 50 ms until it is true or `timeoutMs` passed; returns its last answer. */
export async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
