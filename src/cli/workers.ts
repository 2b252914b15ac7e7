/**
 * `--workers N`: one server command run N times in one process, on threads that share
 * its port.
 *
 * The first worker runs on the main thread and binds first, so that it decides the port
 * (with `--port 0` too); the others run on threads of their own (src/cli/worker_thread.ts)
 * and bind the same port. The port is shared with `reusePort` (Linux `SO_REUSEPORT`):
 * the kernel spreads new connections over the listeners, so no thread forwards bytes for
 * another. Where a runtime cannot share a port (Deno without --unstable-net, Node before
 * 22.12) a command with more than one worker fails at once with the fix in one line.
 *
 * Only the main thread sees SIGINT and SIGTERM: it tells every thread to stop and waits
 * until each has finished gracefully, then hands the command each worker's summary in
 * worker order. Each worker keeps its own state (serve-api's store, the proxy's health
 * checks and limits): they share nothing but the port. A worker that fails stops them all.
 *
 * Jobs (`jobs: true`, the load generator of `bench http`) use the same threads for work
 * that ends by itself: no port is shared, every worker waits for the others to have
 * started (`allStarted`) so that all run over the same time, and one that finishes does
 * not stop the rest.
 *
 * @module
 */
import { adapter } from "../runtime/mod.ts";
import { type ChildThread, startThread } from "../runtime/threads.ts";
import { CommandError, type CommandIO, type FlagSpec, UsageError } from "./command.ts";

/** The most workers a command takes. */
export const MAX_WORKERS = 256;

/** The `--workers` flag, the same on every command that takes it. */
export const workersFlag: FlagSpec = {
  name: "workers",
  type: "string",
  default: "1",
  valueName: "N",
  description: `Serve on N threads sharing the port (1-${MAX_WORKERS}, or 'auto': one per CPU core)`,
};

/** The number of workers that `--workers` asks for (`"auto"`: one per CPU core). */
export function workerCount(value: string, command: string): number {
  if (value === "auto") return Math.max(1, navigator.hardwareConcurrency || 1);
  const count = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!(count >= 1 && count <= MAX_WORKERS)) {
    throw new UsageError(
      `--workers must be a whole number from 1 to ${MAX_WORKERS}, or 'auto': got '${value}'`,
      command,
    );
  }
  return count;
}

/** What one worker is told. */
export interface WorkerContext {
  /** The port to listen on: the one asked for by the first worker, the first worker's by the others. */
  port: number;
  /** Whether to share the port (only when there is more than one worker). */
  reusePort: boolean;
  /** This worker's number, from 1. */
  worker: number;
  /** How many workers there are. */
  workers: number;
  /** Aborted when the worker is to stop gracefully. */
  signal: AbortSignal;
  /** Settles once every worker has started (listens): where jobs start together. */
  allStarted: Promise<void>;
  /** Writes text to standard error. */
  log(text: string): void;
}

/** A worker that listens. */
export interface StartedWorker<Summary> {
  /** What the command prints after "listening on ". */
  address: string;
  /** The port it listens on. */
  port: number;
  /** Settles with what the command reports at the end, once the worker has stopped. */
  finished: Promise<Summary>;
}

/**
 * What each worker of a command runs. The plan and the summary cross threads, so they
 * must be structured-cloneable (no functions, no class instances).
 */
export interface WorkerService<Plan, Summary> {
  /**
   * Starts listening as `context` says. Throws a CommandError (or UsageError) with the
   * line to print when it cannot.
   */
  start(plan: Plan, context: WorkerContext): Promise<StartedWorker<Summary>>;
}

/** What a worker thread is started with (see ./worker_thread.ts). */
export interface ThreadData {
  /** The command whose service the thread runs. */
  command: string;
  plan: unknown;
  port: number;
  worker: number;
  workers: number;
}

/** The messages between the main thread and a worker thread. */
export type ToThread = { type: "stop" } | { type: "go" };
/** The messages a worker thread sends. */
export type FromThread =
  | { type: "listening"; port: number }
  | { type: "log"; text: string }
  | { type: "finished"; summary: unknown }
  | { type: "failed"; message: string };

/** Workers that listen. */
export interface WorkerGroup<Summary> {
  /** What to print after "listening on " (the first worker's address; they all share it). */
  address: string;
  /**
   * Settles once every worker has stopped, with their summaries in worker order; rejects
   * with a CommandError when one of them failed.
   */
  finished: Promise<Summary[]>;
}

/** What {@linkcode startWorkers} needs. */
export interface WorkersOptions<Plan, Summary> {
  /** The command's name, which the worker threads look its service up by. */
  command: string;
  /** How many workers (1: no threads, no port sharing: the command runs as it always did). */
  count: number;
  /** The port asked for. */
  port: number;
  plan: Plan;
  service: WorkerService<Plan, Summary>;
  io: CommandIO;
  /** Workers that each run a job to its end instead of serving a shared port (see the module's comment). @default false */
  jobs?: boolean;
}

/** The module a worker thread runs: the compiled one in the package, the source on Deno and Bun. */
const THREAD_MODULE = new URL(
  import.meta.url.endsWith(".ts") ? "./worker_thread.ts" : "./worker_thread.js",
  import.meta.url,
);

/**
 * Starts `count` workers of a command sharing one port and resolves once all listen.
 * They stop when `io.signal` aborts (or when one of them stops or fails).
 */
export async function startWorkers<Plan, Summary>(
  options: WorkersOptions<Plan, Summary>,
): Promise<WorkerGroup<Summary>> {
  const { command, count, plan, service, io } = options;
  const jobs = options.jobs ?? false;
  const log = (text: string) => void io.err(text);
  if (count === 1) {
    const only = await service.start(plan, {
      port: options.port,
      reusePort: false,
      worker: 1,
      workers: 1,
      signal: io.signal,
      allStarted: Promise.resolve(),
      log,
    });
    return { address: only.address, finished: only.finished.then((summary) => [summary]) };
  }
  const problem = jobs ? undefined : adapter.net.reusePortProblem();
  if (problem) {
    throw new CommandError(
      `--workers ${count} shares the port between threads, but ${problem}` +
        " (or run one process per port behind a load balancer: see docs/load_balancer.md)",
    );
  }
  const stop = new AbortController();
  const stopAll = () => stop.abort();
  io.signal.addEventListener("abort", stopAll, { once: true });
  if (io.signal.aborted) stopAll();
  let go!: () => void;
  const allStarted = new Promise<void>((resolve) => (go = resolve));
  const first = await service.start(plan, {
    port: options.port,
    reusePort: !jobs,
    worker: 1,
    workers: count,
    signal: stop.signal,
    allStarted,
    log,
  });
  // A server that stops, on its own or failing, stops the rest; a job only when it fails.
  const firstFinished = jobs
    ? first.finished.catch((error) => {
      stopAll();
      throw error;
    })
    : first.finished.finally(stopAll);
  const threads = Array.from({ length: count - 1 }, (_, i) =>
    new WorkerThread(
      { command, plan, port: first.port, worker: i + 2, workers: count },
      log,
      stop.signal,
    ));
  for (const thread of threads) thread.finished.catch(stopAll);
  const listening = await Promise.allSettled(threads.map((thread) => thread.listening));
  const all = Promise.allSettled([firstFinished, ...threads.map((thread) => thread.finished)]);
  const finished = all.then((results) => {
    io.signal.removeEventListener("abort", stopAll);
    const failed = results.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    return results.map((result) => (result as PromiseFulfilledResult<Summary>).value);
  });
  const notListening = listening.find((result) => result.status === "rejected");
  if (notListening) stopAll();
  // Go once every worker has started or failed: after a failure the jobs see the stop first and end at once.
  for (const thread of threads) thread.go();
  go();
  if (notListening) {
    await finished.catch(() => {});
    throw notListening.reason;
  }
  return { address: first.address, finished };
}

/** One worker on a thread of its own, as the main thread drives it. */
class WorkerThread {
  /** Tells the worker that every worker has started. */
  readonly go: () => void;
  /** Settles once the worker listens; rejects with a CommandError when it cannot. */
  readonly listening: Promise<void>;
  /** Settles with the worker's summary once it has stopped; rejects with a CommandError when it failed. */
  readonly finished: Promise<unknown>;

  constructor(data: ThreadData, log: (text: string) => void, stop: AbortSignal) {
    const name = `worker ${data.worker}`;
    let listened!: () => void;
    let done!: (summary: unknown) => void;
    let fail!: (error: CommandError) => void;
    const listening = new Promise<void>((resolve) => (listened = resolve));
    this.finished = new Promise<unknown>((resolve, reject) => {
      done = resolve;
      fail = reject;
    });
    this.listening = Promise.race([listening, this.finished.then(() => {})]);
    this.go = () => {};
    let thread: ChildThread;
    try {
      thread = startThread(THREAD_MODULE, data, (raw) => {
        const message = raw as FromThread;
        if (message.type === "log") log(message.text);
        else if (message.type === "listening") listened();
        else if (message.type === "finished") done(message.summary);
        else if (message.type === "failed") fail(new CommandError(`${name}: ${message.message}`));
      });
    } catch (error) {
      // Deno refuses at once a thread whose module it may not read.
      fail(new CommandError(`${name}: cannot start a thread: ${error instanceof Error ? error.message : error}`));
      return;
    }
    this.go = () => thread.post({ type: "go" } satisfies ToThread);
    const onStop = () => thread.post({ type: "stop" } satisfies ToThread);
    stop.addEventListener("abort", onStop, { once: true });
    if (stop.aborted) onStop();
    // A thread that ends before it reported its summary failed (an uncaught error, a
    // module it could not load); one that reported is ended here.
    void thread.ended.then((error) => {
      const reason = error instanceof Error ? error.message : error === undefined ? "ended early" : String(error);
      fail(new CommandError(`${name} stopped: ${reason}`));
    });
    void this.finished.then(() => thread.terminate(), () => thread.terminate()).finally(() =>
      stop.removeEventListener("abort", onStop)
    );
  }
}
