import { classifyNetworkError } from "./_classify.ts";
import { NetworkError, TimeoutError, type TimeoutKind } from "./errors.ts";
import { joinSlot, type Slot, type SlotMember, unwatchSlot, watchSlot } from "./_timers.ts";
import {
  abortHookDispatcher,
  abortHookProven,
  type AbortRequest,
  type Dispatcher,
} from "../runtime/http/node_abort_hook.ts";

/**
 * One attempt's lifetime: a timer for whichever of `timeout` and the remaining `deadline`
 * ends first (shared with other requests ending at the same moment, see _timers.ts) and a
 * link to the caller's signal. The timer keeps running until the body has been read (or
 * cancelled), so a server that stalls mid-body is caught as surely as one that never
 * answers.
 *
 * Without a caller's signal the attempt uses its slot's shared signal as it is and needs
 * no cleanup; with one, it gets its own controller that both the caller and the slot
 * abort, and `finish()` unhooks it from both. On Node, where any signal costs fetch
 * several percent, an attempt without a caller's signal passes no signal at all: it
 * aborts through the request's own abort function (../runtime/http/node_abort_hook.ts),
 * and `guard()` rejects at the limit a request still connecting, before undici hands
 * that function over.
 */
export class Attempt implements SlotMember {
  readonly method: string;
  url: string;
  /** The signal for fetch and body reads; `undefined` when nothing can abort the attempt. */
  readonly signal: AbortSignal | undefined;
  /** On Node: the per-request dispatcher that hands over the abort function. */
  readonly dispatcher: Dispatcher | undefined;
  #abortRequest: AbortRequest | undefined;
  #rejectPending: ((reason: unknown) => void) | undefined;
  #watching = false;
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
      this.#watch();
      this.signal = own.signal;
      return;
    }
    this.signal = this.#slot?.controller.signal;
    if (this.#slot) {
      this.dispatcher = abortHookDispatcher((abort) => this.#abortable(abort));
      if (this.dispatcher) {
        this.#watch();
        // Until a dispatch has shown the hook works, the signal stays as well.
        if (abortHookProven()) this.signal = undefined;
      }
    }
  }

  /** The signal to give a fetch that cannot use the dispatcher: this attempt's, or the timer's. */
  get timerSignal(): AbortSignal | undefined {
    return this.signal ?? this.#slot?.controller.signal;
  }

  #watch(): void {
    if (this.#slot === undefined) return;
    watchSlot(this.#slot, this);
    this.#watching = true;
  }

  #abortable(abort: AbortRequest): void {
    // Handed over after the time ran out (the request was still connecting): abort now.
    if (this.#timedOut) abort(this.timeoutError());
    else this.#abortRequest = abort;
  }

  /**
   * The fetch promise as the caller should see it: when the attempt aborts through the
   * request's own abort function, a request that is still connecting cannot be aborted
   * yet, so the returned promise rejects at the limit by itself.
   */
  guard(pending: Promise<Response>): Promise<Response> {
    if (this.signal !== undefined || this.dispatcher === undefined) return pending;
    if (this.#timedOut) return Promise.reject(this.timeoutError());
    return new Promise((resolve, reject) => {
      this.#rejectPending = reject;
      pending.then(resolve, reject);
    });
  }

  /** Called by the shared timer when this attempt's time is up. */
  onTimeout(): void {
    this.#timedOut = true;
    const error = this.timeoutError();
    this.#own?.abort(error);
    this.#abortRequest?.(error);
    this.#rejectPending?.(error);
  }

  timeoutError(): TimeoutError {
    return new TimeoutError({ kind: this.#kind, ms: this.#limitMs, method: this.method, url: this.url });
  }

  /** Ends the attempt with `error` (a body over the limit); the caller also cancels the body. */
  abortWith(error: unknown): void {
    this.#failure ??= error;
    this.#own?.abort(error);
    this.#abortRequest?.(error as Error);
  }

  /** Unhooks the caller's signal and the slot (when they were hooked); safe to call more than once. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#watching) unwatchSlot(this.#slot!, this);
    if (this.#onCallerAbort) this.#callerSignal!.removeEventListener("abort", this.#onCallerAbort);
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
