/**
 * The echo servers the benchmark compares, and starting and stopping them.
 *
 * Every server prints `listening on HOST:PORT` on stdout once it accepts, is started with
 * `--port 0` on 127.0.0.1, and runs until it is sent SIGTERM.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launcher } from "./client.ts";
import { benchNode } from "../_node.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");

/** A JavaScript runtime under test. */
export type Runtime = "node" | "deno" | "bun";

/** Every runtime, in report order. */
export const runtimes: readonly Runtime[] = ["node", "deno", "bun"];

/** Which implementation a server is. */
export type ServerKind = "anynet" | "native" | "c";

/** How to start one echo server. */
export interface ServerSpec {
  kind: ServerKind;
  /** The runtime, or "c" for the C epoll server. */
  runtime: Runtime | "c";
  /** The program and its arguments, without the port. */
  command: string[];
}

function devBin(name: string): string {
  return join(root, "node_modules", ".bin", name);
}

/** The command that starts a `.ts` or `.js` program on a runtime. */
function runOn(runtime: Runtime, program: string): string[] {
  switch (runtime) {
    case "node":
      return [benchNode.command, program];
    case "deno":
      return [devBin("deno"), "run", "-A", "--no-lock", program];
    case "bun":
      return [devBin("bun"), program];
  }
}

/**
 * The anynet echo server on a runtime, as a user runs the CLI: `node dist/cli.js`,
 * `deno run -A src/cli.ts`, `bun src/cli.ts`.
 */
export function anynetServer(runtime: Runtime, extraArgs: string[] = []): ServerSpec {
  const cli = runtime === "node" ? join(root, "dist", "cli.js") : join(root, "src", "cli.ts");
  return {
    kind: "anynet",
    runtime,
    command: [...runOn(runtime, cli), "echo-server", "--host", "127.0.0.1", ...extraArgs],
  };
}

/** The smallest native echo server of a runtime (native_node.mjs, native_deno.ts, native_bun.ts). */
export function nativeServer(runtime: Runtime): ServerSpec {
  const file = runtime === "node" ? "native_node.mjs" : `native_${runtime}.ts`;
  return { kind: "native", runtime, command: [...runOn(runtime, join(here, file)), "--host", "127.0.0.1"] };
}

/** The C epoll echo server, compiled by compileCPrograms(). */
export function cServer(path: string): ServerSpec {
  return { kind: "c", runtime: "c", command: [path, "--host", "127.0.0.1"] };
}

/** Servers started and not yet stopped, so that an interrupted run can stop them. */
const running = new Set<RunningServer>();

/** Stops every server still running (for an interrupted run). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

/** A started server. */
export interface RunningServer {
  spec: ServerSpec;
  port: number;
  /** The server's own PID (the launcher execs into it). */
  pid: number;
  /** The last few KiB of its stderr. */
  stderr(): string;
  /** Stops it: SIGTERM, then SIGKILL after a few seconds. */
  stop(): Promise<void>;
}

/** Keeps reading a stream so the child never blocks on a full pipe; remembers the tail. */
function drain(stream: ReadableStream<Uint8Array>, tail: { text: string }, onText?: (text: string) => boolean) {
  const decoder = new TextDecoder();
  let watching = onText !== undefined;
  return (async () => {
    for await (const chunk of stream) {
      tail.text = (tail.text + decoder.decode(chunk, { stream: true })).slice(-4096);
      if (watching && onText!(tail.text)) watching = false;
    }
  })().catch(() => {});
}

/**
 * Starts a server on 127.0.0.1 port 0 and waits for its `listening on` line.
 *
 * @param spec what to start
 * @param core the CPU core to pin it to, or undefined
 * @param timeoutSeconds how long it may take to start
 * @returns the running server
 * @throws Error if it exits or stays silent, with its stderr
 */
export async function startServer(
  spec: ServerSpec,
  core: number | undefined,
  timeoutSeconds = 30,
): Promise<RunningServer> {
  const [command, ...prefix] = launcher(core);
  const child = new Deno.Command(command, {
    args: [...prefix, ...spec.command, "--port", "0"],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const out = { text: "" }, err = { text: "" };
  let found: (port: number) => void;
  const listening = new Promise<number>((resolve) => (found = resolve));
  const stdoutDone = drain(child.stdout, out, (text) => {
    const match = /listening on [^\s]+:(\d+)/.exec(text);
    if (match) found(Number(match[1]));
    return match !== null;
  });
  const stderrDone = drain(child.stderr, err);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    listening.then((port) => ({ port })),
    child.status.then((status) => ({ exited: status.code })),
    new Promise<{ timedOut: true }>((
      resolve,
    ) => (timer = setTimeout(() => resolve({ timedOut: true }), timeoutSeconds * 1000))),
  ]);
  clearTimeout(timer);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    const killer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, 3000);
    await child.status;
    clearTimeout(killer);
    await Promise.all([stdoutDone, stderrDone]);
  };
  if (!("port" in outcome)) {
    await stop();
    const why = "exited" in outcome
      ? `exited with code ${outcome.exited}`
      : `printed no 'listening on' line in ${timeoutSeconds} s`;
    const detail = (err.text || out.text).trim().split("\n").filter((line) => line.trim()).slice(0, 3).join(" | ");
    throw new Error(`${describe(spec)} ${why}${detail ? `: ${detail}` : ""}`);
  }
  const server: RunningServer = {
    spec,
    port: outcome.port,
    pid: child.pid,
    stderr: () => err.text,
    stop: async () => {
      running.delete(server);
      await stop();
    },
  };
  running.add(server);
  return server;
}

/** A short name for a server, such as "anynet on deno" or "C epoll". */
export function describe(spec: ServerSpec): string {
  return spec.kind === "c" ? "C epoll server" : `${spec.kind} echo server on ${spec.runtime}`;
}
