import { networkFailure } from "./_network_failure.ts";
import type { Transfer } from "./_progress.ts";
import { NetworkError, TimeoutError, type TimeoutKind } from "./errors.ts";
import { joinSlot, type Slot, type SlotMember, unwatchSlot, watchSlot } from "./_timers.ts";
import { adapter, type FetchAbortHandle, type TransportCall } from "../runtime/mod.ts";

/**
 * What only an attempt that must be told of its timeout carries (one with the caller's
 * signal, or one aborted through the runtime's signal-free abort): most attempts have
 * none of it, and every field an attempt has is paid for on every request.
 */
interface Watch {
  /** The attempt's own controller, when the caller gave a signal. */
  own: AbortController | undefined;
  callerSignal: AbortSignal | undefined;
  onCallerAbort: (() => void) | undefined;
  finished: boolean;
}

/** The adapter's signal-free abort, looked up once: absent on runtimes where a signal is cheap. */
const abortWithoutSignal = adapter.http.abortWithoutSignal;

/**
 * One attempt's lifetime: a timer for whichever of `timeout` and the remaining `deadline`
 * ends first (shared with other requests ending at the same moment, see _timers.ts) and a
 * link to the caller's signal. The timer keeps running until the body has been read (or
 * cancelled), so a server that stalls mid-body is caught as surely as one that never
 * answers.
 *
 * Without a caller's signal the attempt uses its slot's shared signal as it is and needs
 * no cleanup; with one, it gets its own controller that both the caller and the slot
 * abort, and `finish()` unhooks it from both. Where the runtime's adapter can abort a
 * fetch without a signal (Node, where any signal costs fetch several percent), an
 * attempt without a caller's signal passes no signal at all: it aborts through the
 * adapter's handle, whose `guard()` rejects at the limit a request still connecting.
 * A request through the runtime's own transport takes no signal either: the attempt ends
 * it through its call (`bind()`).
 */
export class Attempt implements SlotMember {
  readonly method: string;
  url: string;
  /** The signal for fetch and body reads; `undefined` when nothing can abort the attempt. */
  readonly signal: AbortSignal | undefined;
  /** Aborts the fetch without a signal, where the runtime offers that; see `attachTo()`. */
  readonly #abortHandle: FetchAbortHandle | undefined;
  /** The request under way on the runtime's transport, ended through it. */
  #call: TransportCall | undefined;
  #slot: Slot | undefined;
  #kind: TimeoutKind;
  #limitMs: number;
  #timedOut: boolean;
  #failure: unknown;
  #watch: Watch | undefined;
  /** The current hop on the wire: its clock and progress (_progress.ts); set by fetchHop(). */
  transfer: Transfer | undefined;

  constructor(
    method: string,
    url: string,
    callerSignal: AbortSignal | undefined,
    timeoutMs: number,
    deadlineAt: number,
    deadlineMs: number,
    viaTransport: boolean,
  ) {
    // Every field is set here rather than by initializers, in one order, so that all
    // attempts share one shape.
    this.method = method;
    this.url = url;
    this.signal = undefined;
    this.#abortHandle = undefined;
    this.#call = undefined;
    this.#slot = undefined;
    this.#kind = "timeout";
    this.#limitMs = 0;
    this.#timedOut = false;
    this.#failure = undefined;
    this.#watch = undefined;
    this.transfer = undefined;
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
      const own = new AbortController();
      const onCallerAbort = () => {
        own.abort(callerSignal.reason);
        this.#call?.abort(callerSignal.reason);
      };
      callerSignal.addEventListener("abort", onCallerAbort, { once: true });
      this.#watchSlot(own, callerSignal, onCallerAbort);
      this.signal = own.signal;
      return;
    }
    const slot = this.#slot;
    if (slot === undefined) return;
    if (viaTransport) {
      this.#watchSlot(undefined, undefined, undefined);
      return;
    }
    this.signal = slot.controller.signal;
    const abortHandle = abortWithoutSignal?.();
    if (abortHandle !== undefined) {
      this.#abortHandle = abortHandle;
      this.#watchSlot(undefined, undefined, undefined);
      // Until a fetch has shown the handle works, the signal stays as well.
      if (abortHandle.proven) this.signal = undefined;
    }
  }

  /** Gives `init` what lets this attempt abort the fetch without a signal, where it can. */
  attachTo(init: RequestInit): void {
    this.#abortHandle?.attach(init);
  }

  /** Lets this attempt end `call` (a request on the runtime's transport): at its limit, or now when it has ended already. */
  bind(call: TransportCall): void {
    this.#call = call;
    if (this.stopped) call.abort(this.mapError(undefined, "send"));
  }

  /** The signal to give a fetch that cannot use the abort handle: this attempt's, or the timer's. */
  get timerSignal(): AbortSignal | undefined {
    return this.signal ?? this.#slot?.controller.signal;
  }

  #watchSlot(
    own: AbortController | undefined,
    callerSignal: AbortSignal | undefined,
    onCallerAbort: (() => void) | undefined,
  ): void {
    this.#watch = { own, callerSignal, onCallerAbort, finished: false };
    if (this.#slot !== undefined) watchSlot(this.#slot, this);
  }

  /**
   * The fetch promise as the caller should see it: when the attempt aborts through the
   * adapter's handle, a request that is still connecting may not be abortable yet, so the
   * returned promise rejects at the limit by itself.
   */
  guard(pending: Promise<Response>): Promise<Response> {
    if (this.signal !== undefined || this.#abortHandle === undefined) return pending;
    return this.#abortHandle.guard(pending);
  }

  /** Called by the shared timer when this attempt's time is up. */
  onTimeout(): void {
    this.#timedOut = true;
    const watch = this.#watch;
    if (watch === undefined) return;
    const error = this.timeoutError();
    watch.own?.abort(error);
    this.#abortHandle?.abort(error);
    this.#call?.abort(error);
  }

  timeoutError(): TimeoutError {
    return new TimeoutError({ kind: this.#kind, ms: this.#limitMs, method: this.method, url: this.url });
  }

  /** Ends the attempt with `error` (a body over the limit); the caller also cancels the body. */
  abortWith(error: unknown): void {
    this.#failure ??= error;
    this.#watch?.own?.abort(error);
    this.#abortHandle?.abort(error as Error);
    this.#call?.abort(error);
  }

  /**
   * Whether the attempt has ended before its body was read: its time ran out, the caller
   * aborted, or a body passed its limit. A body reader checks this between chunks, since
   * a runtime that decodes faster than the network delivers may resolve one read after
   * another without ever letting the abort reach the body stream.
   */
  get stopped(): boolean {
    return this.#failure !== undefined || this.#timedOut || this.#slot?.fired === true ||
      this.#watch?.own?.signal.aborted === true;
  }

  /** Unhooks the caller's signal and the slot (when they were hooked); safe to call more than once. */
  finish(): void {
    this.transfer?.over();
    const watch = this.#watch;
    if (watch === undefined || watch.finished) return;
    watch.finished = true;
    if (this.#slot !== undefined) unwatchSlot(this.#slot, this);
    if (watch.onCallerAbort) watch.callerSignal!.removeEventListener("abort", watch.onCallerAbort);
  }

  /**
   * `read` (a body read) as the caller should see it: its errors mapped, and the attempt
   * finished when it ends. An attempt nothing has to be unhooked from costs one handler.
   */
  readBody<T>(read: Promise<T>): Promise<T> {
    if (this.#watch === undefined) {
      return read.then((value) => {
        this.transfer?.over();
        return value;
      }, (error) => {
        this.transfer?.over();
        throw this.mapError(error, "body");
      });
    }
    return read.then(
      (value) => {
        this.finish();
        return value;
      },
      (error) => {
        this.finish();
        throw this.mapError(error, "body");
      },
    );
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
    const own = this.#watch?.own;
    if (own?.signal.aborted) return own.signal.reason;
    const name = (error as { name?: unknown } | null)?.name;
    if (
      name === "HttpError" || name === "TimeoutError" || name === "NetworkError" || name === "BodyTooLargeError" ||
      name === "RedirectError"
    ) {
      return error;
    }
    const { reason, detail } = networkFailure(error, phase, this.url);
    return new NetworkError({ reason, detail, method: this.method, url: this.url }, { cause: error });
  }
}
