import { test } from "uvu";
import * as assert from "uvu/assert";
import { importPrivate } from "./_helpers/private_module.ts";

type ServiceSpec<T> = import("../src/_service.ts").ServiceSpec<T>;
const loading = importPrivate<typeof import("../src/_service.ts")>("_service");

/** Work arriving one piece at a time, as a listener hands out connections: `null` once closed. */
class Source<T> {
  #items: T[] = [];
  #waiting: ((item: T | null) => void) | undefined;
  closed = false;
  accepted = 0;

  push(item: T): void {
    if (this.#waiting) {
      const deliver = this.#waiting;
      this.#waiting = undefined;
      deliver(item);
    } else this.#items.push(item);
  }

  close(): void {
    this.closed = true;
    this.#waiting?.(null);
    this.#waiting = undefined;
  }

  accept = (): Promise<T | null> => {
    if (this.#items.length > 0) {
      this.accepted++;
      return Promise.resolve(this.#items.shift()!);
    }
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#waiting = (item) => {
        if (item !== null) this.accepted++;
        resolve(item);
      };
    });
  };
}

/** A handler that runs until `end()` is called. */
function job(): { promise: Promise<void>; end: () => void; ended: boolean } {
  let end!: () => void;
  const promise = new Promise<void>((resolve) => (end = resolve));
  const j = { promise, end: () => (j.ended = true, end()), ended: false };
  return j;
}

const tick = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms));

test("Service serves work at once and finishes when its source ends and every handler is done", async () => {
  const { Service } = await loading;
  const source = new Source<string>();
  const jobs = new Map<string, ReturnType<typeof job>>();
  const log: string[] = [];
  const service = new Service<string>({
    accept: source.accept,
    serve(name) {
      const j = job();
      jobs.set(name, j);
      return j.promise;
    },
    onStop: () => log.push("stop"),
    endRemaining: () => log.push("endRemaining"),
    onFinished: () => log.push("finished"),
  });
  let finished = false;
  service.finished.then(() => (finished = true));
  source.push("a");
  source.push("b");
  await tick();
  assert.equal([...jobs.keys()], ["a", "b"], "both served at once");
  source.close();
  jobs.get("a")!.end();
  await tick();
  assert.is(finished, false, "b still runs");
  jobs.get("b")!.end();
  await service.finished;
  assert.equal(log, ["endRemaining", "finished"], "no stop was asked for");
});

test("Service stop() drains: no new work, handlers finish within the grace period, then endRemaining", async () => {
  const { Service } = await loading;
  const source = new Source<number>();
  const running = job();
  const log: string[] = [];
  const service = new Service<number>({
    accept: source.accept,
    serve: () => running.promise,
    discard: (n) => log.push(`discard ${n}`),
    onStop() {
      log.push("stop");
      source.close();
    },
    gracePeriod: 10_000,
    endRemaining: () => log.push(`endRemaining (handler ended: ${running.ended})`),
    onFinished: () => log.push("finished"),
  });
  const handle = service.handle(service.finished.then(() => "result"));
  source.push(1);
  await tick();
  const closing = handle.close();
  assert.is(service.stopping, true);
  assert.is(service.stopSignal.aborted, true);
  service.stop(); // a second stop changes nothing
  await tick();
  assert.equal(log, ["stop"]);
  running.end();
  assert.is(await closing, "result");
  assert.equal(log, ["stop", "endRemaining (handler ended: true)", "finished"]);
});

test("Service ends the handlers still running once the grace period is over", async () => {
  const { Service } = await loading;
  const source = new Source<number>();
  const running = job();
  const log: string[] = [];
  const service = new Service<number>({
    accept: source.accept,
    serve: () => running.promise,
    onStop: () => source.close(),
    gracePeriod: 50,
    endRemaining() {
      log.push(`endRemaining (handler ended: ${running.ended})`);
      running.end();
    },
    onFinished: () => log.push("finished"),
  });
  source.push(1);
  await tick();
  const started = performance.now();
  service.stop();
  await service.finished;
  const ms = performance.now() - started;
  assert.equal(log, ["endRemaining (handler ended: false)", "finished"]);
  assert.ok(ms >= 40, `the grace period lasted only ${ms} ms`);
});

test("Service gives up a handler that does not end after endRemaining, so a stop always ends", async () => {
  const { Service } = await loading;
  const source = new Source<number>();
  // Never ended: handlers waiting on something that will not come.
  const stuck: ReturnType<typeof job>[] = [];
  const log: string[] = [];
  const service = new Service<number>({
    accept: source.accept,
    serve: () => {
      stuck.push(job());
      return stuck.at(-1)!.promise;
    },
    onStop: () => source.close(),
    gracePeriod: 20,
    endRemaining: () => log.push("endRemaining"),
    abandonAfter: 30,
    onAbandoned: (count) => log.push(`abandoned ${count}`),
    onFinished: () => log.push("finished"),
  });
  source.push(1);
  source.push(2);
  await tick();
  service.stop();
  await service.finished;
  assert.equal(log, ["endRemaining", "abandoned 2", "finished"]);
  assert.equal(stuck.map((j) => j.ended), [false, false]);
});

test("Service stops when its signal aborts, before or after it starts", async () => {
  const { Service } = await loading;
  for (const when of ["before", "after"]) {
    const controller = new AbortController();
    if (when === "before") controller.abort();
    const source = new Source<number>();
    let stops = 0;
    const service = new Service<number>({
      accept: source.accept,
      serve: () => undefined,
      onStop() {
        stops++;
        source.close();
      },
      signal: controller.signal,
    });
    if (when === "after") {
      await tick();
      assert.is(service.stopping, false);
      controller.abort();
    }
    await service.finished;
    assert.is(stops, 1, when);
    assert.is(service.stopping, true, when);
  }
});

test("Service with oneAtATime takes the next piece of work only once the handler before has ended", async () => {
  const { Service } = await loading;
  const source = new Source<number>();
  const jobs: ReturnType<typeof job>[] = [];
  const service = new Service<number>({
    accept: source.accept,
    serve() {
      const j = job();
      jobs.push(j);
      return j.promise;
    },
    oneAtATime: true,
    onStop: () => source.close(),
  });
  source.push(1);
  source.push(2);
  await tick();
  assert.is(jobs.length, 1, "the second waits");
  jobs[0]!.end();
  await tick();
  assert.is(jobs.length, 2);
  jobs[1]!.end();
  service.stop();
  await service.finished;
});

test("Service discards work that arrives as it stops, and rejects when accept() fails", async () => {
  const { Service } = await loading;
  const discarded: number[] = [];
  let release!: (n: number) => void;
  const service = new Service<number>({
    accept: () => new Promise<number>((resolve) => (release = resolve)),
    serve() {
      assert.unreachable("served after stop");
      return undefined;
    },
    discard: (n) => discarded.push(n),
    onStop: () => {},
  });
  service.stop();
  release(7);
  await service.finished;
  assert.equal(discarded, [7]);

  const failing = new Service<number>({
    accept: () => Promise.reject(new Error("the listener failed")),
    serve: () => undefined,
    onStop: () => {},
  });
  try {
    await failing.finished;
    assert.unreachable("finished should reject");
  } catch (error) {
    assert.is((error as Error).message, "the listener failed");
  }
});

test.run();
