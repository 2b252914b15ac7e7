/**
 * The module a `--workers` thread runs (see ./workers.ts): it starts the service of the
 * command it is given on the port it is given, reports when it listens, passes its log
 * lines on, stops gracefully when the main thread says so, and learns from it when every
 * worker has started.
 *
 * @module
 */
import { parentChannel } from "../runtime/threads.ts";
import type { FromThread, ThreadData, ToThread, WorkerService } from "./workers.ts";

/** The commands that run on workers, and how to load what each worker runs. */
const services: Record<string, () => Promise<WorkerService<unknown, unknown>>> = {
  "serve-api": async () => (await import("./commands/serve_api.ts")).serveApiWorker,
  "echo-server": async () => (await import("./commands/echo_server.ts")).echoServerWorker,
  "proxy": async () => (await import("./commands/proxy.ts")).proxyWorker,
  "bench http": async () => (await import("./commands/bench_http.ts")).benchHttpWorker,
};

const channel = parentChannel();
if (channel) {
  const data = channel.data as ThreadData;
  const post = (message: FromThread) => channel.post(message);
  const stop = new AbortController();
  let go!: () => void;
  const allStarted = new Promise<void>((resolve) => (go = resolve));
  channel.onMessage((message) => {
    const type = (message as ToThread).type;
    if (type === "stop") stop.abort();
    else if (type === "go") go();
  });
  try {
    const load = services[data.command];
    if (!load) throw new Error(`'${data.command}' does not run on workers`);
    const started = await (await load()).start(data.plan, {
      port: data.port,
      reusePort: true,
      worker: data.worker,
      workers: data.workers,
      signal: stop.signal,
      allStarted,
      log: (text) => post({ type: "log", text }),
    });
    post({ type: "listening", port: started.port });
    post({ type: "finished", summary: await started.finished });
  } catch (error) {
    post({ type: "failed", message: error instanceof Error ? error.message : String(error) });
  }
}
