/**
 * Threads that run a module of their own and talk to their parent by messages.
 *
 * `node:worker_threads` behaves the same on Node, Deno and Bun for what is used here
 * (start a module with data, post structured-cloneable messages both ways, terminate), so
 * this one file serves all three runtimes. A thread inherits its parent's permissions on
 * Deno, which asks for read access to the thread's module file, as for any file loaded
 * after start-up. Signals reach only the main thread: a thread stops when told to.
 *
 * @module
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

/** A thread as its parent sees it. */
export interface ChildThread {
  /** Sends a message to the thread (structured-cloneable). */
  post(message: unknown): void;
  /** Ends the thread at once, whatever it is doing. */
  terminate(): Promise<void>;
  /**
   * Settles when the thread has ended: with the error that ended it (an exception it did
   * not catch, a module it could not load), or undefined when it ended by itself or by
   * `terminate()`.
   */
  readonly ended: Promise<unknown>;
}

/**
 * Starts a thread running the module at `url`, which reads `data` with
 * {@linkcode parentChannel}; `onMessage` gets what it posts.
 */
export function startThread(url: URL, data: unknown, onMessage: (message: unknown) => void): ChildThread {
  const worker = new Worker(url, { workerData: data });
  worker.on("message", onMessage);
  const ended = new Promise<unknown>((resolve) => {
    let failure: unknown;
    worker.on("error", (error) => (failure = error));
    worker.on("exit", () => resolve(failure));
  });
  return {
    post: (message) => worker.postMessage(message),
    terminate: async () => {
      await worker.terminate();
    },
    ended,
  };
}

/** The link of a thread to its parent, as the thread sees it. */
export interface ParentChannel {
  /** What the parent passed to {@linkcode startThread}. */
  readonly data: unknown;
  /** Sends a message to the parent. */
  post(message: unknown): void;
  /** Calls `listener` with each message from the parent. */
  onMessage(listener: (message: unknown) => void): void;
}

/** The parent link of this thread, or undefined in the main thread. */
export function parentChannel(): ParentChannel | undefined {
  if (isMainThread || parentPort === null) return undefined;
  const port = parentPort;
  return {
    data: workerData,
    post: (message) => port.postMessage(message),
    onMessage: (listener) => port.on("message", listener),
  };
}
