import { classifyNetworkError } from "./_classify.ts";
import { NetworkError, TimeoutError } from "./errors.ts";
import { schedule } from "./_timers.ts";

/**
 * One attempt's lifetime: its own AbortController, one timer for whichever of `timeout`
 * and the remaining `deadline` ends first, and a link to the caller's signal. The timer
 * keeps running until the body has been read (or cancelled), so a server that stalls
 * mid-body is caught as surely as one that never answers.
 */
export class Attempt {
  readonly controller: AbortController = new AbortController();
  /** The attempt's signal, for fetch and for body reads. */
  readonly signal: AbortSignal = this.controller.signal;
  readonly method: string;
  url: string;
  #cancelTimer: (() => void) | undefined;
  #callerSignal: AbortSignal | undefined;
  #onCallerAbort: (() => void) | undefined;
  #finished = false;

  constructor(
    method: string,
    url: string,
    callerSignal: AbortSignal | undefined,
    timeoutMs: number,
    deadlineAt: number,
    deadlineMs: number,
  ) {
    this.method = method;
    this.url = url;
    const remaining = deadlineAt - Date.now();
    const limit = Math.min(timeoutMs, remaining);
    if (Number.isFinite(limit)) {
      const kind = timeoutMs <= remaining ? "timeout" : "deadline";
      this.#cancelTimer = schedule(Math.max(0, limit), () => {
        this.controller.abort(
          new TimeoutError({ kind, ms: kind === "timeout" ? timeoutMs : deadlineMs, method, url: this.url }),
        );
      });
    }
    if (callerSignal) {
      this.#callerSignal = callerSignal;
      this.#onCallerAbort = () => this.controller.abort(callerSignal.reason);
      callerSignal.addEventListener("abort", this.#onCallerAbort, { once: true });
    }
  }

  /** Stops the timer and unhooks the caller's signal; safe to call more than once. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#cancelTimer?.();
    if (this.#onCallerAbort) this.#callerSignal!.removeEventListener("abort", this.#onCallerAbort);
  }

  /**
   * Turns whatever fetch or a body read threw into the error the caller should see: our
   * own TimeoutError when the timer fired, the caller's abort reason when they cancelled,
   * our own errors as they are, and a NetworkError naming the real reason otherwise.
   */
  mapError(error: unknown, phase: "send" | "body"): unknown {
    if (this.controller.signal.aborted) return this.controller.signal.reason;
    const name = (error as { name?: unknown } | null)?.name;
    if (
      name === "HttpError" || name === "TimeoutError" || name === "NetworkError" || name === "BodyTooLargeError" ||
      name === "RedirectError"
    ) {
      return error;
    }
    const { reason, detail } = classifyNetworkError(error, phase === "body" ? "body" : "other");
    return new NetworkError({ reason, detail, method: this.method, url: this.url }, { cause: error });
  }
}
