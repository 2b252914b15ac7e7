/**
 * Pipelined requests on one `node:http` connection, answered one at a time.
 *
 * Node's parser hands over every request in what it read at once, and pauses the
 * connection only when answers already wait to be sent. With an asynchronous handler none
 * wait yet when the requests arrive, so a client that pipelines requests and never reads
 * the answers would have the server build every answer in memory, without end. Here a
 * request's handler runs only once the answer before it has been handed to the socket,
 * and the connection is not read while requests wait: what a connection holds is bounded
 * by one read's worth of requests and one answer. A connection that sends a request at a
 * time (the usual case) has nothing kept for it: Node's own record of the answer it is
 * writing tells whether another is in progress.
 *
 * @module
 */
import type * as http from "node:http";
import type { Duplex } from "node:stream";

/** Waiting requests at which the connection stops being read. */
const PAUSE_AT = 16;
/** Waiting requests below which a stopped connection is read again. */
const RESUME_BELOW = 4;

/** The parts of Node's server socket its own pipelining backpressure uses. */
type ServerSocket = Duplex & {
  /** Node's own "stop reading" flag: while set, nothing in `node:http` resumes the socket. */
  _paused?: boolean;
  parser?: { pause(): void; resume(): void } | null;
  /**
   * The answer Node lets write to the socket now, from the moment its request arrives
   * until it has been written; answers to later requests wait in Node's own queue (they
   * have no socket yet) until then.
   */
  _httpMessage?: http.ServerResponse | null;
};

class ConnectionPipeline {
  #socket: ServerSocket;
  #waiting: (() => void)[] = [];
  #busy = false;
  #holding = false;

  /** `current`: the answer in progress when the first request had to wait, if any. */
  constructor(socket: ServerSocket, current: http.ServerResponse | null | undefined) {
    this.#socket = socket;
    if (current) this.#track(current);
    // Node resumes the socket itself once its own queue of answers is short, not knowing
    // about the requests waiting here: stop it again.
    socket.on("resume", () => {
      if (this.#holding) this.#stopReading();
    });
    socket.once("close", () => (this.#waiting.length = 0));
  }

  /** Whether an answer is in progress (and so a parser error must not write another). */
  get busy(): boolean {
    return this.#busy;
  }

  add(res: http.ServerResponse, start: () => void): void {
    const run = () => {
      this.#track(res);
      start();
    };
    if (!this.#busy) {
      run();
      return;
    }
    this.#waiting.push(run);
    if (this.#waiting.length >= PAUSE_AT && !this.#holding) {
      this.#holding = true;
      this.#stopReading();
    }
  }

  /** Marks the connection busy until `res` is done. */
  #track(res: http.ServerResponse): void {
    this.#busy = true;
    res.once("close", () => {
      this.#busy = false;
      this.#next();
    });
  }

  #next(): void {
    if (this.#socket.destroyed) {
      this.#waiting.length = 0;
      return;
    }
    this.#waiting.shift()?.();
    if (this.#holding && this.#waiting.length < RESUME_BELOW) {
      this.#holding = false;
      // As Node resumes a socket it stopped: the parser (paused by Node after the read
      // that stopped it), then the socket.
      this.#socket._paused = false;
      this.#socket.parser?.resume();
      this.#socket.resume();
    }
  }

  /**
   * Stops reading as Node itself does: the flag keeps `node:http` from resuming the
   * socket, and Node pauses the parser once the read in progress is parsed.
   */
  #stopReading(): void {
    this.#socket._paused = true;
    this.#socket.pause();
  }
}

const pipelines = new WeakMap<Duplex, ConnectionPipeline>();

/**
 * Runs `start` (which answers the request `res` belongs to) now if nothing else on the
 * connection is being answered, or once the answers before it have been written.
 */
export function answerInTurn(socket: Duplex, res: http.ServerResponse, start: () => void): void {
  let pipeline = pipelines.get(socket);
  if (!pipeline) {
    const current = (socket as ServerSocket)._httpMessage;
    // Node gave this answer the socket, so no answer before it is still in progress: it
    // runs now, with nothing to keep track of (the common case, a request at a time).
    if (current === res) {
      start();
      return;
    }
    pipeline = new ConnectionPipeline(socket, current);
    pipelines.set(socket, pipeline);
  }
  pipeline.add(res, start);
}

/** Whether an answer is being written on `socket` (or requests wait for their turn). */
export function isAnswering(socket: Duplex): boolean {
  return (pipelines.get(socket)?.busy ?? false) || Boolean((socket as ServerSocket)._httpMessage);
}
