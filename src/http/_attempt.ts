import { classifyNetworkError } from "./_classify.ts";
import { NetworkError, TimeoutError, type TimeoutKind } from "./errors.ts";
import { joinSlot, type Slot, type SlotMember, unwatchSlot, watchSlot } from "./_timers.ts";

/**
 * One attempt's lifetime: a timer for whichever of `timeout` and the remaining `deadline`
 * ends first (shared with other requests ending at the same moment, see _timers.ts) and a
 * link to the caller's signal. The timer keeps running until the body has been read (or
 * cancelled), so a server that stalls mid-body is caught as surely as one that never
 * answers.
 *
 * Without a caller's signal the attempt uses its slot's shared signal as it is and needs
 * no cleanup; with one, it gets its own controller that both the caller and the slot
 * abort, and `finish()` unhooks it from both.
 */
export class Attempt implements SlotMember {
  readonly method: string;
  url: string;
  /** The signal for fetch and body reads; `undefined` when nothing can abort the attempt. */
  readonly signal: AbortSignal | undefined;
  #own: AbortController | undefined;
  #slot: Slot | undefined;
  #kind: TimeoutKind = "timeout";
  #limitMs = 0;
  #timedOut = false;
  #failure: unknown;
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
    const remaining = deadlineAt === Infinity ? Infinity : deadlineAt - Date.now();
    const limit = Math.min(timeoutMs, remaining);
    if (limit !== Infinity) {
      this.#kind = timeoutMs <= remaining ? "timeout" : "deadline";
      this.#limitMs = this.#kind === "timeout" ? timeoutMs : deadlineMs;
      this.#slot = joinSlot(Math.max(0, limit));
    }
    if (callerSignal) {
      // The caller's signal is the caller's: this attempt gets its own controller that
      // both the caller and the timer can abort.
      const own = (this.#own = new AbortController());
      this.#callerSignal = callerSignal;
      this.#onCallerAbort = () => own.abort(callerSignal.reason);
      callerSignal.addEventListener("abort", this.#onCallerAbort, { once: true });
      if (this.#slot) watchSlot(this.#slot, this);
      this.signal = own.signal;
    } else {
      this.signal = this.#slot?.controller.signal;
    }
  }

  /** Called by the shared timer when this attempt's time is up. */
  onTimeout(): void {
    this.#timedOut = true;
    this.#own?.abort(this.timeoutError());
  }

  timeoutError(): TimeoutError {
    return new TimeoutError({ kind: this.#kind, ms: this.#limitMs, method: this.method, url: this.url });
  }

  /** Ends the attempt with `error` (a body over the limit); the caller also cancels the body. */
  abortWith(error: unknown): void {
    this.#failure ??= error;
    this.#own?.abort(error);
  }

  /** Unhooks the caller's signal and the slot (when there is a caller's signal); safe to call more than once. */
  finish(): void {
    if (this.#finished || this.#own === undefined) return;
    this.#finished = true;
    if (this.#slot) unwatchSlot(this.#slot, this);
    this.#callerSignal!.removeEventListener("abort", this.#onCallerAbort!);
  }

  /**
   * Turns whatever fetch or a body read threw into the error the caller should see: our
   * own error when we ended the attempt, a TimeoutError when time ran out, the caller's
   * abort reason when they cancelled, our own errors as they are, and a NetworkError
   * naming the real reason otherwise.
   */
  mapError(error: unknown, phase: "send" | "body"): unknown {
    if (this.#failure !== undefined) return this.#failure;
    // Without its own controller the attempt was never told: its slot firing is the sign.
    if (this.#timedOut || this.#slot?.fired) return this.timeoutError();
    if (this.#own?.signal.aborted) return this.#own.signal.reason;
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
