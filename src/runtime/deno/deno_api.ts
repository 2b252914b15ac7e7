/**
 * The part of Deno's API that the Deno adapter uses, in one place: sockets
 * (`Deno.listen`, `Deno.connect`, `Deno.startTls`, `Deno.listenTls`), the server
 * (`Deno.serve`), permissions, the HTTP client for extra CAs, unreferenced timers, and
 * the process and files (deno/process_host.ts, deno/files.ts: Deno's own API rather than
 * its `process` and `node:fs`, whose Node compatibility layer takes about 50 ms to start).
 *
 * Node's TypeScript compiles these files too (every adapter is part of the one package)
 * and has no `Deno` namespace, so the adapter is written against this subset, and
 * `npm run check` proves the subset against Deno's own declarations (`deno check
 * typecheck/deno_api.ts`, with deno.json's `deno.window` lib): when Deno changes one of
 * these APIs, the check fails. Only `serveHttpOnConnection`, which Deno does not declare
 * (it is internal), cannot be checked that way; deno/serve.ts falls back to `Deno.serve`
 * when it is missing.
 *
 * Functions are declared as properties, not methods, so that the check compares their
 * parameters strictly (TypeScript compares method parameters both ways); `startTls` is
 * a method because it takes back a connection Deno made, which has more than the subset.
 *
 * @module
 */

/** A TCP address as Deno reports it. */
export interface DenoNetAddr {
  hostname: string;
  port: number;
}

/** A TCP or TLS connection (`Deno.TcpConn`, `Deno.TlsConn`). */
export interface DenoConn {
  readonly localAddr: DenoNetAddr;
  readonly remoteAddr: DenoNetAddr;
  read: (buffer: Uint8Array) => Promise<number | null>;
  write: (data: Uint8Array) => Promise<number>;
  closeWrite: () => Promise<void>;
  close: () => void;
  /** TCP connections only. */
  setNoDelay?: (noDelay?: boolean) => void;
  /** TCP connections only. */
  setKeepAlive?: (keepAlive?: boolean) => void;
  /** TLS connections only. */
  handshake?: () => Promise<{ alpnProtocol: string | null }>;
}

/** A listener (`Deno.TcpListener`, `Deno.TlsListener`). */
export interface DenoListener {
  readonly addr: DenoNetAddr;
  accept: () => Promise<DenoConn>;
  close: () => void;
}

/** What a `Deno.serve` handler gets besides the request. */
export interface DenoHandlerInfo {
  remoteAddr: DenoNetAddr;
  /** Settles once the response has been sent (rejects when it could not be). */
  completed: Promise<void>;
}

/** A `Deno.serve` handler. */
export type DenoHandler = (request: Request, info: DenoHandlerInfo) => Response | Promise<Response>;

/** A running `Deno.serve` server. */
export interface DenoHttpServer {
  readonly addr: DenoNetAddr;
  shutdown: () => Promise<void>;
  readonly finished: Promise<void>;
}

/** The permissions the adapter asks Deno about. */
export type DenoPermissionDescriptor =
  | { name: "net" | "read" | "write" | "env" | "run" | "sys" | "ffi" }
  | { name: "net"; host: string }
  | { name: "write"; path: string }
  | { name: "sys"; kind: "networkInterfaces" }
  | { name: "env"; variable: string };

/** A file Deno opened (`Deno.FsFile`). */
export interface DenoFile {
  /** @returns The bytes read, or null at the end of the file. */
  read: (into: Uint8Array) => Promise<number | null>;
  readSync: (into: Uint8Array) => number | null;
  /** @returns The bytes written, maybe fewer than given. */
  write: (data: Uint8Array) => Promise<number>;
  stat: () => Promise<{ isFile: boolean }>;
  close: () => void;
}

/** How `Deno.open` opens a file. */
export interface DenoOpenOptions {
  read?: boolean;
  write?: boolean;
  append?: boolean;
  truncate?: boolean;
  create?: boolean;
  createNew?: boolean;
}

/** Standard output or error (`Deno.stdout`, `Deno.stderr`). */
export interface DenoWriter {
  /** @returns The bytes written, maybe fewer than given. */
  writeSync: (data: Uint8Array) => number;
  write: (data: Uint8Array) => Promise<number>;
  isTerminal: () => boolean;
}

/** The `Deno` global, as far as the adapter uses it. */
export interface DenoApi {
  listen: (options: { hostname: string; port: number; transport?: "tcp"; reusePort?: boolean }) => DenoListener;
  listenTls: (
    options: {
      hostname: string;
      port: number;
      cert: string;
      key: string;
      alpnProtocols: string[];
      reusePort?: boolean;
    },
  ) => DenoListener;
  connect: (options: { hostname: string; port: number; transport?: "tcp"; signal?: AbortSignal }) => Promise<DenoConn>;
  startTls(
    conn: DenoConn,
    options: { hostname: string; caCerts?: string[]; alpnProtocols?: string[] },
  ): Promise<DenoConn>;
  serve: (
    options: { hostname: string; port: number; cert?: string; key?: string; onListen: (addr: DenoNetAddr) => void },
    handler: DenoHandler,
  ) => DenoHttpServer;
  /** Present only with `--unstable-net`, which `reusePort` needs too. */
  listenDatagram?: unknown;
  permissions: {
    querySync: (descriptor: DenoPermissionDescriptor) => { state: "granted" | "denied" | "prompt" };
    requestSync: (descriptor: DenoPermissionDescriptor) => { state: "granted" | "denied" | "prompt" };
  };
  createHttpClient: (options: {
    caCerts?: string[];
    proxy?: { url: string; basicAuth?: { username: string; password: string } };
  }) => { close(): void };
  env: {
    get: (name: string) => string | undefined;
    set: (name: string, value: string) => void;
    delete: (name: string) => void;
  };
  /** The URL of the module `deno run` started. */
  readonly mainModule: string;
  /** The program's arguments (after the module). */
  readonly args: readonly string[];
  unrefTimer: (id: number) => void;
  /** The operating system (`"linux"`, `"windows"` …) and CPU (`"x86_64"`, `"aarch64"`). */
  readonly build: { readonly os: string; readonly arch: string };
  readonly stdout: DenoWriter;
  readonly stderr: DenoWriter;
  addSignalListener: (signal: "SIGINT" | "SIGTERM", handler: () => void) => void;
  removeSignalListener: (signal: "SIGINT" | "SIGTERM", handler: () => void) => void;
  exit: (code?: number) => never;
  open: (path: string, options?: DenoOpenOptions) => Promise<DenoFile>;
  stat: (path: string) => Promise<{ isDirectory: boolean; size: number }>;
  remove: (path: string) => Promise<void>;
  readTextFile: (path: string) => Promise<string>;
  writeTextFile: (path: string, text: string) => Promise<void>;
  errors: { BadResource: new (...args: never[]) => Error; Interrupted: new (...args: never[]) => Error };
}

/** The `Deno` global; only called on Deno. */
export function deno(): DenoApi {
  return (globalThis as unknown as { Deno: DenoApi }).Deno;
}
