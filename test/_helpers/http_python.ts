/**
 * python3 servers for the HTTP tests: `python3 -m http.server` as it ships, and the small
 * http.server script in test/http/fixtures_py_server.py for special behaviours.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { onPath, root } from "./env.ts";

/** Whether python3 is available. */
export function hasPython(): boolean {
  return onPath("python3");
}

/** A running python3 server. */
export interface PythonServer {
  url: string;
  stop(): Promise<void>;
}

function start(args: string[], cwd: string, ready: RegExp): Promise<PythonServer> {
  const child: ChildProcess = spawn("python3", ["-u", ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`python3 ${args.join(" ")} did not start: ${output}`));
    }, 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: `http://127.0.0.1:${match[1]}`,
        stop: async () => {
          child.kill("SIGKILL");
          await exited;
        },
      });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Starts the fixture script (statuses, Retry-After, hang, stall, redirects, headers, big). */
export function startPythonFixture(): Promise<PythonServer> {
  return start([join(root, "test", "http", "fixtures_py_server.py")], root, /^port (\d+)$/m);
}

/** Starts `python3 -m http.server` serving `dir` on 127.0.0.1 port 0. */
export function startPythonStatic(dir: string): Promise<PythonServer> {
  return start(["-m", "http.server", "--bind", "127.0.0.1", "0"], dir, /port (\d+)/);
}

/**
 * Starts a python3 socket that listens with a backlog of 0 and never accepts: once a
 * connection or two wait in its queue, the kernel drops further SYNs, so a new
 * connection hangs while connecting.
 */
export function startPythonNoAccept(): Promise<PythonServer> {
  const script = "import socket, time\n" +
    "s = socket.socket()\n" +
    "s.bind(('127.0.0.1', 0))\n" +
    "s.listen(0)\n" +
    "print('port', s.getsockname()[1], flush=True)\n" +
    "time.sleep(120)\n";
  return start(["-c", script], root, /^port (\d+)$/m);
}
